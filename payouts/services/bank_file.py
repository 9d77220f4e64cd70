"""The bank file of an approved payout run: one row per paid partner, safe for spreadsheets."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction

from core import roles
from core.errors import (
    TransitionConflict,
)
from core.locks import lock_row
from core.roles import User, actor_or_none, require_role

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


def _cell(text: str) -> str:
    """Keep spreadsheet programs from reading a partner name as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def export_run(*, run_id: int, actor: User) -> tuple[PayoutRun, Iterator[tuple[str, ...]]]:
    """The bank file of an approved run: one row per partner with a positive net. The first
    export moves the run to `exported`; later downloads of an exported or paid run re-read it.
    """
    require_role(actor, roles.RUN_OPERATORS, doing="export payout runs")
    with transaction.atomic():
        run = lock_row(PayoutRun, run_id)
        if run.state == RunState.APPROVED:
            fsm_move(run, "export")
            run.exported_by = actor_or_none(actor)
            run.save()
        elif run.state not in (RunState.EXPORTED, RunState.PAID):
            raise TransitionConflict(f"Run #{run.pk} is {run.state}: approve it before export.")

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
