"""The bank file of an approved payout run: one row per paid partner, safe for spreadsheets."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction

from core import roles
from core.errors import (
    DomainError,
    TransitionConflict,
)
from core.locks import lock_row
from core.roles import User, actor_or_none, require_role
from partners.models import Partner

from .. import selectors
from ..models import (
    PayoutLine,
    PayoutRun,
    RunState,
)
from .common import fsm_move

BANK_FILE_COLUMNS = (
    "partner_external_id",
    "name",
    "phone",
    "account_holder",
    "account_number",
    "ifsc",
    "iban",
    "currency",
    "net",
)


class BankDetailsMissing(DomainError):
    """The run pays partners whose bank details are incomplete: no bank file (422), nothing
    changes. `partners` names them so the page can list them first."""

    http_status = 422
    code = "bank_details_missing"

    def __init__(self, partners: list[Partner]):
        self.partners = partners
        count = len(partners)
        noun = "partner has" if count == 1 else "partners have"
        super().__init__(
            f"No bank file: {count} {noun} no complete bank details (account holder, and an "
            "account number with IFSC, or an IBAN). Add them on the partner's page, then "
            "export again.",
            fields={"partners": [f"{p.external_id} ({p.name})" for p in partners]},
        )


def _cell(text: str) -> str:
    """Keep spreadsheet programs from reading a partner name as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def export_run(*, run_id: int, actor: User) -> tuple[PayoutRun, Iterator[tuple[str, ...]]]:
    """The bank file of an approved run: one row per partner with a positive net. The first
    export moves the run to `exported`; later downloads of an exported or paid run re-read it.
    Refused (BankDetailsMissing, the run unchanged) while a partner it pays lacks complete
    bank details: a row without an account would be a payment the bank cannot make.
    """
    require_role(actor, roles.RUN_OPERATORS, doing="export payout runs")
    with transaction.atomic():
        run = lock_row(PayoutRun, run_id)
        if run.state not in (RunState.APPROVED, RunState.EXPORTED, RunState.PAID):
            raise TransitionConflict(f"Run #{run.pk} is {run.state}: approve it before export.")
        missing = selectors.partners_missing_bank_details(run_id=run.pk)
        if missing:
            raise BankDetailsMissing(missing)
        if run.state == RunState.APPROVED:
            fsm_move(run, "export")
            run.exported_by = actor_or_none(actor)
            run.save()

    def rows() -> Iterator[tuple[str, ...]]:
        yield BANK_FILE_COLUMNS
        lines = (
            PayoutLine.objects.filter(run_id=run.pk, net__gt=0)
            .order_by("partner_id")
            .values_list(
                "partner__external_id",
                "partner__name",
                "partner__phone",
                "partner__payout_account_holder",
                "partner__payout_account_number",
                "partner__payout_ifsc",
                "partner__payout_iban",
                "net",
            )
        )
        for external_id, name, phone, holder, number, ifsc, iban, net in lines.iterator(
            chunk_size=2000
        ):
            yield (
                _cell(external_id),
                _cell(name),
                phone,
                _cell(holder),
                _cell(number),
                _cell(ifsc),
                _cell(iban),
                run.currency,
                f"{net:.2f}",
            )

    return run, rows()
