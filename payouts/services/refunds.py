"""Refunds: request (with the refund TAT), approve (recovering from the partner once), reject,
mark paid or failed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cases import services as case_services
from cases.models import Booking, Case
from core import limits, roles
from core.errors import (
    InvalidInput,
    NotPermitted,
)
from core.locks import lock_row
from core.roles import User, actor_or_none, require_role
from policies.parameters import Policy

from .. import events
from ..models import (
    EntryKind,
    Refund,
    RefundReason,
    RefundState,
)
from ..money import round_money
from .common import fsm_move, policy_now, require_reason
from .ledger import post_entry


def refund_tat_due_on(*, booking: Booking, policy: Policy, on: date) -> date | None:
    """Refund TAT for the booking's payment mode, when the policy defines one."""
    tat_for = getattr(policy.params, "refund_tat_days_for", None)
    if tat_for is None:
        return None
    try:
        return on + timedelta(days=tat_for(booking.payment_mode))
    except ValueError:
        return None


# Refunds that count against what is left to refund (a rejected or failed one gives it back).
COUNTED = (RefundState.REQUESTED, RefundState.APPROVED, RefundState.PAID)


def paid_on(booking: Booking) -> Decimal:
    """What the customer paid on the booking: the invoice, or the cart value paid ahead of
    a service not invoiced yet."""
    return booking.invoice_amount if booking.invoice_amount > 0 else booking.cart_value


def refundable(booking: Booking) -> Decimal:
    """What may still be refunded on the booking."""
    taken = Refund.objects.filter(booking_id=booking.pk, state__in=COUNTED).aggregate(
        total=Sum("amount")
    )["total"] or Decimal("0")
    return max(paid_on(booking) - taken, Decimal("0"))


def request_refund(
    *,
    booking: Booking,
    reason: str,
    amount: Decimal,
    actor: User,
    case: Case | None = None,
    note: str = "",
    deduct_from_partner: bool = False,
    currency: str | None = None,
) -> Refund:
    """Ask for a refund to the booking's customer, in the booking's currency."""
    require_role(actor, roles.REFUND_REQUESTERS, doing="request refunds")
    errors: dict[str, str] = {}
    if reason not in RefundReason.values:
        errors["reason"] = f"Unknown refund reason {reason!r}."
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        errors["amount"] = "A refund needs a positive amount."
    elif round_money(amount, booking.currency) != amount:
        errors["amount"] = "Amounts have at most two decimal places."
    if currency and currency != booking.currency:
        errors["currency"] = f"The booking is in {booking.currency}."
    if deduct_from_partner and booking.partner_id is None:
        errors["deduct_from_partner"] = "The booking has no partner to recover from."
    if len(note or "") > limits.NOTE:
        errors["note"] = f"At most {limits.NOTE:,} characters."
    if errors:
        raise InvalidInput(errors)
    case_services.require_case_of_booking(case, booking)
    policy = policy_now()
    zone = ZoneInfo(booking.city.region.timezone)
    with transaction.atomic():
        # The booking row is locked so two requests cannot both fit under what is left.
        Booking.objects.select_for_update().filter(pk=booking.pk).values_list("pk").get()
        left = refundable(booking)
        if amount > left:
            raise InvalidInput(
                {
                    "amount": f"At most {left} {booking.currency}: what the customer paid on "
                    f"booking {booking.external_id} ({paid_on(booking)}) less what is already "
                    "refunded or being refunded."
                }
            )
        return Refund.objects.create(
            customer_id=booking.customer_id,
            booking=booking,
            case=case,
            reason=reason,
            note=note.strip(),
            amount=amount,
            currency=booking.currency,
            requested_by=actor_or_none(actor),
            tat_due_on=refund_tat_due_on(
                booking=booking, policy=policy, on=timezone.now().astimezone(zone).date()
            ),
            deduct_from_partner=deduct_from_partner,
            partner_id=booking.partner_id if deduct_from_partner else None,
            policy_version=policy.version,
        )


def _lock_refund_for_decision(refund_id: int, actor: User) -> Refund:
    require_role(actor, roles.MONEY_DECIDERS, doing="decide refunds")
    refund = lock_row(Refund, refund_id)
    if refund.requested_by_id is not None and refund.requested_by_id == getattr(actor, "pk", None):
        raise NotPermitted("Nobody may approve a refund they requested themselves.")
    return refund


def approve_refund(*, refund_id: int, actor: User, reason: str = "") -> Refund:
    """Approve (finance or supervisor, not the requester). With deduct_from_partner, the
    partner is debited once: a recovery entry of -amount, key refund:{id}:recovery."""
    with transaction.atomic():
        refund = _lock_refund_for_decision(refund_id, actor)
        fsm_move(refund, "approve")
        refund.approved_by = actor_or_none(actor)
        refund.decision_reason = reason.strip()
        refund.save()
        events.refund_approved(refund)
        if refund.deduct_from_partner:
            post_entry(
                key=refund.recovery_key,
                partner_id=refund.partner_id,
                currency=refund.currency,
                kind=EntryKind.RECOVERY,
                amount=-refund.amount,
                booking_id=refund.booking_id,
                case_id=refund.case_id,
                refund_id=refund.pk,
                policy_version=policy_now().version,
                memo=f"Refund #{refund.pk} ({refund.get_reason_display()}) recovered",
            )
    return refund


def reject_refund(*, refund_id: int, actor: User, reason: str) -> Refund:
    """Finance rejects a requested refund, with a reason."""
    reason = require_reason(reason)
    with transaction.atomic():
        refund = _lock_refund_for_decision(refund_id, actor)
        fsm_move(refund, "reject")
        refund.approved_by = actor_or_none(actor)
        refund.decision_reason = reason
        refund.save()
    return refund


def mark_refund_paid(*, refund_id: int, actor: User, payment_reference: str = "") -> Refund:
    """The approved refund reached the customer (with the payment reference)."""
    require_role(actor, roles.MONEY_DECIDERS, doing="mark refunds paid")
    with transaction.atomic():
        refund = lock_row(Refund, refund_id)
        fsm_move(refund, "mark_paid")
        refund.payment_reference = payment_reference.strip()
        refund.save()
        events.refund_paid(refund)
    return refund


def mark_refund_failed(*, refund_id: int, actor: User, reason: str) -> Refund:
    """The payment to the customer failed. A recovery from the partner stays: the refund is
    retried as a new request, and the partner still owes the money."""
    require_role(actor, roles.MONEY_DECIDERS, doing="mark refunds failed")
    reason = require_reason(reason)
    with transaction.atomic():
        refund = lock_row(Refund, refund_id)
        fsm_move(refund, "mark_failed")
        refund.failure_reason = reason
        refund.save()
    return refund
