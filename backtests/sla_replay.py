"""SLA targets in a backtest: each case's resolution and first-response clocks recomputed
from its stored
timeline (opened, then every wait and resumption, to its first resolution) with its region's
working calendar, under the version it was opened with and under the candidate. A case
breaches when its first resolution (or, still open, the end of the period) comes after its
resolution due time; waits do not count, and the calendar's days off do not count when the
SLA counts working time. Both sides are recomputed the same way, so the difference is the
candidate's, not the sweep's timing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from policies import sla
from policies.business_time import WorkingCalendar
from policies.parameters import Policy

PAUSED = frozenset({"pending", "parked", "waiting_on_customer", "waiting_on_third_party"})
STOPPED = frozenset({"resolved", "closed"})
SLA_PARAMETERS = (
    "sla_first_response_minutes",
    "sla_resolution_minutes",
    "sla_resolution_minutes_by_kind",
    "business_time_clocks",
    "clock_speedup",
)


def sla_numbers(policy: Policy) -> tuple:
    data = policy.params.to_dict()
    return tuple(str(data.get(name)) for name in SLA_PARAMETERS)


@dataclass(frozen=True)
class Timeline:
    case_id: int
    opened_at: datetime
    kind: str
    priority: str  # at opening
    moves: tuple[tuple[datetime, str, str], ...]  # (at, from, to), in order
    first_responded_at: datetime | None = None  # the first thing the customer saw


def breached(
    timeline: Timeline, *, policy: Policy, calendar: WorkingCalendar, until: datetime
) -> tuple[bool, datetime]:
    """(breached, resolution due) of the case's first resolution under the policy."""
    clocks = sla.start(
        opened_at=timeline.opened_at,
        kind=timeline.kind,
        priority=timeline.priority,
        policy=policy,
        calendar=calendar,
    )
    end = until
    for at, source, target in timeline.moves:
        if target in STOPPED and source not in STOPPED:
            if clocks.paused_since is not None:  # resolved from a wait: the wait ends there
                clocks = sla.resume(clocks, at=at, policy=policy, calendar=calendar)
            end = at
            break
        if target in PAUSED and source not in PAUSED:
            clocks = sla.pause(clocks, at=at)
        elif source in PAUSED and target not in PAUSED:
            clocks = sla.resume(clocks, at=at, policy=policy, calendar=calendar)
    due = clocks.resolution_due_at
    if clocks.paused_since is not None and end == until:
        return clocks.paused_since > due, due  # still waiting: the clock stands still
    return end > due, due


def first_response_breached(
    timeline: Timeline, *, policy: Policy, calendar: WorkingCalendar, until: datetime
) -> bool:
    """Whether the first response (the first thing the customer saw, or the resolution,
    which answers it) came after its due time under the policy; waits before it do not
    count."""
    clocks = sla.start(
        opened_at=timeline.opened_at,
        kind=timeline.kind,
        priority=timeline.priority,
        policy=policy,
        calendar=calendar,
    )
    moment = timeline.first_responded_at or until
    for at, source, target in timeline.moves:
        if at >= moment:
            break
        if target in STOPPED and source not in STOPPED:
            moment = at  # resolved before any other answer
            break
        if target in PAUSED and source not in PAUSED:
            clocks = sla.pause(clocks, at=at)
        elif source in PAUSED and target not in PAUSED:
            clocks = sla.resume(clocks, at=at, policy=policy, calendar=calendar)
    if clocks.paused_since is not None:  # answered while waiting: the clock stood still
        return clocks.paused_since > clocks.first_response_due_at
    return moment > clocks.first_response_due_at


def moves_of(events: Iterable[tuple[datetime, str, str]]) -> tuple[tuple[datetime, str, str], ...]:
    return tuple(sorted(events, key=lambda move: move[0]))
