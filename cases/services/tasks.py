"""Tasks on cases: created from a decision (or a clock) with an owner and a due time, closed
with an outcome. Both ends are audited on the case's trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import roles
from core.errors import InvalidInput, NotPermitted, TransitionConflict
from core.locks import lock_row
from core.roles import User, actor_or_none
from policies.selectors import policy_in_force

from ..catalog import Team
from ..models import Case, CaseEvent, EventType, Task, TaskState, TeamLead
from .audit import append_event, plain

# Who may close a team's tasks (the owner always may). Case workers close everything else.
CLOSERS_BY_TEAM: dict[str, frozenset[str]] = {
    Team.FINANCE: roles.MONEY_DECIDERS,
    Team.FRAUD_REVIEW: roles.MONEY_DECIDERS,
    Team.TRAINING: frozenset({roles.SUPERVISOR}),
}
MAX_OUTCOME = 2000


@dataclass(frozen=True)
class TaskSpec:
    """A task a decision asks for, before it is written."""

    kind: str
    title: str
    owner_team: str
    due_at: datetime
    owner_id: int | None = None
    detail: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The spec as the decision's audit payload records it."""
        return {
            "kind": self.kind,
            "title": self.title,
            "owner_team": self.owner_team,
            "owner": self.owner_id,
            "due_at": self.due_at.isoformat(),
            "params": self.params,
        }


def create_tasks(
    case: Case,
    specs: list[TaskSpec],
    *,
    actor: User | None,
    decision: CaseEvent | None = None,
    policy_version: str | None = None,
) -> list[Task]:
    """Write the tasks on the case (in the caller's transaction), one TASK event each. Each
    task's clock starts: a warning at the policy's share of its time, then its due time."""
    now = timezone.now()
    rate = policy_in_force(now).params.sla_warn_rate
    tasks = [
        _with_clock(
            Task(
                case=case,
                kind=spec.kind,
                title=spec.title[:200],
                detail=spec.detail,
                params=spec.params,
                owner_team=spec.owner_team,
                owner_id=spec.owner_id,
                due_at=spec.due_at,
                decision=decision,
                created_by=actor_or_none(actor),
                created_at=now,
            ),
            rate,
        )
        for spec in specs
    ]
    Task.objects.bulk_create(tasks)
    for task in tasks:
        append_event(
            case,
            type=EventType.TASK,
            actor=actor,
            reason=f"Task for {task.get_owner_team_display()}: {task.title}",
            payload={
                "task": task.pk,
                "kind": task.kind,
                "owner_team": task.owner_team,
                "due_at": plain(task.due_at),
            },
            transition="task_created",
            policy_version=policy_version,
        )
    return tasks


def _with_clock(task: Task, rate: Decimal) -> Task:
    """Set the task's warning time and its next alert (the due time itself when it is already
    past: it is escalated at the next sweep)."""
    span = task.due_at - task.created_at
    if span.total_seconds() > 0:
        task.warn_at = task.created_at + span * float(rate)
        task.next_alert_at = task.warn_at
    else:
        task.next_alert_at = task.due_at
    return task


def may_close(actor: User | None, task: Task) -> bool:
    """The team rule for a task, for closing it and for reassigning it: its owner, the owner
    team's lead, or a role that works that team's tasks (supervisors work every team's)."""
    if not roles.is_back_office(actor):
        return False
    if task.owner_id is not None and task.owner_id == actor.pk:
        return True
    if roles.has_role(actor, CLOSERS_BY_TEAM.get(task.owner_team, roles.CASE_WORKERS)):
        return True
    return TeamLead.objects.filter(team=task.owner_team, lead_id=actor.pk).exists()


def _team_rule(task: Task) -> str:
    return f"{task.get_owner_team_display()}, its lead, a supervisor or the task's owner"


def close_task(
    *, task_id: int, actor: User | None, outcome: str, done: bool = True, role_checked: bool = False
) -> Task:
    """Close an open task as done (or cancelled) with the outcome in words; 400 without one,
    403 for someone who does not work that team's tasks, 409 when it is already closed."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise InvalidInput({"outcome": "Say how the task ended."})
    if len(outcome) > MAX_OUTCOME:
        raise InvalidInput({"outcome": f"At most {MAX_OUTCOME} characters."})
    with transaction.atomic():
        task = lock_row(Task, task_id, "case")
        if not role_checked and not may_close(actor, task):
            raise NotPermitted(f"Only {_team_rule(task)} may close this task.")
        if task.state != TaskState.OPEN:
            raise TransitionConflict(f"Task #{task.pk} is already {task.get_state_display()}.")
        task.complete() if done else task.cancel()
        task.closed_by = actor_or_none(actor)
        task.outcome = outcome
        task.save()
        append_event(
            task.case,
            type=EventType.TASK,
            actor=actor,
            reason=f"Task {'done' if done else 'cancelled'}: {task.title}. {outcome}",
            payload={"task": task.pk, "kind": task.kind, "state": task.state},
            transition="task_done" if done else "task_cancelled",
        )
    return task


def reassign_task(*, task_id: int, actor: User, owner: Any | None, reason: str = "") -> Task:
    """Give an open task to someone else (or back to the team's queue). Whoever may close it
    may reassign it (the same team rule, may_close); anyone else gets a 403, so handing a
    task to oneself is no way round the team that works it."""
    roles.require_role(actor, roles.CASE_WORKERS | roles.MONEY_DECIDERS, doing="reassign tasks")
    with transaction.atomic():
        task = lock_row(Task, task_id, "case")
        if not may_close(actor, task):
            raise NotPermitted(f"Only {_team_rule(task)} may reassign this task.")
        if task.state != TaskState.OPEN:
            raise TransitionConflict(f"Task #{task.pk} is already {task.get_state_display()}.")
        before = task.owner_id
        task.owner = owner
        task.save(update_fields=["owner"])
        append_event(
            task.case,
            type=EventType.TASK,
            actor=actor,
            reason=reason or f"Task reassigned: {task.title}",
            payload={"task": task.pk, "field": "owner", "from": before, "to": plain(owner)},
            transition="task_reassigned",
        )
    return task


def due_in(hours: float = 0, *, minutes: float = 0, now: datetime | None = None) -> datetime:
    """A due time from now."""
    return (now or timezone.now()) + timedelta(hours=hours, minutes=minutes)
