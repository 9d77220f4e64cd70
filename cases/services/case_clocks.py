"""SOP clocks on cases: set by a decision, fired once by the sweep of the app that keeps
their steps (flows.clocks), each firing recorded under its unique key."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction

from ..models import (
    Case,
    CaseClock,
    CaseClockState,
    ClockFiring,
    EventType,
)
from .audit import append_events, new_event
from .lead_notices import local_time

logger = logging.getLogger(__name__)


def record_firings(rows: Iterable[tuple[int, str, datetime]], *, at: datetime) -> set[tuple]:
    """Insert the firings that were not recorded yet; returns the keys inserted now (one
    statement; the unique key drops the ones another sweep already fired)."""
    rows = list(rows)
    if not rows:
        return set()
    table = ClockFiring._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, '{}'::jsonb)"] * len(rows))
    params: list[object] = []
    for case_id, clock, due_at in rows:
        params += [case_id, clock, due_at, at]
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("case_id", "clock", "due_at", "fired_at", "detail") '
            f'VALUES {values} ON CONFLICT ("case_id", "clock", "due_at") DO NOTHING '
            'RETURNING "case_id", "clock", "due_at"',
            params,
        )
        return {tuple(row) for row in cursor.fetchall()}


def start_clock(
    case: Case, *, kind: str, due_at: datetime, policy_version: str = "", **params: object
) -> CaseClock | None:
    """Set an SOP clock on the case (in the caller's transaction); None when one of the kind
    is already pending (a decision applied twice sets it once)."""
    if CaseClock.objects.filter(case=case, kind=kind, state=CaseClockState.PENDING).exists():
        return None
    clock = CaseClock.objects.create(
        case=case, kind=kind, due_at=due_at, policy_version=policy_version, params=params
    )
    append_events(
        [
            new_event(
                case,
                type=EventType.CLOCK,
                actor=None,
                transition="clock_started",
                reason=f"Clock {kind.replace('_', ' ')} set, due {local_time(case, due_at)}.",
                payload={"clock": kind, "due_at": due_at.isoformat()},
                policy_version=policy_version or None,
            )
        ]
    )
    return clock


RETRY_AFTER = timedelta(minutes=15)


def case_clock_batch(fire: Callable[[CaseClock, datetime], str]) -> Callable[[datetime, int], int]:
    """A batch step over due SOP clocks: each due clock is locked, recorded as fired once,
    handed to `fire` (which carries out the SOP's step and says what it did) and closed. A
    clock whose step fails is rolled back alone (its firing too), logged and retried later."""

    def step(now: datetime, limit: int) -> int:
        with transaction.atomic():
            clocks = list(
                CaseClock.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=CaseClockState.PENDING, due_at__lte=now)
                .order_by("due_at")[:limit]
            )
            for clock in clocks:
                try:
                    with transaction.atomic():
                        key = (clock.case_id, clock.kind, clock.due_at)
                        if record_firings([key], at=now):
                            clock.outcome = fire(clock, now)[:200]
                        else:
                            clock.outcome = "already fired"
                        clock.state = CaseClockState.FIRED
                        clock.fired_at = now
                except Exception as exc:
                    logger.exception("clock %s on case #%s failed", clock.kind, clock.case_id)
                    clock.outcome = f"failed, retried later: {type(exc).__name__}: {exc}"[:200]
                    clock.due_at = now + RETRY_AFTER
            CaseClock.objects.bulk_update(clocks, ["state", "fired_at", "outcome", "due_at"])
        return len(clocks)

    return step
