"""Pre-services SOP (pre-services.txt): changes, reschedules, cancellations, refunds, forms."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from .decision import Action, Decision, make_decision, require_choice, require_money
from .parameters import Policy, normalise_payment_mode

SOP = "Pre-services SOP"

# Partner calendar colours (profile > Edit details > calendar).
CALENDAR_WORKING = "working"  # green: working on a job
CALENDAR_ON_LEAVE = "on_leave"  # red: on leave
CALENDAR_FREE = "free"  # blank: available
CALENDAR_STATUSES: tuple[str, ...] = (CALENDAR_WORKING, CALENDAR_ON_LEAVE, CALENDAR_FREE)

# Cancellations "on UC's end" that earn a goodwill refund when the customer asks for one.
GOODWILL_CAUSES: frozenset[str] = frozenset({"no_show", "no_response"})

# Personal details the customer may ask to edit; none can be edited.
PERSONAL_DETAILS: tuple[str, ...] = ("address", "name", "email", "number")

PAYMENT_MODES: tuple[str, ...] = ("online", "cash")


def goodwill_amount(*, cart_value: Decimal, policy: Policy) -> Decimal:
    """Goodwill by cart value: below the threshold the lower amount, from it the higher one
    (the SOP's "below 500" / "above 500" leaves 500 itself open; it takes the higher amount)."""
    require_money(cart_value, "cart_value")
    params = policy.params
    if cart_value < params.goodwill_threshold_cart_value:
        return params.goodwill_below_threshold
    return params.goodwill_from_threshold


def wrong_job_refund_amount(*, amount_paid: Decimal, policy: Policy) -> Decimal:
    """Unconfirmed wrong-job refund: the amount paid, capped at wrong_job_refund_cap."""
    require_money(amount_paid, "amount_paid")
    return min(amount_paid, policy.params.wrong_job_refund_cap)


def ob_form_reply_due(*, sent_at: datetime, policy: Policy) -> datetime:
    """When the customer was promised a reply to an OB form: the TAT in elapsed hours."""
    return sent_at + timedelta(hours=policy.params.ob_form_tat_hours)


def decide_change_request(
    *,
    partner_responding: bool,
    partner_has_material: bool,
    partner_agrees: bool,
    policy: Policy,
) -> Decision:
    """Make changes in an existing request: the partner delivers it if he has the material."""
    inputs = {
        "partner_responding": partner_responding,
        "partner_has_material": partner_has_material,
        "partner_agrees": partner_agrees,
    }
    if partner_responding and partner_has_material and partner_agrees:
        return make_decision(
            policy,
            sop=SOP,
            outcome="partner_delivers_change",
            reason=(
                "change request: the professional has the material and agrees; ask him to "
                "deliver and park the case until the job is delivered"
            ),
            actions=[
                Action.of("call_partner", purpose="deliver_changed_request"),
                Action.of("park", until_event="job_delivered"),
            ],
            inputs=inputs,
        )
    # The SOP names only the unresponsive professional; one without the material or who
    # declines cannot deliver the change either, so the customer books afresh in both cases.
    why = (
        "the professional is not responding"
        if not partner_responding
        else "the professional lacks the material or does not agree"
    )
    return make_decision(
        policy,
        sop=SOP,
        outcome="customer_places_fresh_booking",
        reason=f"change request: {why}; ask the customer to place a fresh booking",
        actions=[Action.of("call_customer", purpose="place_fresh_booking")],
        inputs=inputs,
    )


def decide_reschedule_request(
    *,
    preferred_slot: datetime,
    different_pro_requested: bool,
    booking_auto_accepted: bool,
    policy: Policy,
) -> Decision:
    """Reschedule or a different professional: move to the confirmed slot; keep the current
    professional off it when the customer wants someone else."""
    inputs = {
        "preferred_slot": preferred_slot,
        "different_pro_requested": different_pro_requested,
        "booking_auto_accepted": booking_auto_accepted,
    }
    actions = [Action.of("reschedule_booking", preferred_slot=preferred_slot)]
    reason = f"reschedule to the customer's confirmed slot {preferred_slot.isoformat()}"
    outcome = "rescheduled"
    if different_pro_requested:
        outcome = "rescheduled_with_different_pro"
        if booking_auto_accepted:
            actions.append(Action.of("call_partner", purpose="mark_leave_for_slot"))
            reason += "; the booking is auto-accepted, so ask the partner to mark leave for it"
        else:
            actions.append(Action.of("call_partner", purpose="do_not_pick_up_booking"))
            reason += "; ask the partner not to pick up this customer's booking"
    return make_decision(
        policy, sop=SOP, outcome=outcome, reason=reason, actions=actions, inputs=inputs
    )


def decide_preferred_professional(
    *,
    calendar_status: str,
    professional_responding: bool,
    professional_agrees: bool,
    policy: Policy,
    professional_known: bool = True,
    tech_issue: bool = False,
) -> Decision:
    """Preferred professional: identify him, check his calendar, ask him to accept, or assign
    another professional by availability."""
    require_choice(calendar_status, "calendar_status", CALENDAR_STATUSES)
    inputs = {
        "calendar_status": calendar_status,
        "professional_responding": professional_responding,
        "professional_agrees": professional_agrees,
        "professional_known": professional_known,
        "tech_issue": tech_issue,
    }
    contacts = policy.params.escalation_contacts
    if tech_issue:
        return make_decision(
            policy,
            sop=SOP,
            outcome="tech_issue_escalated",
            reason=(
                "preferred professional: tech issue (check the hub areas of professional and "
                f"customer); raise to {'/'.join(contacts)}"
            ),
            actions=[
                Action.of(
                    "escalate", to="/".join(contacts), reason="preferred professional tech issue"
                )
            ],
            inputs=inputs,
        )
    if not professional_known:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ask_professional_details",
            reason=(
                "preferred professional: ask for the professional's name and the date of the "
                "last booking he delivered"
            ),
            actions=[Action.of("call_customer", purpose="ask_professional_name_and_last_booking")],
            inputs=inputs,
        )
    if calendar_status != CALENDAR_FREE:
        state = "working on a job" if calendar_status == CALENDAR_WORKING else "on leave"
        return make_decision(
            policy,
            sop=SOP,
            outcome="preferred_unavailable_assign_other",
            reason=(
                f"preferred professional: the calendar shows him {state}; assign a different "
                "professional depending on availability"
            ),
            actions=[Action.of("assign_partner", preferred=False)],
            inputs=inputs,
        )
    if professional_responding and professional_agrees:
        return make_decision(
            policy,
            sop=SOP,
            outcome="preferred_professional_notified",
            reason=(
                "preferred professional: free and agrees; notify him to accept the booking and "
                "follow up until he is assigned"
            ),
            actions=[
                Action.of("call_partner", purpose="accept_booking"),
                Action.of("assign_partner", preferred=True),
                Action.of("schedule_followup", until_event="partner_assigned"),
            ],
            inputs=inputs,
        )
    why = "not responding" if not professional_responding else "not agreeing"
    return make_decision(
        policy,
        sop=SOP,
        outcome="preferred_unavailable_assign_other",
        reason=(
            f"preferred professional: free but {why}; assign a different professional "
            "depending on availability"
        ),
        actions=[Action.of("assign_partner", preferred=False)],
        inputs=inputs,
    )


def decide_cancellation_request(
    *, voc: str, customer_accepts_reschedule: bool, policy: Policy
) -> Decision:
    """Cancellation: confirm the reason, offer a reschedule first, else cancel on the VOC."""
    inputs = {"voc": voc, "customer_accepts_reschedule": customer_accepts_reschedule}
    if not voc.strip():
        return make_decision(
            policy,
            sop=SOP,
            outcome="confirm_cancellation_reason",
            reason="cancellation: confirm the cancellation reason first",
            actions=[Action.of("call_customer", purpose="confirm_cancellation_reason")],
            inputs=inputs,
        )
    if customer_accepts_reschedule:
        return make_decision(
            policy,
            sop=SOP,
            outcome="rescheduled_instead_of_cancelled",
            reason=f"cancellation ({voc}): the customer accepts a reschedule instead",
            actions=[Action.of("reschedule_booking", remarks=voc)],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="cancelled_on_customer_voc",
        reason=f"cancellation: the customer declines a reschedule; cancel on the VOC ({voc})",
        actions=[Action.of("cancel_booking", code=voc, cancelled_by="customer")],
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
            Action.of("create_refund", amount=amount, reason="goodwill_" + cancellation_cause)
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
                Action.of("create_refund", amount=amount, reason="wrong_job_started"),
                Action.of("deduct_from_partner", amount=amount),
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
                Action.of("escalate", to="supervisor", reason="wrong job cash payment disputed")
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
            actions=[Action.of("call_partner", purpose="confirm_wrong_job_payment")],
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
                Action.of("escalate", to="fraud_review", reason="wrong job refund fraud score")
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


def decide_personal_details_edit(
    *,
    detail: str,
    booking_placed: bool,
    partner_can_deliver_elsewhere: bool,
    policy: Policy,
) -> Decision:
    """Edit address / name / e-mail / number: refused; an address need can still be met by
    the professional delivering elsewhere, paid a bonus for it."""
    require_choice(detail, "detail", PERSONAL_DETAILS)
    inputs = {
        "detail": detail,
        "booking_placed": booking_placed,
        "partner_can_deliver_elsewhere": partner_can_deliver_elsewhere,
    }
    if detail == "address" and booking_placed and partner_can_deliver_elsewhere:
        bonus = policy.params.changed_address_partner_bonus
        return make_decision(
            policy,
            sop=SOP,
            outcome="edit_refused_partner_delivers_elsewhere",
            reason=(
                "personal details cannot be edited; the booking is placed and the professional "
                f"can deliver at the required address, paid {bonus} extra"
            ),
            actions=[
                Action.of("call_customer", purpose="explain_details_cannot_be_edited"),
                Action.of("call_partner", purpose="deliver_to_required_address"),
                Action.of("partner_bonus", amount=bonus, reason="delivered_at_changed_address"),
            ],
            refused=True,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="edit_refused",
        reason=f"personal details ({detail}) cannot be edited; inform the customer",
        actions=[Action.of("call_customer", purpose="explain_details_cannot_be_edited")],
        refused=True,
        inputs=inputs,
    )


def decide_service_enquiry(*, book_now: bool, policy: Policy) -> Decision:
    """Enquiry on services: help book now (with running offers) or guide for later."""
    inputs = {"book_now": book_now}
    if book_now:
        return make_decision(
            policy,
            sop=SOP,
            outcome="assist_booking_now",
            reason="enquiry: the customer books now; help until it is placed, with running offers",
            actions=[Action.of("call_customer", purpose="assist_booking_with_running_offers")],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="guide_booking_later",
        reason="enquiry: the customer books later; guide them the same way",
        actions=[Action.of("call_customer", purpose="guide_booking_with_running_offers")],
        inputs=inputs,
    )


def decide_unable_to_book(
    *,
    service_available: bool,
    app_updated: bool,
    professionals_available: bool,
    alternate_service_suggested: bool,
    policy: Policy,
    blocked_user: bool = False,
) -> Decision:
    """Unable to place a booking: availability, app update, alternate service, then escalate
    with a screenshot (blocked users are outside this SOP)."""
    inputs = {
        "service_available": service_available,
        "app_updated": app_updated,
        "professionals_available": professionals_available,
        "alternate_service_suggested": alternate_service_suggested,
        "blocked_user": blocked_user,
    }
    if blocked_user:
        return make_decision(
            policy,
            sop=SOP,
            outcome="blocked_user_excluded",
            reason="unable to book: the SOP excludes blocked users",
            refused=True,
            inputs=inputs,
        )
    if service_available and not app_updated:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ask_app_update",
            reason="unable to book: the service is available; ask the customer to update the app "
            "and try again",
            actions=[Action.of("call_customer", purpose="update_app_and_retry")],
            inputs=inputs,
        )
    if (not service_available or not professionals_available) and not alternate_service_suggested:
        return make_decision(
            policy,
            sop=SOP,
            outcome="suggest_alternate_service",
            reason="unable to book: no professionals available; suggest an alternate service",
            actions=[Action.of("call_customer", purpose="suggest_alternate_service")],
            inputs=inputs,
        )
    params = policy.params
    return make_decision(
        policy,
        sop=SOP,
        outcome="escalated_with_screenshot",
        reason=(
            "unable to book: the issue persists; get a screenshot and escalate to "
            f"{'/'.join(params.escalation_contacts)} with {', '.join(params.escalation_cc)} in cc"
        ),
        actions=[
            Action.of("request_images", what="screenshot", from_party="customer"),
            Action.of(
                "escalate",
                to="/".join(params.escalation_contacts),
                cc=params.escalation_cc,
                reason="customer unable to place a booking",
            ),
        ],
        inputs=inputs,
    )


def decide_ob_form(
    *, email_confirmed: bool, email_sent: bool, email_received: bool, policy: Policy
) -> Decision:
    """OB form: confirm the e-mail, promise a reply within the TAT, park until it arrives."""
    tat = policy.params.ob_form_tat_hours
    inputs = {
        "email_confirmed": email_confirmed,
        "email_sent": email_sent,
        "email_received": email_received,
    }
    if not email_confirmed:
        return make_decision(
            policy,
            sop=SOP,
            outcome="confirm_email",
            reason="OB form: confirm the customer's e-mail address first",
            actions=[Action.of("call_customer", purpose="confirm_email")],
            inputs=inputs,
        )
    if email_sent and email_received:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ob_email_received",
            reason="OB form: the customer has received the e-mail; unpark the case",
            actions=[Action.of("unpark")],
            inputs=inputs,
        )
    if email_sent:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ob_form_still_parked",
            reason="OB form: sent but not yet received by the customer; the case stays parked",
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="ob_form_parked",
        reason=(
            f"OB form: e-mail confirmed; share the {tat}-hour TAT and park the case until the "
            "customer has received the e-mail"
        ),
        actions=[
            Action.of("send_ob_form", tat_hours=tat),
            Action.of("park", until_event="ob_email_received"),
        ],
        inputs=inputs,
    )
