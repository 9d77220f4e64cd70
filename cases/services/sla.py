"""SLA clocks on the case row: started when a case opens, paused while it waits, resumed with
the time it had left, stopped when it is resolved, restarted when it is reopened. The
arithmetic is policies.sla (pure); this module reads the policy version and the region's
working calendar, and writes the result onto the case (the caller saves it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.roles import User
from partners.selectors import region_id_of_city, working_calendar
from policies import sla
from policies.business_time import WorkingCalendar
from policies.parameters import Policy
from policies.selectors import policy_by_version, policy_in_force

from ..models import Case, CaseStatus

S = CaseStatus
# The clock stands still while the case waits on someone else.
PAUSED_STATES = frozenset({S.PENDING, S.PARKED, S.WAITING_ON_CUSTOMER, S.WAITING_ON_THIRD_PARTY})
STOPPED_STATES = frozenset({S.RESOLVED, S.CLOSED})

# The case columns the clocks live in (the transition path saves them when they change).
SLA_FIELDS = (
    "sla_version",
    "calendar_version",
    "first_response_due_at",
    "resolution_due_at",
    "warn_at",
    "next_deadline_at",
    "paused_since",
    "paused_seconds",
    "first_responded_at",
    "sla_warned_at",
    "first_response_breached_at",
    "resolution_breached_at",
)


def clocks_of(case: Case) -> sla.SlaClocks:
    """The clocks as stored on the row."""
    return sla.SlaClocks(
        first_response_due_at=case.first_response_due_at,
        resolution_due_at=case.resolution_due_at,
        warn_at=case.warn_at,
        first_responded_at=case.first_responded_at,
        paused_since=case.paused_since,
        paused_seconds=case.paused_seconds,
        warned_at=case.sla_warned_at,
        first_response_breached_at=case.first_response_breached_at,
        resolution_breached_at=case.resolution_breached_at,
        stopped=case.status in STOPPED_STATES,
    )


def put(case: Case, clocks: sla.SlaClocks) -> None:
    """Write the clocks onto the case (not saved) with the next deadline they give."""
    case.first_response_due_at = clocks.first_response_due_at
    case.resolution_due_at = clocks.resolution_due_at
    case.warn_at = clocks.warn_at
    case.first_responded_at = clocks.first_responded_at
    case.paused_since = clocks.paused_since
    case.paused_seconds = round(clocks.paused_seconds)
    case.sla_warned_at = clocks.warned_at
    case.first_response_breached_at = clocks.first_response_breached_at
    case.resolution_breached_at = clocks.resolution_breached_at
    case.next_deadline_at = clocks.next_deadline


def calendar_of(case: Case, at: datetime) -> WorkingCalendar:
    """The working calendar of the case's region as in force at `at`."""
    calendar = working_calendar(region_id_of_city(case.city_id), at)
    case.calendar_version = calendar.version
    return calendar


def policy_of(case: Case) -> Policy:
    """The policy version the case's targets were set under."""
    return policy_by_version(case.sla_version) if case.sla_version else policy_in_force()


def start_clocks(case: Case, *, at: datetime) -> None:
    """Targets for a new case from the policy in force when it opens; paused from the start
    when it opens in a waiting state."""
    policy = policy_in_force(at)
    case.sla_version = policy.version
    clocks = sla.start(
        opened_at=at,
        kind=case.kind,
        priority=case.priority,
        policy=policy,
        calendar=calendar_of(case, at),
    )
    if case.status in PAUSED_STATES:
        clocks = sla.pause(clocks, at=at)
    put(case, clocks)


def on_status_change(case: Case, *, from_state: str, at: datetime) -> None:
    """Move the clocks with the case's status (called by the one transition path)."""
    if not case.sla_version:
        return  # opened before SLA clocks existed: nothing to keep
    to_state = case.status
    clocks = clocks_of(case)
    was_stopped = from_state in STOPPED_STATES
    if to_state in STOPPED_STATES:
        if was_stopped:
            return
        clocks = sla.stop(clocks, at=at, policy=policy_of(case), calendar=calendar_of(case, at))
    elif was_stopped:
        clocks = sla.restart(
            clocks,
            at=at,
            kind=case.kind,
            priority=case.priority,
            policy=policy_of(case),
            calendar=calendar_of(case, at),
        )
        if to_state in PAUSED_STATES:
            clocks = sla.pause(clocks, at=at)
    elif to_state in PAUSED_STATES:
        clocks = sla.pause(clocks, at=at)
    elif from_state in PAUSED_STATES:
        clocks = sla.resume(clocks, at=at, policy=policy_of(case), calendar=calendar_of(case, at))
    else:
        return
    put(case, clocks)


def retarget(case: Case, *, at: datetime) -> None:
    """New targets after the priority changed, under the policy in force now: due times from
    the opening plus the time spent paused; a breach that no longer holds is cleared."""
    if not case.sla_version or case.status in STOPPED_STATES:
        return
    policy = policy_in_force(at)
    case.sla_version = policy.version
    clocks = sla.retarget(
        clocks_of(case),
        opened_at=case.created_at,
        kind=case.kind,
        priority=case.priority,
        policy=policy,
        calendar=calendar_of(case, at),
        now=at,
    )
    put(case, clocks)


def mark_first_response(case_id: int, *, at: datetime, actor: User | None) -> bool:
    """The first thing the customer sees from an agent (a call attempt, a public note, a
    decision) stops the first-response clock. Locks the row (a no-op when the caller holds
    it) and writes the two columns. False when it had already responded or nobody acted."""
    if actor is None:
        return False
    case = Case.objects.select_for_update().get(pk=case_id)
    if not case.sla_version or case.first_responded_at is not None:
        return False
    put(case, replace(clocks_of(case), first_responded_at=at))
    Case.objects.filter(pk=case.pk).update(
        first_responded_at=at, next_deadline_at=case.next_deadline_at
    )
    return True
