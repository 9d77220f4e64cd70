"""SLA clocks as pure functions (policies.sla): targets per kind and priority, due times in
the region's working time, pause and resume, and the traps helpdesks fall into."""

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from policies import sla
from policies.business_time import WorkingCalendar
from policies.calendar import calendar_for
from policies.parameters import DEFAULT_POLICY, Policy, PolicyParameters

KOLKATA = ZoneInfo("Asia/Kolkata")
INDIA = WorkingCalendar(zone=KOLKATA, days=calendar_for("IN", [2026]))
P = DEFAULT_POLICY


def at(day, hour, minute=0):
    from datetime import datetime

    return datetime(2026, 3, day, hour, minute, tzinfo=KOLKATA)


def start(opened, priority="urgent", kind="status_check", policy=P):
    return sla.start(opened_at=opened, kind=kind, priority=priority, policy=policy, calendar=INDIA)


def policy_with(**changes) -> Policy:
    return Policy(version="test", params=replace(PolicyParameters(), **changes))


def test_targets_come_from_the_policy_per_priority_and_kind():
    assert sla.targets(kind="status_check", priority="urgent", policy=P) == (30 * 60, 240 * 60)
    assert sla.targets(kind="status_check", priority="low", policy=P) == (480 * 60, 4320 * 60)
    # A safety case has its own resolution target whatever its priority.
    assert sla.targets(kind="safety_incident", priority="low", policy=P)[1] == 240 * 60


def test_due_times_count_working_hours_in_the_region():
    # Monday 16 March 2026, 16:00: urgent (30 min / 4 h), working day 09:00-18:00.
    clocks = start(at(16, 16))
    assert clocks.first_response_due_at == at(16, 16, 30)
    assert clocks.resolution_due_at == at(17, 11)  # 2 h Monday + 2 h Tuesday
    assert clocks.warn_at == at(17, 10, 12)  # 80 % of 4 h = 3 h 12 min
    assert clocks.next_deadline == at(16, 16, 30)


def test_not_breached_right_after_creation_even_out_of_hours():
    # Trap: a case opened on a non-working day (Sunday night) is not due at once.
    opened = at(15, 23)
    clocks = start(opened)
    assert clocks.first_response_due_at == at(16, 9, 30)
    assert clocks.next_deadline > opened
    assert not clocks.is_breached


def test_pause_keeps_the_time_left_and_resume_adds_it_back():
    clocks = start(at(16, 16))
    paused = sla.pause(clocks, at=at(16, 16, 10))
    assert paused.next_deadline is None  # a paused case is never swept
    resumed = sla.resume(paused, at=at(17, 10), policy=P, calendar=INDIA)
    # 20 minutes of first response and 3 h 50 min of resolution were left.
    assert resumed.first_response_due_at == at(17, 10, 20)
    assert resumed.resolution_due_at == at(17, 13, 50)
    # The pause counted 1 h 50 min Monday + 1 h Tuesday of working time.
    assert resumed.paused_seconds == (110 + 60) * 60
    assert resumed.paused_since is None


def test_the_clock_does_not_run_while_paused():
    clocks = sla.pause(start(at(16, 16)), at=at(16, 16, 10))
    # Days later, still paused: nothing due, nothing breached.
    assert clocks.next_deadline is None and not clocks.is_breached
    assert clocks.resolution_due_at == at(17, 11)  # unchanged until it resumes


def test_paused_time_is_kept_when_a_waiting_case_is_resolved_directly():
    clocks = sla.pause(start(at(16, 16)), at=at(16, 17))
    stopped = sla.stop(clocks, at=at(17, 10), policy=P, calendar=INDIA)
    assert stopped.paused_seconds == 2 * 3600  # 1 h Monday + 1 h Tuesday
    assert stopped.stopped and stopped.next_deadline is None


def test_a_deadline_already_passed_at_the_pause_stays_due():
    clocks = start(at(16, 16))
    paused = sla.pause(clocks, at=at(16, 17))  # first response was due 16:30
    resumed = sla.resume(paused, at=at(17, 10), policy=P, calendar=INDIA)
    assert resumed.first_response_due_at == at(16, 16, 30)
    assert resumed.next_deadline == at(16, 16, 30)


def test_a_breach_that_no_longer_holds_is_cleared_when_the_sla_changes():
    opened = at(16, 9)
    clocks = replace(start(opened), resolution_breached_at=at(16, 13, 1))
    # The priority drops to low: resolution now 72 working hours away.
    retargeted = sla.retarget(
        clocks,
        opened_at=opened,
        kind="status_check",
        priority="low",
        policy=P,
        calendar=INDIA,
        now=at(16, 14),
    )
    assert retargeted.resolution_breached_at is None
    assert retargeted.resolution_due_at > at(16, 14)
    assert not retargeted.is_breached


def test_retarget_moves_due_times_by_the_time_spent_paused():
    opened = at(16, 9)
    clocks = replace(start(opened, priority="low"), paused_seconds=3600)
    retargeted = sla.retarget(
        clocks,
        opened_at=opened,
        kind="status_check",
        priority="urgent",
        policy=P,
        calendar=INDIA,
        now=at(16, 9, 5),
    )
    assert retargeted.first_response_due_at == at(16, 10, 30)  # 09:30 + the hour paused


def test_reopening_restarts_the_resolution_clock():
    clocks = sla.stop(start(at(16, 9)), at=at(16, 10), policy=P, calendar=INDIA)
    clocks = replace(clocks, resolution_breached_at=at(16, 13))
    again = sla.restart(
        clocks, at=at(18, 9), kind="status_check", priority="urgent", policy=P, calendar=INDIA
    )
    assert again.resolution_due_at == at(18, 13) and again.resolution_breached_at is None
    assert not again.stopped and again.next_deadline == at(18, 12, 12)  # the warning


@pytest.mark.parametrize(
    "priority, steps, raised",
    [("low", 1, "medium"), ("high", 1, "urgent"), ("urgent", 1, "urgent"), ("low", 2, "high")],
)
def test_a_breach_raises_the_priority_by_the_policy(priority, steps, raised):
    policy = policy_with(sla_breach_priority_steps=steps)
    assert sla.raised_priority(priority, policy=policy) == raised


def test_a_drill_policy_shortens_the_targets():
    drill = policy_with(clock_speedup=60)
    assert sla.targets(kind="status_check", priority="urgent", policy=drill) == (30, 240)
