"""L1 SOP scenario 1: the customer asks for the status of the service (1.1 cancelled, 1.2
open, 1.3 cancelled or completed, inside or after the warranty)."""

from __future__ import annotations

from datetime import date

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_choice
from ...parameters import Policy
from ..revisits import days_since_service
from .common import (
    CLOSED_COMPLAINTS,
    COMPLAINT_TECHNICIAN,
    CUSTOMER_AGREES,
    CUSTOMER_RESPONSES,
    OPEN_ALLOCATED,
    OPEN_CUSTOMER_NOT_RESPONDING,
    OPEN_CUSTOMER_RESCHEDULE,
    OPEN_STATUSES,
    OPEN_TECHNICIAN_RESCHEDULE,
    SOP,
    TAG_CANCELLATION_OF_SERVICE_RESOLVED,
    TAG_ENQUIRY_CANCELLATION,
    TAG_ENQUIRY_TAT_SPD,
    TAG_FAKE_CLOSURE,
    TAG_FAKE_STATUS_BY_TECHNICIAN,
    TAG_IMPROPER_INSTALLATION,
    TAG_OUT_OF_SPD,
    TAG_POST_POLICY_DENIAL,
    TAG_REOPEN,
    complaint_action,
    reschedule_action,
)


def decide_status_check_cancelled(*, policy: Policy) -> Decision:
    """1.1 Status check, ticket cancelled: explain the cancellation."""
    return make_decision(
        policy,
        sop=SOP,
        outcome="cancellation_explained",
        reason="1.1 status check on a cancelled ticket: enquiry about the cancellation, resolved",
        actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="explain_cancellation")],
        tag=TAG_ENQUIRY_CANCELLATION,
    )


def decide_status_check_open(
    *,
    open_status: str,
    policy: Policy,
    customer_response: str | None = None,
    spd_breached: bool = False,
    reschedule_date_breached: bool = False,
    customer_wants_new_date: bool = False,
    customer_wants_to_cancel: bool = False,
    preferred_date: date | None = None,
) -> Decision:
    """1.2 Status check, ticket open: by the open sub-status, SPD and the customer's answer."""
    require_choice(open_status, "open_status", OPEN_STATUSES)
    if customer_response is not None:
        require_choice(customer_response, "customer_response", CUSTOMER_RESPONSES)
    inputs = {
        "open_status": open_status,
        "customer_response": customer_response,
        "spd_breached": spd_breached,
        "reschedule_date_breached": reschedule_date_breached,
        "customer_wants_new_date": customer_wants_new_date,
        "customer_wants_to_cancel": customer_wants_to_cancel,
        "preferred_date": preferred_date,
    }

    def decide(outcome: str, reason: str, actions: list[Action], tag: str | None) -> Decision:
        return make_decision(
            policy,
            sop=SOP,
            outcome=outcome,
            reason=f"1.2 open ticket ({open_status.replace('_', ' ')}): {reason}",
            actions=actions,
            tag=tag,
            inputs=inputs,
        )

    def needs_response() -> str:
        if customer_response is None:
            raise ValueError(f"customer_response is needed for open status {open_status!r}")
        return customer_response

    if customer_wants_to_cancel:
        return decide(
            "cancelled_on_request",
            "the customer wants to cancel the installation/maintenance service",
            [
                Action.of(
                    ActionKind.CANCEL_BOOKING, code="Cancellation of service", cancelled_by="agent"
                )
            ],
            TAG_CANCELLATION_OF_SERVICE_RESOLVED,
        )
    if open_status == OPEN_CUSTOMER_NOT_RESPONDING:
        # The note applies whatever the answer: an alternative number stops it happening again.
        alternative = Action.of(ActionKind.CALL_CUSTOMER, purpose="collect_alternative_number")
        if needs_response() == CUSTOMER_AGREES:
            # The SOP gives no tag here; the customer admits missing the technician, so the
            # service is rescheduled like the other "customer agrees" leaves.
            return decide(
                "rescheduled_after_no_response",
                "the customer agrees they did not respond; reschedule to the preferred date and "
                "take an alternative number (the SOP gives no tag for this leaf)",
                [alternative, reschedule_action(preferred_date)],
                None,
            )
        return decide(
            "fake_closure_complaint",
            "the customer disagrees / claims a fake update; complaint for fake closure",
            [alternative, complaint_action(TAG_FAKE_CLOSURE)],
            TAG_FAKE_CLOSURE,
        )
    if open_status == OPEN_CUSTOMER_RESCHEDULE:
        if not reschedule_date_breached:
            return decide(
                "rescheduled",
                "the reschedule date is not breached; reschedule to the preferred date",
                [reschedule_action(preferred_date)],
                None,
            )
        if needs_response() == CUSTOMER_AGREES:
            return decide(
                "rescheduled_after_breach",
                "the reschedule date is breached and the customer agrees; reschedule",
                [reschedule_action(preferred_date)],
                None,
            )
        return decide(
            "fake_status_complaint",
            "the reschedule date is breached and the customer calls the update fake",
            [complaint_action(TAG_FAKE_STATUS_BY_TECHNICIAN)],
            TAG_FAKE_STATUS_BY_TECHNICIAN,
        )
    if open_status == OPEN_TECHNICIAN_RESCHEDULE or spd_breached:
        return decide(
            "delay_out_of_spd",
            "technician reschedule"
            if open_status == OPEN_TECHNICIAN_RESCHEDULE
            else "the SPD is breached",
            [complaint_action(TAG_OUT_OF_SPD)],
            TAG_OUT_OF_SPD,
        )
    if open_status == OPEN_ALLOCATED:
        # The SOP gives only the reschedule path for an allocated job inside its SPD.
        return decide(
            "rescheduled",
            "the SPD is not breached; reschedule to the preferred date",
            [reschedule_action(preferred_date)],
            None,
        )
    # Created / vendor-offload, SPD not breached.
    if customer_wants_new_date:
        return decide(
            "rescheduled",
            "the SPD is not breached and the customer asks for a new date; reschedule",
            [reschedule_action(preferred_date)],
            None,
        )
    return decide(
        "tat_spd_explained",
        "the SPD is not breached and the customer agrees with the rescheduled date",
        [Action.of(ActionKind.CALL_CUSTOMER, purpose="confirm_spd")],
        TAG_ENQUIRY_TAT_SPD,
    )


def decide_status_check_closed(
    *,
    service_date: date,
    contacted_on: date,
    complaint: str,
    customer_agrees: bool,
    policy: Policy,
) -> Decision:
    """1.3 Ticket cancelled/completed and the customer complains: inside the service warranty
    (day 30 inclusive) reopen or log the complaint; after it, deny as post policy."""
    require_choice(complaint, "complaint", CLOSED_COMPLAINTS)
    days = days_since_service(service_date=service_date, on=contacted_on)
    warranty = policy.params.warranty_days
    inputs = {
        "service_date": service_date,
        "contacted_on": contacted_on,
        "complaint": complaint,
        "customer_agrees": customer_agrees,
    }
    what = (
        "the service technician's work"
        if complaint == COMPLAINT_TECHNICIAN
        else "issues with the product after the service"
    )
    if days > warranty:
        return make_decision(
            policy,
            sop=SOP,
            outcome="post_policy_service_denial",
            reason=(
                f"1.3 complaint about {what} {days} days after the service on {service_date}, "
                f"post the {warranty}-day service warranty"
            ),
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="explain_warranty_expired")],
            tag=TAG_POST_POLICY_DENIAL,
            refused=True,
            inputs=inputs,
        )
    inside = f"1.3 complaint about {what} on day {days} of the {warranty}-day service warranty"
    if customer_agrees:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ticket_reopened",
            reason=f"{inside}; the customer agrees, reopen the ticket",
            actions=[Action.of(ActionKind.REOPEN_BOOKING, reason=complaint)],
            tag=TAG_REOPEN,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="improper_installation_complaint",
        reason=f"{inside}; the customer disagrees, log an improper installation complaint",
        actions=[complaint_action(TAG_IMPROPER_INSTALLATION)],
        tag=TAG_IMPROPER_INSTALLATION,
        inputs=inputs,
    )
