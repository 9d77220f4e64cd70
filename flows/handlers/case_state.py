"""Handlers that move the case itself: its status, priority, team, the SOP's ticket view,
parking and the follow-up due time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from cases import services as case_services
from cases.catalog import FOLLOW_UP_KINDS, Team
from cases.models import Case, CaseStatus, Priority
from policies.decision import Action

from ..decision_run import DecisionRun, status_path

# SOP ticket statuses (pending-customer-action SOP, revisit SOP) as case states.
STATUS_OF_TICKET: dict[str, str] = {
    "open": CaseStatus.OPEN,
    "pending": CaseStatus.PENDING,
    "waiting on customer": CaseStatus.WAITING_ON_CUSTOMER,
    "waiting on third party": CaseStatus.WAITING_ON_THIRD_PARTY,
    "resolved": CaseStatus.RESOLVED,
}

# The teams the SOPs name, as the catalog's teams.
TEAM_OF_NAME: dict[str, str] = {
    "customer care": Team.CUSTOMER_CARE,
    "customer_care": Team.CUSTOMER_CARE,
    "engineering operations": Team.ENGINEERING_OPS,
    "eo": Team.ENGINEERING_OPS,
    "partner support": Team.PARTNER_SUPPORT,
    "finance": Team.FINANCE,
    "escalations": Team.ESCALATIONS,
    "trainer": Team.TRAINING,
}


def team_named(name: str) -> str | None:
    """The catalog team an SOP's team name means, or None."""
    key = name.split("/")[0].strip().casefold()
    if key in Team.values:
        return key
    return TEAM_OF_NAME.get(key)


def set_status(run: DecisionRun, action: Action) -> None:
    """Move the case to the SOP's ticket status through the decision-allowed transitions."""
    ticket = action.param("ticket")
    # "Close the duplicated ticket" is about another ticket; "close the pending customer
    # action tickets" includes this one when it is a follow-up ticket.
    target = STATUS_OF_TICKET.get(str(action.param("status")))
    if target is None:
        raise LookupError(f"No case status for the SOP's ticket status {action.param('status')!r}.")
    if ticket == "duplicate":
        _move_duplicates(run, action, target)
        return
    if ticket and not (ticket == "pending_customer_action" and run.case.kind in FOLLOW_UP_KINDS):
        raise LookupError(f"No case for the SOP's {ticket!r} ticket.")
    steps = run.move_to(target)
    run.done(action, "applied" if steps else "already_done", transitions=steps)


def set_priority(run: DecisionRun, action: Action) -> None:
    """Set the case's priority."""
    priority = str(action.param("priority"))
    if priority not in Priority.values:
        raise LookupError(f"Unknown priority {priority!r}.")
    changed = run.change({"priority": priority})
    run.done(action, "applied" if changed else "already_done")


def assign_team(run: DecisionRun, action: Action) -> None:
    """Hand the case to the team the SOP names."""
    team = team_named(str(action.param("team")))
    if team is None:
        raise LookupError(f"No team named {action.param('team')!r}.")
    changed = run.change({"team": team})
    run.done(action, "applied" if changed else "already_done", team_code=team)


def set_ticket_view(run: DecisionRun, action: Action) -> None:
    """The SOP's ticket view: priority and team are case fields, the status a state;
    category, sub-category, type and area are kept on the decision."""
    changes: dict[str, Any] = {}
    priority = action.param("priority")
    if priority in Priority.values:
        changes["priority"] = priority
    team = team_named(str(action.param("team") or ""))
    if team is not None:
        changes["team"] = team
    changed = run.change(changes)
    steps: list[str] = []
    target = STATUS_OF_TICKET.get(str(action.param("status")))
    if target is not None:
        steps = run.move_to(target)
    run.done(
        action,
        "applied" if changed or steps else "already_done",
        changed=sorted(changed),
        transitions=steps,
    )


def park(run: DecisionRun, action: Action) -> None:
    """Park the case for the hours the SOP names, or until its event's wake-up time."""
    case = run.case
    if case.status == CaseStatus.PARKED:
        run.done(action, "already_done", parked_until=case.parked_until)
        return
    hours = action.param("hours")
    event = action.param("until_event")
    until = run.clock_end("park", hours=hours) if hours is not None else park_horizon(run, event)
    if until is None or until <= run.now:
        # An event with no time to wake up at (a job already due): the case stays where it
        # is and someone checks on the event.
        what = str(event or "the event").replace("_", " ")
        run.add_task(action, f"Check on {what} and unpark or resolve the case")
        return
    if event is not None:
        # The park ends at the event's deadline: someone checks on it then.
        what = str(event).replace("_", " ")
        run.add_task(action, f"Park ends: check on {what}", due_at=until)
    if case.status not in (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING):
        run.move_to(CaseStatus.OPEN)
    run.step("park", {"parked_until": until})
    run.done(action, parked_until=until, until_event=event)


def park_horizon(run: DecisionRun, event: object) -> datetime | None:
    """When an event park wakes up to check on the event."""
    if event == "ob_email_received":
        return run.clock_end("ob_form", hours=run.policy.params.ob_form_tat_hours)
    if event == "job_delivered" and run.case.booking is not None:
        return run.case.booking.booking_time
    return None


def unpark(run: DecisionRun, action: Action) -> None:
    """Return a parked case to the open queue."""
    if run.case.status != CaseStatus.PARKED:
        run.done(action, "already_done")
        return
    run.step("unpark")
    run.done(action)


def schedule_followup(run: DecisionRun, action: Action) -> None:
    """Set the case's due time for the next follow-up."""
    hours = action.param("at_hours")
    due_on = action.param("due_on")
    if hours is not None:
        due = run.clock_end(str(action.param("purpose") or "follow_up"), hours=hours)
    elif isinstance(due_on, date):
        due = datetime.combine(due_on, time(23, 59, 59), tzinfo=run.zone)
    else:
        _follow_up_task(run, action)
        return
    run.change({"due_at": due})
    purpose = str(action.param("purpose") or "follow-up call")
    title = FOLLOW_UP_TITLES.get(purpose) or f"Call the customer: {purpose.replace('_', ' ')}"
    run.add_task(action, title, due_at=due)


# Follow-ups that are not a call to the customer, by the SOP's purpose.
FOLLOW_UP_TITLES = {
    "call_partner_confirm_outcome": "Call the partner and confirm the resolution",
    "costing_known": "Give the customer the costing (after the inspection)",
    "product_returned": "Check the product taken for repair is back with the customer",
}


def start_clock(run: DecisionRun, action: Action) -> None:
    """Set an SOP clock the system keeps on the case (the sweep carries out what is due when
    it runs out); one pending clock of a kind per case."""
    clock = str(action.param("clock"))
    due = run.clock_end(clock, days=action.param("days") or 0, hours=action.param("hours") or 0)
    started = case_services.start_clock(
        run.case, kind=clock, due_at=due, policy_version=run.decision.policy_version
    )
    run.done(action, "applied" if started else "already_done", clock=clock, due_at=due)


def _follow_up_task(run: DecisionRun, action: Action) -> None:
    """A follow-up with no clock of its own: until the partner is assigned, or once during a
    painting order."""
    if action.param("until_event") == "partner_assigned":
        run.add_task(action, "Follow up until the professional is assigned to the booking")
        return
    during = str(action.param("during") or "the order").replace("_", " ")
    count = action.param("count") or 1
    booking = run.case.booking
    due = booking.booking_time + timedelta(days=1) if booking is not None else None
    run.add_task(action, f"Follow the customer up {count} time(s) during {during}", due_at=due)


def _move_duplicates(run: DecisionRun, action: Action, target: str) -> None:
    """ "Close the duplicated ticket ... with status waiting on third party": the other open
    follow-up cases of the same booking go to the SOP's status, each through the one
    transition path."""
    booking_id = run.case.booking_id
    duplicates = (
        Case.objects.filter(booking_id=booking_id, kind__in=FOLLOW_UP_KINDS)
        .exclude(pk=run.case.pk)
        .exclude(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
        .values_list("pk", "status")
        if booking_id
        else []
    )
    moved = []
    for case_id, status in duplicates:
        for name in status_path(status, target) or []:
            case_services.transition_case(
                case_id=case_id,
                name=name,
                actor=run.actor,
                reason=f"{run.reason}: duplicate of case #{run.case.pk}",
                role_checked=run.role_checked,
                policy_version=run.decision.policy_version,
            )
        moved.append(case_id)
    run.done(action, "applied" if moved else "no_duplicate", cases=moved)
