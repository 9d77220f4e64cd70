"""The task sweep: a warning before a task's due time, an escalation to its team's lead
after it, each firing recorded once."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from sweeps.engine import SweepResult, run_sweep, update_rows

from ..catalog import Team
from ..models import (
    CaseEvent,
    EventType,
    Task,
    TaskState,
    TeamLead,
)
from .audit import append_events, new_event
from .case_clocks import record_firings
from .lead_notices import lead_notice, leads_of, local_time
from .notifications import Notice, notify_many

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
        leads = leads_of([*(t.owner_team for t in tasks), *(t.case.team for t in tasks)])
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
    when = local_time(case, task.due_at)
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
            notice = lead_notice(
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
            notice = lead_notice(
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
