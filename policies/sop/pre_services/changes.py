"""Pre-services SOP: changes to an existing request, reschedules and a preferred professional."""

from __future__ import annotations

from datetime import datetime

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_choice
from ...parameters import Policy
from .common import (
    CALENDAR_FREE,
    CALENDAR_STATUSES,
    CALENDAR_WORKING,
    SOP,
)


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
                Action.of(ActionKind.CALL_PARTNER, purpose="deliver_changed_request"),
                Action.of(ActionKind.PARK, until_event="job_delivered"),
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
        actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="place_fresh_booking")],
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
    actions = [Action.of(ActionKind.RESCHEDULE_BOOKING, preferred_slot=preferred_slot)]
    reason = f"reschedule to the customer's confirmed slot {preferred_slot.isoformat()}"
    outcome = "rescheduled"
    if different_pro_requested:
        outcome = "rescheduled_with_different_pro"
        if booking_auto_accepted:
            actions.append(Action.of(ActionKind.CALL_PARTNER, purpose="mark_leave_for_slot"))
            reason += "; the booking is auto-accepted, so ask the partner to mark leave for it"
        else:
            actions.append(Action.of(ActionKind.CALL_PARTNER, purpose="do_not_pick_up_booking"))
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
                    ActionKind.ESCALATE,
                    to="/".join(contacts),
                    reason="preferred professional tech issue",
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
            actions=[
                Action.of(
                    ActionKind.CALL_CUSTOMER, purpose="ask_professional_name_and_last_booking"
                )
            ],
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
            actions=[Action.of(ActionKind.ASSIGN_PARTNER, preferred=False)],
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
                Action.of(ActionKind.CALL_PARTNER, purpose="accept_booking"),
                Action.of(ActionKind.ASSIGN_PARTNER, preferred=True),
                Action.of(ActionKind.SCHEDULE_FOLLOWUP, until_event="partner_assigned"),
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
        actions=[Action.of(ActionKind.ASSIGN_PARTNER, preferred=False)],
        inputs=inputs,
    )
