"""Pending customer action SOP: the other rules and special cases (reopening, an order
completed wrongly, a visit time change, deadline checks on other teams)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_date
from ...parameters import Policy
from .ticket import (
    SOP,
    STATUS_RESOLVED,
    STATUS_WAITING_ON_CUSTOMER,
    TEAM_ENGINEERING_OPERATIONS,
)

# --- other rules and special cases ------------------------------------------------------------


def may_reopen(
    *, ticket_status: str, appointment_day: date, today: date, policy: Policy
) -> Decision:
    """Policy 17 / special case F: reopen only a ticket left waiting on customer, and only
    from waiting_on_customer_reopen_days after the appointment day (day 29 no, day 30 yes)."""
    needed = policy.params.waiting_on_customer_reopen_days
    elapsed = (require_date(today, "today") - require_date(appointment_day, "appointment_day")).days
    inputs = {"ticket_status": ticket_status, "appointment_day": appointment_day, "today": today}
    if ticket_status != STATUS_WAITING_ON_CUSTOMER:
        return make_decision(
            policy,
            sop=SOP,
            outcome="reopen_refused_status",
            reason=f"only a ticket waiting on customer can be reopened, not {ticket_status!r}",
            refused=True,
            inputs=inputs,
        )
    if elapsed < needed:
        return make_decision(
            policy,
            sop=SOP,
            outcome="reopen_refused_too_early",
            reason=(
                f"{elapsed} days since the appointment on {appointment_day}; reopening needs "
                f"{needed}"
            ),
            refused=True,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="reopen_allowed",
        reason=f"{elapsed} days since the appointment on {appointment_day} (at least {needed})",
        actions=[Action.of(ActionKind.REOPEN_BOOKING, reason="waiting_on_customer_follow_up")],
        inputs=inputs,
    )


def decide_completed_wrongly(*, policy: Policy, missing_services: Sequence[str] = ()) -> Decision:
    """Special case A: an order completed by mistake that the customer wants continued."""
    return make_decision(
        policy,
        sop=SOP,
        outcome="complaint_for_eo_and_convert",
        reason=(
            "special case A: the order was completed wrongly; open a complaint for EO to find "
            "the missing services and convert the order from complete to reschedule"
        ),
        actions=[
            Action.of(
                ActionKind.CREATE_COMPLAINT_TICKET,
                team=TEAM_ENGINEERING_OPERATIONS,
                subject="missing services",
                missing_services=tuple(missing_services),
            ),
            Action.of(
                ActionKind.CONVERT_ORDER, from_status="complete", to_status="reschedule", via="mail"
            ),
        ],
        inputs={"missing_services": tuple(missing_services)},
    )


def decide_visit_time_change(
    *, visit_start: datetime, change_requested_at: datetime, policy: Policy
) -> Decision:
    """Special case C: a change within reschedule_change_window_minutes of the visit start
    (boundary included, or after the start) cancels the visit and creates a new one, and the
    pending-customer-action tickets are closed; earlier changes are ordinary reschedules."""
    window = timedelta(minutes=policy.params.reschedule_change_window_minutes)
    lead = visit_start - change_requested_at
    minutes = lead / timedelta(minutes=1)
    window_minutes = window / timedelta(minutes=1)
    inputs = {"visit_start": visit_start, "change_requested_at": change_requested_at}
    if lead <= window:
        return make_decision(
            policy,
            sop=SOP,
            outcome="cancel_and_recreate_visit",
            reason=(
                f"special case C: the change comes {minutes:.0f} minutes before the start, within "
                f"{window_minutes:.0f}; cancel the visit, create a new one and close "
                "the pending customer action tickets"
            ),
            actions=[
                Action.of(
                    ActionKind.CANCEL_BOOKING,
                    code="visit_time_changed",
                    cancelled_by="customer_care",
                ),
                Action.of(ActionKind.CREATE_VISIT),
                Action.of(
                    ActionKind.SET_STATUS, status=STATUS_RESOLVED, ticket="pending_customer_action"
                ),
            ],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="reschedule_visit",
        reason=(
            f"the change comes {minutes:.0f} minutes before the start, outside the "
            f"{window_minutes:.0f}-minute window; reschedule the visit"
        ),
        actions=[Action.of(ActionKind.RESCHEDULE_BOOKING, remarks="visit time changed")],
        inputs=inputs,
    )
