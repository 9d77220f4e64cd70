"""The ledger: every money movement written exactly once (unique idempotency key), earnings
and bonuses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Booking, BookingStatus, Case
from core import roles
from core.errors import (
    InvalidInput,
    NotPermitted,
    TransitionConflict,
)
from core.roles import User

from ..models import (
    EntryKind,
    LedgerEntry,
)
from ..money import round_money
from .common import policy_now


def post_entry(
    *,
    key: str,
    partner_id: int,
    currency: str,
    kind: str,
    amount: Decimal,
    occurred_at: datetime | None = None,
    booking_id: int | None = None,
    case_id: int | None = None,
    penalty_id: int | None = None,
    refund_id: int | None = None,
    policy_version: str = "",
    memo: str = "",
) -> tuple[LedgerEntry, bool]:
    """Write one ledger entry exactly once: the unique idempotency key decides.

    Returns (entry, created). A second call with the same key returns the first entry; if it
    disagrees on what the entry is (partner, kind, amount, currency) that is a bug upstream and
    we refuse loudly rather than pay the wrong amount.
    """
    if not isinstance(amount, Decimal):
        raise TypeError("ledger amounts must be Decimal")
    amount = round_money(amount, currency)
    now = timezone.now()
    with transaction.atomic():
        entry, created = LedgerEntry.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "partner_id": partner_id,
                "currency": currency,
                "kind": kind,
                "amount": amount,
                "occurred_at": occurred_at or now,
                "booking_id": booking_id,
                "case_id": case_id,
                "penalty_id": penalty_id,
                "refund_id": refund_id,
                "policy_version": policy_version,
                "memo": memo[:255],
                "created_at": now,
            },
        )
    if not created and (
        entry.partner_id != partner_id
        or entry.kind != kind
        or entry.amount != amount
        or entry.currency != currency
    ):
        raise TransitionConflict(
            f"Ledger entry {key} already exists with different content "
            f"({entry.kind} {entry.amount} {entry.currency} for partner {entry.partner_id}).",
            code="idempotency_mismatch",
        )
    return entry, created


def record_earning(*, booking: Booking, amount: Decimal | None = None) -> LedgerEntry | None:
    """Credit the partner for a completed job, once (key booking:{id}:earning).

    The amount defaults to the booking's invoice; a zero invoice earns nothing (None).
    """
    booking = Booking.objects.get(pk=booking.pk)
    if booking.status != BookingStatus.COMPLETED:
        raise TransitionConflict(
            f"Booking {booking.external_id} is {booking.status}: only completed jobs earn."
        )
    if booking.partner_id is None:
        raise InvalidInput({"booking": "The booking has no partner to credit."})
    amount = booking.invoice_amount if amount is None else amount
    if amount <= 0:
        return None
    entry, _ = post_entry(
        key=f"booking:{booking.pk}:earning",
        partner_id=booking.partner_id,
        currency=booking.currency,
        kind=EntryKind.EARNING,
        amount=amount,
        booking_id=booking.pk,
        policy_version=policy_now().version,
        memo=f"Job {booking.external_id} completed",
    )
    return entry


def partner_bonus(
    *,
    booking: Booking,
    actor: User | None,
    reason: str = "changed_address",
    amount: Decimal | None = None,
    case: Case | None = None,
) -> LedgerEntry:
    """Pay the partner extra for a job, once per (booking, reason).

    Pre-services SOP: a partner who delivers at a changed address gets
    changed_address_partner_bonus (Rs 100) extra.
    """
    if actor is not None and not roles.has_role(actor, roles.BONUS_GRANTERS):
        raise NotPermitted("Your role may not grant a partner bonus.")
    if booking.partner_id is None:
        raise InvalidInput({"booking": "The booking has no partner to pay."})
    case_services.require_case_of_booking(case, booking)
    policy = policy_now()
    if amount is None:
        if reason != "changed_address":
            raise InvalidInput({"amount": "Give the bonus amount for this reason."})
        amount = policy.params.changed_address_partner_bonus
    if amount <= 0:
        raise InvalidInput({"amount": "A bonus must be positive."})
    entry, _ = post_entry(
        key=f"booking:{booking.pk}:bonus:{reason}",
        partner_id=booking.partner_id,
        currency=booking.currency,
        kind=EntryKind.BONUS,
        amount=amount,
        booking_id=booking.pk,
        case_id=case.pk if case else None,
        policy_version=policy.version,
        memo=f"Bonus ({reason.replace('_', ' ')}) for job {booking.external_id}",
    )
    return entry
