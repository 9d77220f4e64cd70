"""Pending customer action SOP (pending-customer-action.txt): follow-up tickets and deadlines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..actions import ActionKind
from ..calendar import BusinessCalendar
from ..decision import Action, Decision, make_decision, require_choice, require_date
from ..parameters import Policy

SOP = "Pending customer action SOP"

# The two flows of the SOP.
FLOW_FIRST_VISIT = "first_visit"  # the first visit was cancelled
FLOW_SECOND_APPOINTMENT = "second_appointment"  # inspection done, work incomplete, or painting
FLOWS: tuple[str, ...] = (FLOW_FIRST_VISIT, FLOW_SECOND_APPOINTMENT)

# Why a second (or later) appointment is needed.
SECOND_APPOINTMENT_REASONS: tuple[str, ...] = (
    "inspection_results",
    "incomplete_service",
    "painting",
)

# What a follow-up call ended with.
NO_ANSWER = "no_answer"
NEW_APPOINTMENT = "new_appointment"
DECLINED_WITH_ISSUE = "declined_with_issue"  # does not want the service and names a problem
DECLINED = "declined"  # does not want the service, no issue, no further follow-up wanted
WANTS_FOLLOWUP = "wants_followup"  # not now, but asks to be followed up
CALL_OUTCOMES: tuple[str, ...] = (
    NO_ANSWER,
    NEW_APPOINTMENT,
    DECLINED_WITH_ISSUE,
    DECLINED,
    WANTS_FOLLOWUP,
)

# Ticket statuses as the ticket system spells them.
STATUS_OPEN = "open"
STATUS_PENDING = "pending"
STATUS_WAITING_ON_CUSTOMER = "waiting on customer"
STATUS_WAITING_ON_THIRD_PARTY = "waiting on third party"
STATUS_RESOLVED = "resolved"

# The ticket view stages the SOP shows, plus the second-appointment hand-over to EO.
STAGE_CREATED = "created"  # "when CS cancel first visit"
STAGE_FIRST_ACTION = "first_action"  # "when CC put first action"
STAGE_NOT_REACHED = "not_reached"  # "when CC not reaches to CST again"
STAGE_RESOLVED = "resolved"  # "when CC take an action - create new visit to CST"
STAGE_ASSIGNED_TO_EO = "assigned_to_eo"  # second appointment set: "assign order to EO ... pending"
STAGES: tuple[str, ...] = (
    STAGE_CREATED,
    STAGE_FIRST_ACTION,
    STAGE_NOT_REACHED,
    STAGE_RESOLVED,
    STAGE_ASSIGNED_TO_EO,
)

CATEGORY = "follow up"
SUB_CATEGORY = "customer care"
TICKET_TYPE = "follow up"
TEAM_CUSTOMER_CARE = "customer care"
TEAM_ENGINEERING_OPERATIONS = "engineering operations"

# (status, priority, team) per stage, exactly as the SOP's views list them. The EO hand-over
# has no view in the SOP: status pending as the SOP says, priority medium like the other
# views after the customer has been reached.
_VIEWS: dict[str, tuple[str, str, str]] = {
    STAGE_CREATED: (STATUS_OPEN, "low", TEAM_CUSTOMER_CARE),
    STAGE_FIRST_ACTION: (STATUS_PENDING, "low", TEAM_CUSTOMER_CARE),
    STAGE_NOT_REACHED: (STATUS_WAITING_ON_CUSTOMER, "medium", TEAM_CUSTOMER_CARE),
    STAGE_RESOLVED: (STATUS_RESOLVED, "medium", TEAM_CUSTOMER_CARE),
    STAGE_ASSIGNED_TO_EO: (STATUS_PENDING, "medium", TEAM_ENGINEERING_OPERATIONS),
}


@dataclass(frozen=True)
class TicketView:
    """How a follow-up ticket must look at a stage (the SOP's "view of ticket")."""

    category: str
    sub_category: str
    type: str
    status: str
    area: str | None  # None: keep the ticket's own area
    priority: str
    team: str

    def as_action(self) -> Action:
        fields: dict[str, object] = {
            "category": self.category,
            "sub_category": self.sub_category,
            "type": self.type,
            "status": self.status,
            "priority": self.priority,
            "team": self.team,
        }
        if self.area is not None:
            fields["area"] = self.area
        return Action.of(ActionKind.SET_TICKET_VIEW, **fields)


def ticket_view(
    stage: str, area: str | None, policy: Policy, *, team: str | None = None
) -> TicketView:
    """The SOP's ticket view at a stage; `area` must be one of the policy's areas (any case)."""
    require_choice(stage, "stage", STAGES)
    canonical_area = None
    if area is not None:
        matches = [
            name
            for name in policy.params.followup_areas
            if name.casefold() == area.strip().casefold()
        ]
        if not matches:
            raise ValueError(f"area must be one of {policy.params.followup_areas}, got {area!r}")
        canonical_area = matches[0]
    status, priority, default_team = _VIEWS[stage]
    return TicketView(
        category=CATEGORY,
        sub_category=SUB_CATEGORY,
        type=TICKET_TYPE,
        status=status,
        area=canonical_area,
        priority=priority,
        team=team or default_team,
    )


# The SOP's call scripts, as checklists the console shows during a follow-up call.
FIRST_VISIT_CALL_SCRIPT: tuple[str, ...] = (
    "Greeting: welcome the customer, mention your name and the company name",
    "Recap all order details: service, price, other info if any",
    "Set a new appointment: at a time convenient for the customer, during working hours, "
    "with an available technician",
    "Closing: thank the customer for their time",
)
SECOND_APPOINTMENT_CALL_SCRIPT: tuple[str, ...] = (
    "Greeting: welcome the customer, mention your name and the company name",
    "Recap all order details: service, price, material, days of work, material fees and the "
    "material quotation (a statement of the order's materials, not a tax invoice)",
    "Set a new appointment: with an available technician; for more than one day of work, "
    "close the technician's days by mail to operations; write every agreement on the ticket "
    "and assign it to the right group",
    "Closing: thank the customer for their time",
)


def call_script(flow: str) -> tuple[str, ...]:
    """The checklist for a follow-up call in a flow."""
    require_choice(flow, "flow", FLOWS)
    return FIRST_VISIT_CALL_SCRIPT if flow == FLOW_FIRST_VISIT else SECOND_APPOINTMENT_CALL_SCRIPT


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


# The follow-up dispositions, named after the SOP step they record (the SOP gives the ticket
# view, not a tag path). For outcomes whose decision carries no tag of its own.
TAG_PREFIX = "Follow up >> Customer care >> "
OUTCOME_TAGS: dict[str, str] = {
    "waiting_on_customer": TAG_PREFIX + "No answer twice",
    "new_visit_resolved": TAG_PREFIX + "New appointment set",
    "assigned_to_eo": TAG_PREFIX + "Assigned to engineering operations",
    "complaint_and_resolved": TAG_PREFIX + "Complaint ticket created",
    "resolved_customer_declined": TAG_PREFIX + "Customer does not want the service",
    "cancel_and_recreate_visit": TAG_PREFIX + "New appointment set",
    "closed_waiting_on_customer": TAG_PREFIX + "No answer twice",
}


# Why a first visit was cancelled: the SOP's case one (the customer asked to cancel and be
# followed up) and case two (the technician did not find the customer at home).
FIRST_VISIT_CUSTOMER_CANCELLED = "customer_asked_to_reschedule"
FIRST_VISIT_CUSTOMER_NOT_FOUND = "customer_not_found"
FIRST_VISIT_REASONS = (FIRST_VISIT_CUSTOMER_CANCELLED, FIRST_VISIT_CUSTOMER_NOT_FOUND)
# The deadlines policy 14 checks on other teams.
DEADLINES = ("first_call", "close_ticket", "costing", "operations_handover", "material_booking")
