"""Pre-services SOP: edits of personal details, enquiries, unable to book, the OB form."""

from __future__ import annotations

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_choice
from ...parameters import Policy
from .common import (
    PERSONAL_DETAILS,
    SOP,
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
                Action.of(ActionKind.CALL_CUSTOMER, purpose="explain_details_cannot_be_edited"),
                Action.of(ActionKind.CALL_PARTNER, purpose="deliver_to_required_address"),
                Action.of(
                    ActionKind.PARTNER_BONUS, amount=bonus, reason="delivered_at_changed_address"
                ),
            ],
            refused=True,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="edit_refused",
        reason=f"personal details ({detail}) cannot be edited; inform the customer",
        actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="explain_details_cannot_be_edited")],
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
            actions=[
                Action.of(ActionKind.CALL_CUSTOMER, purpose="assist_booking_with_running_offers")
            ],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="guide_booking_later",
        reason="enquiry: the customer books later; guide them the same way",
        actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="guide_booking_with_running_offers")],
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
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="update_app_and_retry")],
            inputs=inputs,
        )
    if (not service_available or not professionals_available) and not alternate_service_suggested:
        return make_decision(
            policy,
            sop=SOP,
            outcome="suggest_alternate_service",
            reason="unable to book: no professionals available; suggest an alternate service",
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="suggest_alternate_service")],
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
            Action.of(ActionKind.REQUEST_IMAGES, what="screenshot", from_party="customer"),
            Action.of(
                ActionKind.ESCALATE,
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
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="confirm_email")],
            inputs=inputs,
        )
    if email_sent and email_received:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ob_email_received",
            reason="OB form: the customer has received the e-mail; unpark the case",
            actions=[Action.of(ActionKind.UNPARK)],
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
            Action.of(ActionKind.SEND_OB_FORM, tat_hours=tat),
            Action.of(ActionKind.PARK, until_event="ob_email_received"),
        ],
        inputs=inputs,
    )
