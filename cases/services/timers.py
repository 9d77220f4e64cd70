"""Clocks the system keeps on cases: sweeps over indexed due columns.

Every sweep takes a batch of due rows with `FOR UPDATE SKIP LOCKED` (in due order), applies
the step, records each firing under the unique key (case, clock, due time) and commits the
batch; then the next batch, until nothing is due or the sweep's time budget is spent. Several
workers share the work with no doubles (a locked row is skipped, a recorded firing is not
repeated) and a crash loses nothing: the uncommitted batch rolls back and stays due for the
next sweep. No per-row ETA tasks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from partners.selectors import region_id_of_city, working_calendar
from policies import sla as sla_policy

from ..catalog import Team
from ..models import (
    Case,
    CaseClock,
    CaseClockState,
    CaseEvent,
    CaseStatus,
    ClockFiring,
    EventType,
    SweepStatus,
    Task,
    TaskState,
    TeamLead,
)
from .audit import append_events, new_event
from .notifications import Notice, notify_many
from .sla import clocks_of, policy_of, put
from .transitions import transition_case

logger = logging.getLogger(__name__)

BATCH = 500
BUDGET_SECONDS = 50.0  # a sweep started every minute ends before the next one starts


@dataclass(frozen=True)
class SweepResult:
    name: str
    processed: int
    batches: int


def run_sweep(
    name: str,
    batch_step: Callable[[datetime, int], int],
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    budget_seconds: float = BUDGET_SECONDS,
    max_batches: int | None = None,
) -> SweepResult:
    """Run a sweep's batches (each its own transaction) until a batch comes back short, the
    budget is spent or max_batches ran; record the run for the health check. `now` fixes the
    sweep's moment (tests and benchmarks); by default each batch reads the clock."""
    started = timezone.now()
    _status(name, last_started_at=started)
    deadline = time.monotonic() + budget_seconds
    processed = batches = 0
    try:
        while True:
            done = batch_step(now or timezone.now(), batch)
            processed += done
            batches += 1
            if done < batch or time.monotonic() > deadline:
                break
            if max_batches is not None and batches >= max_batches:
                break
    except Exception as exc:
        _status(name, last_finished_at=timezone.now(), last_error=f"{type(exc).__name__}: {exc}")
        raise
    _status(name, last_finished_at=timezone.now(), last_processed=processed, last_error="")
    return SweepResult(name=name, processed=processed, batches=batches)


def _status(name: str, **fields: object) -> None:
    updated = SweepStatus.objects.filter(name=name).update(
        **fields, **({"runs": F("runs") + 1} if "last_started_at" in fields else {})
    )
    if not updated:
        SweepStatus.objects.get_or_create(name=name, defaults={**fields, "runs": 1})


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


def update_rows(model: type, rows: list, fields: tuple[str, ...]) -> None:
    """Save `fields` of many rows in one `UPDATE ... FROM (VALUES ...)` (a sweep's batch;
    Django's bulk_update builds a CASE per field and row, slow at hundreds of rows)."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    casts = [column.db_type(connection) for column in columns]
    assignments = ", ".join(
        f'"{column.column}" = v."{column.column}"::{cast}'
        for column, cast in zip(columns, casts, strict=True)
    )
    placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"] * len(rows))
    names = ", ".join(['"id"', *(f'"{column.column}"' for column in columns)])
    params: list[object] = []
    for row in rows:
        params.append(row.pk)
        params.extend(
            column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{meta.db_table}" AS t SET {assignments} '
            f"FROM (VALUES {placeholders}) AS v({names}) WHERE t.id = v.id::bigint",
            params,
        )


def _leads(teams: Iterable[str]) -> dict[str, TeamLead]:
    return {
        lead.team: lead
        for lead in TeamLead.objects.select_related("lead").filter(team__in=set(teams))
    }


def _lead_notice(
    lead: TeamLead | None, *, kind: str, title: str, body: str, case_id: int
) -> Notice | None:
    """A notice for a team's lead: in the app when someone leads it, by e-mail to the lead and
    the team's address."""
    if lead is None:
        return None
    user = lead.lead if lead.lead_id else None
    email = (user.email if user is not None and user.email else "") or lead.email
    if user is None and not email:
        return None
    return Notice(
        recipient_id=user.pk if user is not None else None,
        email=email,
        kind=kind,
        title=title,
        body=body,
        case_id=case_id,
    )


def _local(case: Case, at: datetime) -> str:
    """A moment as the case's region reads it (never the server's time zone)."""
    zone = working_calendar(region_id_of_city(case.city_id), at).zone
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"


# --- SLA ----------------------------------------------------------------------------------

SLA_WARNING = "sla_warning"
SLA_FIRST_RESPONSE = "sla_first_response"
SLA_RESOLUTION = "sla_resolution"
_SLA_SAVED = (
    "priority",
    "sla_warned_at",
    "first_response_breached_at",
    "resolution_breached_at",
    "next_deadline_at",
    "updated_at",
)


def _sla_due(case: Case, now: datetime) -> list[tuple[str, datetime]]:
    """What is due on the case at `now`: the warning (skipped when the resolution breach fires
    at the same time) and the two breaches."""
    due: list[tuple[str, datetime]] = []
    clocks = clocks_of(case)
    resolution_due = (
        clocks.resolution_due_at is not None
        and clocks.resolution_breached_at is None
        and clocks.resolution_due_at <= now
    )
    if (
        clocks.first_response_due_at is not None
        and clocks.first_responded_at is None
        and clocks.first_response_breached_at is None
        and clocks.first_response_due_at <= now
    ):
        due.append((SLA_FIRST_RESPONSE, clocks.first_response_due_at))
    if resolution_due:
        due.append((SLA_RESOLUTION, clocks.resolution_due_at))
    if (
        clocks.warn_at is not None
        and clocks.warned_at is None
        and clocks.warn_at <= now
        and not resolution_due
        and clocks.resolution_breached_at is None
    ):
        due.append((SLA_WARNING, clocks.warn_at))
    return due


def sla_batch(now: datetime, limit: int) -> int:
    """One batch of the SLA sweep: warnings to the assignee (or the team lead when nobody is
    assigned), breaches marked, the priority raised by the policy and the team lead told; one
    CLOCK event per firing."""
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_deadline_at__lte=now)
            .select_related("assignee")
            .order_by("next_deadline_at")[:limit]
        )
        if not cases:
            return 0
        due = {case.pk: _sla_due(case, now) for case in cases}
        fired = record_firings(
            ((case_id, clock, at) for case_id, items in due.items() for clock, at in items),
            at=now,
        )
        leads = _leads(case.team for case in cases)
        events: list[CaseEvent] = []
        notices: list[Notice] = []
        for case in cases:
            _fire_sla(case, due[case.pk], fired, now, leads, events, notices)
        update_rows(Case, cases, _SLA_SAVED)
        append_events(events)
        notify_many(notices, subject="SLA alerts")
    return len(cases)


def _fire_sla(
    case: Case,
    due: list[tuple[str, datetime]],
    fired: set[tuple],
    now: datetime,
    leads: dict[str, TeamLead],
    events: list[CaseEvent],
    notices: list[Notice],
) -> None:
    clocks = clocks_of(case)
    breached = []
    for clock, at in due:
        if clock == SLA_WARNING:
            clocks = replace(clocks, warned_at=now)
        elif clock == SLA_FIRST_RESPONSE:
            clocks = replace(clocks, first_response_breached_at=now)
            breached.append((clock, at))
        else:
            clocks = replace(clocks, resolution_breached_at=now, warned_at=clocks.warned_at or now)
            breached.append((clock, at))
    put(case, clocks)
    case.updated_at = now
    new = [(clock, at) for clock, at in due if (case.pk, clock, at) in fired]
    if not new:
        return  # another sweep fired these: the markers above only take the case off the queue
    before = case.priority
    if any(clock != SLA_WARNING for clock, _ in new):
        case.priority = sla_policy.raised_priority(case.priority, policy=policy_of(case))
    lead = leads.get(case.team)
    for clock, at in new:
        label = {
            SLA_WARNING: "SLA warning: resolution due soon",
            SLA_FIRST_RESPONSE: "SLA breached: no first response",
            SLA_RESOLUTION: "SLA breached: not resolved in time",
        }[clock]
        when = f"due {_local(case, case.resolution_due_at if clock == SLA_WARNING else at)}"
        payload = {"clock": clock, "due_at": at.isoformat()}
        reason = f"{label} ({when})."
        if clock != SLA_WARNING:
            payload |= {"priority_from": before, "priority_to": case.priority}
            if case.priority != before:
                reason += f" Priority raised from {before} to {case.priority}."
        events.append(
            new_event(
                case,
                type=EventType.CLOCK,
                actor=None,
                transition=clock,
                reason=reason,
                payload=payload,
                policy_version=case.sla_version,
            )
        )
        title = f"Case #{case.pk} {label.lower()}"
        body = f"{case.get_kind_display()}: {case.subject} ({when})"
        if clock == SLA_WARNING and case.assignee_id is not None:
            notices.append(
                Notice(
                    recipient_id=case.assignee_id,
                    email=case.assignee.email,
                    kind=clock,
                    title=title,
                    body=body,
                    case_id=case.pk,
                )
            )
            continue
        notice = _lead_notice(lead, kind=clock, title=title, body=body, case_id=case.pk)
        if notice is not None:
            notices.append(notice)


def sweep_sla(*, now: datetime | None = None, **options) -> SweepResult:
    return run_sweep("sla", sla_batch, now=now, **options)


# --- tasks --------------------------------------------------------------------------------

TASK_WARNING = "task_warning"
TASK_OVERDUE = "task_overdue"


def task_batch(now: datetime, limit: int) -> int:
    """One batch of the task sweep: a warning to the owner (or the owner team's lead) before
    the due time, and when it passes the task is escalated to the lead of the owner team and,
    when the case belongs to another team, to that team's lead too (lateness by another team
    goes to your direct manager)."""
    with transaction.atomic():
        tasks = list(
            Task.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_alert_at__lte=now, state=TaskState.OPEN)
            .select_related("case", "owner")
            .order_by("next_alert_at")[:limit]
        )
        if not tasks:
            return 0
        due = {task.pk: _task_due(task, now) for task in tasks}
        fired = record_firings(
            ((task.case_id, f"{due[task.pk]}:{task.pk}", task.next_alert_at) for task in tasks),
            at=now,
        )
        leads = _leads([*(t.owner_team for t in tasks), *(t.case.team for t in tasks)])
        events: list[CaseEvent] = []
        notices: list[Notice] = []
        for task in tasks:
            clock = due[task.pk]
            is_new = (task.case_id, f"{clock}:{task.pk}", task.next_alert_at) in fired
            if clock == TASK_WARNING:
                task.warned_at = now
                task.next_alert_at = task.due_at
            else:
                task.escalated_at = now
                task.next_alert_at = None
            if is_new:
                _task_notices(task, clock, leads, events, notices)
        update_rows(Task, tasks, ("warned_at", "escalated_at", "next_alert_at"))
        append_events(events)
        notify_many(notices, subject="Task alerts")
    return len(tasks)


def _task_due(task: Task, now: datetime) -> str:
    return TASK_OVERDUE if task.due_at <= now else TASK_WARNING


def _task_notices(
    task: Task,
    clock: str,
    leads: dict[str, TeamLead],
    events: list[CaseEvent],
    notices: list[Notice],
) -> None:
    case = task.case
    when = _local(case, task.due_at)
    if clock == TASK_WARNING:
        title = f"Task due {when}: {task.title}"
        reason = f"Task due soon ({when}): {task.title}."
        if task.owner_id is not None:
            notices.append(
                Notice(
                    recipient_id=task.owner_id,
                    email=task.owner.email,
                    kind=clock,
                    title=title,
                    body=f"Case #{case.pk}",
                    case_id=case.pk,
                )
            )
        else:
            notice = _lead_notice(
                leads.get(task.owner_team),
                kind=clock,
                title=title,
                body=f"Case #{case.pk}",
                case_id=case.pk,
            )
            if notice is not None:
                notices.append(notice)
    else:
        title = f"Overdue since {when}: {task.title} (case #{case.pk})"
        teams = [task.owner_team] + ([case.team] if case.team != task.owner_team else [])
        reason = (
            f"Task overdue since {when}: {task.title}. Escalated to the lead of "
            + " and ".join(Team(team).label for team in teams)
            + "."
        )
        seen: set[tuple] = set()
        for team in teams:
            notice = _lead_notice(
                leads.get(team),
                kind=clock,
                title=title,
                body=task.get_owner_team_display(),
                case_id=case.pk,
            )
            if notice is not None and (notice.recipient_id, notice.email) not in seen:
                seen.add((notice.recipient_id, notice.email))
                notices.append(notice)
    events.append(
        new_event(
            case,
            type=EventType.CLOCK,
            actor=None,
            transition=clock,
            reason=reason,
            payload={
                "task": task.pk,
                "kind": task.kind,
                "clock": clock,
                "due_at": task.due_at.isoformat(),
            },
            policy_version=case.sla_version or None,
        )
    )


def sweep_tasks(*, now: datetime | None = None, **options) -> SweepResult:
    return run_sweep("tasks", task_batch, now=now, **options)


# --- parked cases --------------------------------------------------------------------------


def unpark_batch(now: datetime, limit: int) -> int:
    """Return parked cases whose park time has passed to the open queue, each through the
    one transition path (rows another sweep holds are skipped)."""
    with transaction.atomic():
        due = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(status=CaseStatus.PARKED, parked_until__lte=now)
            .order_by("parked_until")
            .values_list("pk", "parked_until")[:limit]
        )
        for case_id, until in due:
            transition_case(
                case_id=case_id,
                name="unpark",
                actor=None,
                role_checked=True,
                reason=f"Park time {until:%Y-%m-%d %H:%M %Z} reached.",
            )
    return len(due)


def sweep_unpark(*, now: datetime | None = None, **options) -> SweepResult:
    return run_sweep("unpark", unpark_batch, now=now, **options)


def unpark_due_cases(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Unpark everything due; the number unparked."""
    return sweep_unpark(now=now, batch=limit).processed


# --- SOP clocks on cases -----------------------------------------------------------------


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
                reason=f"Clock {kind.replace('_', ' ')} set, due {_local(case, due_at)}.",
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
