"""Pending customer action SOP: the deadlines, opening and closing the follow-up ticket,
and what each follow-up call leads to."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from ...actions import ActionKind
from ...calendar import BusinessCalendar
from ...decision import Action, Decision, make_decision, require_choice, require_date
from ...parameters import Policy
from .ticket import (
    CALL_OUTCOMES,
    DECLINED_WITH_ISSUE,
    FLOW_FIRST_VISIT,
    FLOW_SECOND_APPOINTMENT,
    FLOWS,
    NEW_APPOINTMENT,
    NO_ANSWER,
    SECOND_APPOINTMENT_REASONS,
    SOP,
    STAGE_ASSIGNED_TO_EO,
    STAGE_CREATED,
    STAGE_FIRST_ACTION,
    STAGE_NOT_REACHED,
    STAGE_RESOLVED,
    STATUS_OPEN,
    STATUS_RESOLVED,
    STATUS_WAITING_ON_CUSTOMER,
    STATUS_WAITING_ON_THIRD_PARTY,
    TEAM_ENGINEERING_OPERATIONS,
    WANTS_FOLLOWUP,
    ticket_view,
)

# --- deadlines -------------------------------------------------------------------------------
# The SOP counts these in elapsed time; only material booking says weekends and holidays
# are exceptions, so only it uses the business calendar.


def first_call_due(*, assigned_at: datetime, policy: Policy) -> datetime:
    """Customer support calls within followup_first_call_within_hours of the assignment."""
    return assigned_at + policy.params.duration(
        hours=policy.params.followup_first_call_within_hours
    )


def close_due(*, opened_at: datetime, policy: Policy) -> datetime:
    """A follow-up ticket is closed within followup_close_within_days."""
    return opened_at + policy.params.duration(days=policy.params.followup_close_within_days)


def costing_due(*, inspection_completed_at: datetime, policy: Policy) -> datetime:
    """The customer knows the cost within costing_known_within_hours of the inspection."""
    return inspection_completed_at + policy.params.duration(
        hours=policy.params.costing_known_within_hours
    )


def operations_handover_due(*, order_completed_at: datetime, policy: Policy) -> datetime:
    """Operations sends the pending-customer-action ticket within operations_handover_hours."""
    return order_completed_at + policy.params.duration(
        hours=policy.params.operations_handover_hours
    )


def material_booking_earliest(
    *,
    price_confirmed_at: datetime | date,
    calendar: BusinessCalendar,
    policy: Policy,
    operations_note_days: int | None = None,
) -> date:
    """The first day a material order may be booked: the delay after the customer confirms
    the material price, in business days (weekends and holidays skipped). An operations note
    may ask for more days, never more than material_booking_max_days."""
    params = policy.params
    confirmed_on = require_date(price_confirmed_at, "price_confirmed_at")
    # 24 hours is one business day; a delay that is not whole days rounds up to the next day.
    days = math.ceil(timedelta(hours=params.material_booking_delay_hours) / timedelta(days=1))
    if operations_note_days is not None:
        if isinstance(operations_note_days, bool) or operations_note_days < 0:
            raise ValueError("operations_note_days must be a non-negative integer")
        days = min(max(days, operations_note_days), params.material_booking_max_days)
    return calendar.add_business_days(confirmed_on, days)


# --- opening the ticket ---------------------------------------------------------------------


def decide_open_followup_ticket(
    *,
    flow: str,
    customer_has_order: bool,
    reason: str,
    area: str | None,
    policy: Policy,
    has_duplicate_ticket: bool = False,
    opened_at: datetime | None = None,
    order_completed_at: datetime | None = None,
) -> Decision:
    """Open a follow-up ticket (special case D: only for a customer with an order, else an
    opportunity ticket). A cancelled first visit is cancelled on the order system with its
    reason and any duplicate ticket is closed as waiting on third party.

    The ticket's clocks start: the first call within followup_first_call_within_hours, the
    close at followup_close_within_days (the system closes or escalates it then), and after
    an inspection the costing within costing_known_within_hours. A second-appointment ticket
    opened more than operations_handover_hours after the order was completed came late from
    operations: policy 14 escalates it to the direct manager."""
    require_choice(flow, "flow", FLOWS)
    if flow == FLOW_SECOND_APPOINTMENT:
        require_choice(reason, "reason", SECOND_APPOINTMENT_REASONS)
    inputs = {
        "flow": flow,
        "customer_has_order": customer_has_order,
        "reason": reason,
        "area": area,
        "has_duplicate_ticket": has_duplicate_ticket,
        "opened_at": opened_at,
        "order_completed_at": order_completed_at,
    }
    if not customer_has_order:
        return make_decision(
            policy,
            sop=SOP,
            outcome="opportunity_ticket",
            reason="special case D: the customer has no order, so open an opportunity ticket",
            actions=[Action.of(ActionKind.SET_TICKET_VIEW, type="opportunity", status=STATUS_OPEN)],
            refused=True,
            inputs=inputs,
        )
    hours = policy.params.followup_first_call_within_hours
    actions: list[Action] = []
    if flow == FLOW_FIRST_VISIT:
        actions.append(
            Action.of(ActionKind.CANCEL_BOOKING, code=reason, cancelled_by="customer_care")
        )
        if has_duplicate_ticket:
            actions.append(
                Action.of(
                    ActionKind.SET_STATUS, status=STATUS_WAITING_ON_THIRD_PARTY, ticket="duplicate"
                )
            )
    days = policy.params.followup_close_within_days
    actions += [
        ticket_view(STAGE_CREATED, area, policy).as_action(),
        Action.of(ActionKind.SCHEDULE_FOLLOWUP, at_hours=hours, purpose="first_call"),
        Action.of(ActionKind.START_CLOCK, clock=CLOCK_CLOSE, days=days),
    ]
    what = "first visit cancelled" if flow == FLOW_FIRST_VISIT else "second appointment needed"
    text = f"{what} ({reason}): open the follow-up ticket; first call within {hours} hours"
    text += f", closed within {days} days"
    outcome = "followup_ticket_opened"
    if flow == FLOW_SECOND_APPOINTMENT and reason == "inspection_results":
        costing = policy.params.costing_known_within_hours
        actions.append(
            Action.of(ActionKind.SCHEDULE_FOLLOWUP, at_hours=costing, purpose="costing_known")
        )
        text += f"; the costing known to the customer within {costing} hours"
    if flow == FLOW_SECOND_APPOINTMENT and opened_at and order_completed_at:
        due = operations_handover_due(order_completed_at=order_completed_at, policy=policy)
        if opened_at > due:
            late = decide_deadline_check(
                what="operations_handover", due_at=due, now=opened_at, done=False, policy=policy
            )
            actions += late.actions
            text += f"; operations handed it over late (due {due.isoformat()}): escalate"
            outcome = "followup_ticket_opened_handover_late"
    return make_decision(
        policy, sop=SOP, outcome=outcome, reason=text, actions=actions, inputs=inputs
    )


# The SOP clocks the system keeps on a follow-up ticket (START_CLOCK's `clock`).
CLOCK_CLOSE = "followup_close"


def decide_close_due(*, ticket_status: str, policy: Policy) -> Decision:
    """The 7-day close falls due ("the ticket is closed during 7 days"). A ticket waiting on
    the customer (not reached twice) is resolved; one still open (nobody reached the
    customer) takes the not-reached view: waiting on customer, priority medium. One still
    pending (with engineering operations) is late work of another team: escalated to the
    direct manager (policy 14). A resolved ticket needs nothing."""
    days = policy.params.followup_close_within_days
    inputs = {"ticket_status": ticket_status}
    if ticket_status == STATUS_RESOLVED:
        return make_decision(
            policy,
            sop=SOP,
            outcome="closed_in_time",
            reason=f"resolved within {days} days",
            inputs=inputs,
        )
    late = Action.of(
        ActionKind.ESCALATE,
        to="direct_manager_or_shift_leader",
        reason=f"follow-up ticket not closed within {days} days",
    )
    if ticket_status == STATUS_WAITING_ON_CUSTOMER:
        return make_decision(
            policy,
            sop=SOP,
            outcome="closed_waiting_on_customer",
            reason=f"{days} days: the customer was not reached; the ticket is closed",
            actions=[Action.of(ActionKind.SET_STATUS, status=STATUS_RESOLVED)],
            inputs=inputs,
        )
    if ticket_status == STATUS_OPEN:
        return make_decision(
            policy,
            sop=SOP,
            outcome="not_closed_waiting_on_customer",
            reason=(
                f"{days} days and the customer was never reached: waiting on customer, "
                "priority medium"
            ),
            actions=[ticket_view(STAGE_NOT_REACHED, None, policy).as_action()],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="not_closed_escalated",
        reason=f"{days} days and the ticket is still {ticket_status}: escalated as late",
        actions=[late],
        inputs=inputs,
    )


# --- after each call --------------------------------------------------------------------------


def after_call_attempt(
    *,
    flow: str,
    attempts: Sequence[tuple[date, str]],
    outcome: str,
    at: datetime,
    calendar: BusinessCalendar,
    material_needed: bool,
    policy: Policy,
    area: str | None = None,
    operations_note_days: int | None = None,
    new_appointment_at: datetime | None = None,
) -> Decision:
    """The next step after a follow-up call.

    With a new appointment, `new_appointment_at` is the time agreed with the customer; an
    order that needs material may not be booked before material_booking_earliest (a
    ValueError, i.e. a 400, names the first allowed day).

    `attempts` are the earlier calls, (day, outcome), not including this one (`outcome` at
    `at`). No-answers count once per day: the customer is given up on after
    followup_max_attempts no-answers on different days ("twice during two following days"),
    and the next attempt is on the next business day.
    """
    require_choice(flow, "flow", FLOWS)
    require_choice(outcome, "outcome", CALL_OUTCOMES)
    for day, earlier in attempts:
        require_date(day, "attempt day")
        require_choice(earlier, "attempt outcome", CALL_OUTCOMES)
    params = policy.params
    today = at.date()
    first_visit = flow == FLOW_FIRST_VISIT
    inputs = {
        "flow": flow,
        "attempts": tuple(attempts),
        "outcome": outcome,
        "at": at,
        "material_needed": material_needed,
        "area": area,
        "operations_note_days": operations_note_days,
        "new_appointment_at": new_appointment_at,
    }

    def decide(code: str, reason: str, actions: list[Action]) -> Decision:
        return make_decision(
            policy, sop=SOP, outcome=code, reason=reason, actions=actions, inputs=inputs
        )

    def next_attempt(why: str) -> Decision:
        next_day = calendar.next_business_day(today)
        return decide(
            "next_attempt_scheduled",
            f"{why}; call again on the next business day, {next_day}",
            [
                Action.of(
                    ActionKind.SCHEDULE_FOLLOWUP,
                    due_in_days=(next_day - today).days,
                    due_on=next_day,
                ),
                ticket_view(STAGE_FIRST_ACTION, area, policy).as_action(),
            ],
        )

    def close_order(code: str) -> Action:
        # First visit: cancel the order. Second appointment: ask operations (by mail) to
        # convert the order from reschedule to complete.
        if first_visit:
            return Action.of(ActionKind.CANCEL_BOOKING, code=code, cancelled_by="customer_care")
        return Action.of(
            ActionKind.CONVERT_ORDER, from_status="reschedule", to_status="complete", via="mail"
        )

    if outcome == NO_ANSWER:
        days = sorted({day for day, earlier in attempts if earlier == NO_ANSWER} | {today})
        limit = params.followup_max_attempts
        if len(days) < limit:
            return next_attempt(f"no answer ({len(days)} of {limit} days without an answer)")
        listed = ", ".join(str(day) for day in days)
        then = "cancel the order" if first_visit else "mail to convert the order to complete"
        return decide(
            "waiting_on_customer",
            f"no answer on {len(days)} different days ({listed}), the limit is {limit}: {then} "
            "and set the ticket to waiting on customer",
            [
                close_order("customer_not_reachable"),
                ticket_view(STAGE_NOT_REACHED, area, policy).as_action(),
            ],
        )
    if outcome == WANTS_FOLLOWUP:
        return next_attempt("the customer asks to be followed up")
    if outcome == NEW_APPOINTMENT:
        when = {"at": new_appointment_at} if new_appointment_at is not None else {}
        if first_visit:
            return decide(
                "new_visit_resolved",
                "new appointment set: create the new visit and resolve the ticket",
                [
                    Action.of(ActionKind.CREATE_VISIT, **when),
                    ticket_view(STAGE_RESOLVED, area, policy).as_action(),
                ],
            )
        visit = Action.of(ActionKind.CREATE_VISIT, **when)
        reason = "second appointment set: create the new visit and assign the order to EO"
        team = TEAM_ENGINEERING_OPERATIONS
        if material_needed:
            earliest = material_booking_earliest(
                price_confirmed_at=at,
                calendar=calendar,
                policy=policy,
                operations_note_days=operations_note_days,
            )
            if new_appointment_at is not None and new_appointment_at.date() < earliest:
                raise ValueError(
                    f"new_appointment_at: the order needs material, so the visit may not be "
                    f"booked before {earliest} ({params.material_booking_delay_hours} hours "
                    "after the material price was confirmed, business days only)"
                )
            visit = Action.of(ActionKind.CREATE_VISIT, earliest_on=earliest, **when)
            team = f"{TEAM_ENGINEERING_OPERATIONS} / {params.material_orders_eo_contact}"
            reason += (
                f" ({params.material_orders_eo_contact}, material needed: book no earlier than "
                f"{earliest}, business days only)"
            )
        else:
            reason += " (no material: book any time a technician is available)"
        return decide(
            "assigned_to_eo",
            reason + ", ticket pending",
            [
                visit,
                Action.of(ActionKind.ASSIGN_TEAM, team=team),
                ticket_view(STAGE_ASSIGNED_TO_EO, area, policy, team=team).as_action(),
            ],
        )
    # DECLINED or DECLINED_WITH_ISSUE: the customer no longer wants the service.
    then = "cancel the order" if first_visit else "mail to convert the order to complete"
    actions = [
        close_order("customer_declined"),
        ticket_view(STAGE_RESOLVED, area, policy).as_action(),
    ]
    if outcome == DECLINED_WITH_ISSUE:
        actions.insert(
            0, Action.of(ActionKind.CREATE_COMPLAINT_TICKET, subject="follow-up: customer issue")
        )
        return decide(
            "complaint_and_resolved",
            f"the customer does not want the service because of an issue: open a complaint "
            f"ticket to solve it, {then} and resolve",
            actions,
        )
    return decide(
        "resolved_customer_declined",
        f"the customer does not want the service nor further follow-up: {then} and resolve",
        actions,
    )


def decide_deadline_check(
    *, what: str, due_at: datetime, now: datetime, done: bool, policy: Policy
) -> Decision:
    """Policy 14: lateness by another team (hand-over, costing, ...) goes to your direct
    manager or shift leader."""
    inputs = {"what": what, "due_at": due_at, "now": now, "done": done}
    if done or now <= due_at:
        return make_decision(
            policy,
            sop=SOP,
            outcome="on_time",
            reason=f"{what}: done or not yet due (due {due_at.isoformat()})",
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="late_escalated",
        reason=f"{what}: overdue since {due_at.isoformat()}; escalate to the direct manager",
        actions=[
            Action.of(
                ActionKind.ESCALATE, to="direct_manager_or_shift_leader", reason=f"{what} overdue"
            )
        ],
        inputs=inputs,
    )
