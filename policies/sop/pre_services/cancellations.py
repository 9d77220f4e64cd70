"""Pre-services SOP: cancellation requests, goodwill refunds and a wrong job started."""

from __future__ import annotations

from decimal import Decimal

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_choice, require_money
from ...parameters import Policy, normalise_payment_mode
from .common import (
    GOODWILL_CAUSES,
    PAYMENT_MODES,
    SOP,
    goodwill_amount,
    wrong_job_refund_amount,
)


def decide_cancellation_request(
    *,
    voc: str,
    customer_accepts_reschedule: bool,
    policy: Policy,
    payment_mode: str | None = None,
    amount_paid: Decimal | None = None,
) -> Decision:
    """Cancellation: confirm the reason, offer a reschedule first, else cancel on the VOC and
    close the ticket. A prepaid (online) booking cancelled this way is refunded what was
    paid, within the refund TAT of its payment mode."""
    inputs = {
        "voc": voc,
        "customer_accepts_reschedule": customer_accepts_reschedule,
        "payment_mode": payment_mode,
        "amount_paid": amount_paid,
    }
    if not voc.strip():
        return make_decision(
            policy,
            sop=SOP,
            outcome="confirm_cancellation_reason",
            reason="cancellation: confirm the cancellation reason first",
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="confirm_cancellation_reason")],
            inputs=inputs,
        )
    if customer_accepts_reschedule:
        return make_decision(
            policy,
            sop=SOP,
            outcome="rescheduled_instead_of_cancelled",
            reason=f"cancellation ({voc}): the customer accepts a reschedule instead",
            actions=[Action.of(ActionKind.RESCHEDULE_BOOKING, remarks=voc)],
            inputs=inputs,
        )
    actions = [Action.of(ActionKind.CANCEL_BOOKING, code=voc, cancelled_by="customer")]
    reason = f"cancellation: the customer declines a reschedule; cancel on the VOC ({voc})"
    prepaid = payment_mode is not None and normalise_payment_mode(payment_mode) == "online"
    if prepaid and amount_paid is not None and require_money(amount_paid, "amount_paid") > 0:
        days = policy.params.refund_tat_days_for(payment_mode)
        actions.append(
            Action.of(ActionKind.CREATE_REFUND, amount=amount_paid, reason="customer_cancellation")
        )
        reason += f"; prepaid: refund {amount_paid} within the {days}-day refund TAT"
    actions.append(Action.of(ActionKind.SET_STATUS, status="resolved"))
    return make_decision(
        policy,
        sop=SOP,
        outcome="cancelled_on_customer_voc",
        reason=reason + "; close the ticket",
        actions=actions,
        inputs=inputs,
    )


def decide_goodwill_refund(
    *, cancellation_cause: str, refund_requested: bool, cart_value: Decimal, policy: Policy
) -> Decision:
    """Goodwill after a cancellation on our side for a no-show or no-response."""
    require_money(cart_value, "cart_value")
    inputs = {
        "cancellation_cause": cancellation_cause,
        "refund_requested": refund_requested,
        "cart_value": cart_value,
    }
    if cancellation_cause not in GOODWILL_CAUSES:
        return make_decision(
            policy,
            sop=SOP,
            outcome="no_goodwill",
            reason=(
                f"goodwill is only for no-show or no-response cancellations, not "
                f"{cancellation_cause!r}"
            ),
            refused=True,
            inputs=inputs,
        )
    if not refund_requested:
        return make_decision(
            policy,
            sop=SOP,
            outcome="no_refund_requested",
            reason="goodwill is given when the customer asks for a refund; none was asked",
            inputs=inputs,
        )
    params = policy.params
    amount = goodwill_amount(cart_value=cart_value, policy=policy)
    threshold = params.goodwill_threshold_cart_value
    side = "below" if cart_value < threshold else "at or above"
    return make_decision(
        policy,
        sop=SOP,
        outcome="goodwill_refund",
        reason=(
            f"{cancellation_cause.replace('_', ' ')} cancellation: cart value {cart_value} is "
            f"{side} {threshold}, goodwill refund {amount}"
        ),
        actions=[
            Action.of(
                ActionKind.CREATE_REFUND, amount=amount, reason="goodwill_" + cancellation_cause
            )
        ],
        inputs=inputs,
    )


def decide_wrong_job_started(
    *,
    amount_paid: Decimal,
    payment_mode: str,
    partner_responding: bool,
    unanswered_attempts: int,
    fraud_score: Decimal,
    policy: Policy,
    partner_confirms_payment: bool = True,
) -> Decision:
    """The professional wrongly started and ended a job.

    Online payments are ours to see: full refund, recovered from the professional. A cash
    payment needs the professional's confirmation; unreachable after the set number of calls,
    the customer is refunded up to the cap if the fraud score allows, recovered the same way.
    """
    require_money(amount_paid, "amount_paid")
    require_money(fraud_score, "fraud_score")
    mode = require_choice(normalise_payment_mode(payment_mode), "payment_mode", PAYMENT_MODES)
    if isinstance(unanswered_attempts, bool) or unanswered_attempts < 0:
        raise ValueError("unanswered_attempts must be a non-negative integer")
    params = policy.params
    inputs = {
        "amount_paid": amount_paid,
        "payment_mode": payment_mode,
        "partner_responding": partner_responding,
        "partner_confirms_payment": partner_confirms_payment,
        "unanswered_attempts": unanswered_attempts,
        "fraud_score": fraud_score,
    }
    if amount_paid == 0:
        return make_decision(
            policy,
            sop=SOP,
            outcome="nothing_paid",
            reason="wrong job started: the customer paid nothing, so there is nothing to refund",
            inputs=inputs,
        )

    def refund(outcome: str, amount: Decimal, reason: str) -> Decision:
        return make_decision(
            policy,
            sop=SOP,
            outcome=outcome,
            reason=f"wrong job started: {reason}",
            actions=[
                Action.of(ActionKind.CREATE_REFUND, amount=amount, reason="wrong_job_started"),
                Action.of(ActionKind.DEDUCT_FROM_PARTNER, amount=amount),
            ],
            inputs=inputs,
        )

    if mode == "online":
        return refund(
            "full_refund",
            amount_paid,
            f"online payment of {amount_paid}: refund in full and deduct it from the professional",
        )
    if partner_responding:
        if partner_confirms_payment:
            return refund(
                "full_refund",
                amount_paid,
                f"the professional confirms {amount_paid} paid in cash: refund in full and "
                "deduct it from him",
            )
        # The SOP does not cover a professional who denies being paid: a supervisor decides.
        return make_decision(
            policy,
            sop=SOP,
            outcome="payment_disputed",
            reason=(
                "wrong job started: the professional denies the cash payment; the SOP does not "
                "cover a dispute, escalate"
            ),
            actions=[
                Action.of(
                    ActionKind.ESCALATE, to="supervisor", reason="wrong job cash payment disputed"
                )
            ],
            inputs=inputs,
        )
    needed = params.wrong_job_unanswered_attempts
    if unanswered_attempts < needed:
        return make_decision(
            policy,
            sop=SOP,
            outcome="keep_calling_partner",
            reason=(
                f"wrong job started: {unanswered_attempts} unanswered call(s) to the professional, "
                f"{needed} needed before refunding without him; call again"
            ),
            actions=[Action.of(ActionKind.CALL_PARTNER, purpose="confirm_wrong_job_payment")],
            inputs=inputs,
        )
    limit = params.wrong_job_fraud_score_max
    if fraud_score >= limit:
        return make_decision(
            policy,
            sop=SOP,
            outcome="refund_blocked_by_fraud_score",
            reason=(
                f"wrong job started: professional unreachable after {unanswered_attempts} calls, "
                f"but the customer's fraud score {fraud_score} is not below {limit}; no refund"
            ),
            actions=[
                Action.of(
                    ActionKind.ESCALATE, to="fraud_review", reason="wrong job refund fraud score"
                )
            ],
            refused=True,
            inputs=inputs,
        )
    amount = wrong_job_refund_amount(amount_paid=amount_paid, policy=policy)
    return refund(
        "capped_refund",
        amount,
        f"professional unreachable after {unanswered_attempts} calls and fraud score "
        f"{fraud_score} below {limit}: refund {amount} (paid {amount_paid}, cap "
        f"{params.wrong_job_refund_cap}) and deduct it from the professional",
    )
