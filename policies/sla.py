"""SLA clocks of a case, as pure functions: the targets for its kind and priority, when they
fall due in the region's working time, how a pause moves them, which deadline comes next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .business_time import WorkingCalendar, clock_elapsed, clock_end
from .parameters import PRIORITIES, Policy

CLOCK = "sla"  # the name business_time_clocks uses for first response and resolution


@dataclass(frozen=True)
class SlaClocks:
    """The SLA state kept on a case row (nothing is replayed from history)."""

    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    warn_at: datetime | None
    first_responded_at: datetime | None = None
    paused_since: datetime | None = None
    paused_seconds: float = 0
    warned_at: datetime | None = None
    first_response_breached_at: datetime | None = None
    resolution_breached_at: datetime | None = None
    stopped: bool = False  # resolved or closed

    @property
    def next_deadline(self) -> datetime | None:
        """The earliest moment something is due (a warning or a breach); None while paused or
        stopped, so a paused case is never swept."""
        if self.stopped or self.paused_since is not None:
            return None
        pending = []
        if self.warn_at is not None and self.warned_at is None and not self.resolution_breached_at:
            pending.append(self.warn_at)
        if (
            self.first_response_due_at is not None
            and self.first_responded_at is None
            and self.first_response_breached_at is None
        ):
            pending.append(self.first_response_due_at)
        if self.resolution_due_at is not None and self.resolution_breached_at is None:
            pending.append(self.resolution_due_at)
        return min(pending, default=None)

    @property
    def is_breached(self) -> bool:
        return bool(self.first_response_breached_at or self.resolution_breached_at)


def targets(*, kind: str, priority: str, policy: Policy) -> tuple[float, float]:
    """(first response, resolution) targets in seconds for the kind and priority."""
    first, resolution = policy.params.sla_minutes(kind, priority)
    speedup = policy.params.clock_speedup
    return first * 60.0 / speedup, resolution * 60.0 / speedup


def start(
    *, opened_at: datetime, kind: str, priority: str, policy: Policy, calendar: WorkingCalendar
) -> SlaClocks:
    """The clocks of a case opened at `opened_at` (a case opened out of working hours starts
    counting at the next opening when the SLA counts business time)."""
    business = policy.params.counts_business_time(CLOCK)
    first, resolution = targets(kind=kind, priority=priority, policy=policy)
    warn = float(policy.params.sla_warn_rate) * resolution
    return SlaClocks(
        first_response_due_at=clock_end(calendar, opened_at, first, business=business),
        resolution_due_at=clock_end(calendar, opened_at, resolution, business=business),
        warn_at=clock_end(calendar, opened_at, warn, business=business),
    )


def retarget(
    clocks: SlaClocks,
    *,
    opened_at: datetime,
    kind: str,
    priority: str,
    policy: Policy,
    calendar: WorkingCalendar,
    now: datetime,
) -> SlaClocks:
    """New targets (the priority or the policy changed): due times from the opening plus the
    time spent paused, and a breach that no longer holds is cleared."""
    fresh = start(
        opened_at=opened_at, kind=kind, priority=priority, policy=policy, calendar=calendar
    )
    business = policy.params.counts_business_time(CLOCK)

    def shifted(due: datetime | None) -> datetime | None:
        if due is None or not clocks.paused_seconds:
            return due
        return clock_end(calendar, due, clocks.paused_seconds, business=business)

    out = replace(
        clocks,
        first_response_due_at=shifted(fresh.first_response_due_at),
        resolution_due_at=shifted(fresh.resolution_due_at),
        warn_at=shifted(fresh.warn_at),
    )
    if out.first_response_breached_at and out.first_response_due_at > now:
        out = replace(out, first_response_breached_at=None)
    if out.resolution_breached_at and out.resolution_due_at > now:
        out = replace(out, resolution_breached_at=None)
    if out.warned_at and out.warn_at and out.warn_at > now:
        out = replace(out, warned_at=None)
    return out


def pause(clocks: SlaClocks, *, at: datetime) -> SlaClocks:
    """The case waits (parked, pending, waiting on the customer or a third party)."""
    if clocks.paused_since is not None or clocks.stopped:
        return clocks
    return replace(clocks, paused_since=at)


def resume(
    clocks: SlaClocks, *, at: datetime, policy: Policy, calendar: WorkingCalendar
) -> SlaClocks:
    """Work resumes: each pending due time becomes the resume time plus the time that was
    left on it at the pause; the pause is added to the paused time."""
    if clocks.paused_since is None:
        return clocks
    business = policy.params.counts_business_time(CLOCK)
    since = clocks.paused_since

    def moved(due: datetime | None, done: object) -> datetime | None:
        if due is None or done:
            return due
        left = clock_elapsed(calendar, since, due, business=business)
        if due <= since:
            return due  # already due when the case paused: the sweep fires it now
        return clock_end(calendar, at, left, business=business)

    return replace(
        clocks,
        first_response_due_at=moved(
            clocks.first_response_due_at,
            clocks.first_responded_at or clocks.first_response_breached_at,
        ),
        resolution_due_at=moved(clocks.resolution_due_at, clocks.resolution_breached_at),
        warn_at=moved(clocks.warn_at, clocks.warned_at),
        paused_since=None,
        paused_seconds=clocks.paused_seconds
        + clock_elapsed(calendar, since, at, business=business),
    )


def stop(
    clocks: SlaClocks, *, at: datetime, policy: Policy, calendar: WorkingCalendar
) -> SlaClocks:
    """Resolved or closed: nothing more is due; a pause that ends here is still counted. The
    resolution is what the customer sees, so it answers a first response not yet given (a
    reopened case is not then breached for a response it got)."""
    business = policy.params.counts_business_time(CLOCK)
    paused = clocks.paused_seconds
    if clocks.paused_since is not None:
        paused += clock_elapsed(calendar, clocks.paused_since, at, business=business)
    return replace(
        clocks,
        paused_since=None,
        paused_seconds=paused,
        stopped=True,
        first_responded_at=clocks.first_responded_at or at,
    )


def restart(
    clocks: SlaClocks,
    *,
    at: datetime,
    kind: str,
    priority: str,
    policy: Policy,
    calendar: WorkingCalendar,
) -> SlaClocks:
    """Reopened: the resolution clock runs again from the reopening, with its full target."""
    business = policy.params.counts_business_time(CLOCK)
    _, resolution = targets(kind=kind, priority=priority, policy=policy)
    warn = float(policy.params.sla_warn_rate) * resolution
    return replace(
        clocks,
        resolution_due_at=clock_end(calendar, at, resolution, business=business),
        warn_at=clock_end(calendar, at, warn, business=business),
        warned_at=None,
        resolution_breached_at=None,
        stopped=False,
        paused_since=None,
    )


def raised_priority(priority: str, *, policy: Policy) -> str:
    """The priority after a breach: the policy's number of steps up, never past the top."""
    index = PRIORITIES.index(priority) if priority in PRIORITIES else 0
    steps = policy.params.sla_breach_priority_steps
    return PRIORITIES[min(index + steps, len(PRIORITIES) - 1)]
