"""L1 SOP scenarios 6-8: amount debited but booking not confirmed, refund status, extra
charges collected against the invoice; the refund TAT they share."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_choice, require_date, require_money
from ...parameters import Policy, normalise_payment_mode
from .common import (
    PAYMENT_MODES,
    SOP,
    TAG_DELAY_IN_REFUND,
    TAG_ENQUIRY_TAT_SPD,
    TAG_EXTRA_CASH,
    TAG_REFUND_STATUS,
    TAG_SERVICE_CHARGES,
    complaint_action,
)


def _refund_tat(
    *, payment_mode: str, started_on: date, contacted_on: date, policy: Policy
) -> tuple[bool, int, int, date]:
    """(within TAT, days elapsed, TAT days, last day): the TAT runs in calendar days and its
    last day still counts as within."""
    require_choice(normalise_payment_mode(payment_mode), "payment_mode", PAYMENT_MODES)
    tat = policy.params.refund_tat_days_for(payment_mode)
    start = require_date(started_on, "started_on")
    elapsed = (require_date(contacted_on, "contacted_on") - start).days
    if elapsed < 0:
        raise ValueError(f"{contacted_on} is before {started_on}")
    return elapsed <= tat, elapsed, tat, start + timedelta(days=tat)


def _refund_timing_decision(
    *,
    policy: Policy,
    within: bool,
    last_day: date,
    situation: str,
    within_reason: str,
    inputs: dict[str, object],
) -> Decision:
    """Scenarios 6 and 7 end alike: inside the refund TAT, tell the customer when it arrives;
    past it, a delay-in-refund complaint escalated to finance."""
    if within:
        return make_decision(
            policy,
            sop=SOP,
            outcome="refund_within_tat",
            reason=f"{situation}: within TAT, {within_reason}",
            actions=[
                Action.of(ActionKind.CALL_CUSTOMER, purpose="refund_within_tat", due_by=last_day)
            ],
            tag=TAG_REFUND_STATUS,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="refund_delayed",
        reason=f"{situation}: post TAT, complaint for delay in refund",
        actions=[
            complaint_action(TAG_DELAY_IN_REFUND),
            Action.of(ActionKind.ESCALATE, to="finance", reason="refund not received within TAT"),
        ],
        tag=TAG_DELAY_IN_REFUND,
        inputs=inputs,
    )


def decide_debited_not_confirmed(
    *,
    service_details_available: bool,
    payment_mode: str,
    debited_on: date,
    contacted_on: date,
    policy: Policy,
) -> Decision:
    """6 Money was debited but the booking was not confirmed."""
    inputs = {
        "service_details_available": service_details_available,
        "payment_mode": payment_mode,
        "debited_on": debited_on,
        "contacted_on": contacted_on,
    }
    if service_details_available:
        return make_decision(
            policy,
            sop=SOP,
            outcome="booking_found_tat_explained",
            reason="6 the service details are in the system: share the TAT/SPD",
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="confirm_spd")],
            tag=TAG_ENQUIRY_TAT_SPD,
            inputs=inputs,
        )
    within, elapsed, tat, last_day = _refund_tat(
        payment_mode=payment_mode, started_on=debited_on, contacted_on=contacted_on, policy=policy
    )
    timing = (
        f"day {elapsed} after the debit on {debited_on}, refund TAT {tat} days ({payment_mode})"
    )
    # Within TAT the SOP leaves this leaf untagged; the refund-status enquiry is the nearest.
    return _refund_timing_decision(
        policy=policy,
        within=within,
        last_day=last_day,
        situation=f"6 no booking found; {timing}",
        within_reason=(
            f"the refund arrives by {last_day} "
            "(the SOP gives no tag here; nearest is the refund status query)"
        ),
        inputs=inputs,
    )


def decide_refund_status(
    *,
    refund_status_available: bool,
    payment_mode: str,
    refund_started_on: date,
    contacted_on: date,
    policy: Policy,
) -> Decision:
    """7 The customer asks about a refund."""
    inputs = {
        "refund_status_available": refund_status_available,
        "payment_mode": payment_mode,
        "refund_started_on": refund_started_on,
        "contacted_on": contacted_on,
    }
    if refund_status_available:
        return make_decision(
            policy,
            sop=SOP,
            outcome="refund_status_shared",
            reason="7 the refund status is available: share it",
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="share_refund_status")],
            tag=TAG_REFUND_STATUS,
            inputs=inputs,
        )
    within, elapsed, tat, last_day = _refund_tat(
        payment_mode=payment_mode,
        started_on=refund_started_on,
        contacted_on=contacted_on,
        policy=policy,
    )
    timing = (
        f"day {elapsed} after the refund started on {refund_started_on}, refund TAT {tat} days "
        f"({payment_mode})"
    )
    return _refund_timing_decision(
        policy=policy,
        within=within,
        last_day=last_day,
        situation=f"7 refund status unavailable; {timing}",
        within_reason=f"due by {last_day}",
        inputs=inputs,
    )


def decide_extra_charges(
    *, amount_collected: Decimal, invoice_amount: Decimal, payment_mode: str, policy: Policy
) -> Decision:
    """8 The technician collected extra charges: compare what the customer paid in total
    (online and cash) with the invoice."""
    require_money(amount_collected, "amount_collected")
    require_money(invoice_amount, "invoice_amount")
    mode = require_choice(normalise_payment_mode(payment_mode), "payment_mode", PAYMENT_MODES)
    inputs = {
        "amount_collected": amount_collected,
        "invoice_amount": invoice_amount,
        "payment_mode": payment_mode,
    }
    extra = amount_collected - invoice_amount
    if extra <= 0:
        return make_decision(
            policy,
            sop=SOP,
            outcome="charges_match_invoice",
            reason=(
                f"8 the amount charged ({amount_collected}) matches the invoice "
                f"({invoice_amount}): explain the service charges"
            ),
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="explain_service_charges")],
            tag=TAG_SERVICE_CHARGES,
            inputs=inputs,
        )
    actions = [
        Action.of(
            ActionKind.CREATE_COMPLAINT_TICKET,
            subject=TAG_EXTRA_CASH,
            extra_amount=extra,
            payment_mode=mode,
        )
    ]
    if mode == "cash":
        reason = (
            f"8 cash transaction: {amount_collected} collected against an invoice of "
            f"{invoice_amount}, {extra} extra"
        )
    else:
        # The SOP lists the prepaid leaf with no tag of its own: money taken on top of a
        # prepaid invoice is still extra cash collected by the technician, and it is escalated.
        reason = (
            f"8 prepaid transaction: {extra} collected on top of the prepaid invoice of "
            f"{invoice_amount}; the SOP gives no separate tag, so use the extra cash complaint "
            "and escalate"
        )
        actions.append(
            Action.of(
                ActionKind.ESCALATE,
                to="supervisor",
                reason="extra money collected on a prepaid job",
            )
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="extra_cash_complaint",
        reason=reason,
        actions=actions,
        tag=TAG_EXTRA_CASH,
        inputs=inputs,
    )
