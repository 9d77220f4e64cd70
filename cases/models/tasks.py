"""Tasks: what a decision asks a person to do, with an owner, a due time and an outcome. A
task is a record on the case's queue, never a line of text to remember."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from ..catalog import Team
from .cases import Case
from .events import CaseEvent


class TaskState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Task(ConcurrentTransitionMixin, models.Model):
    """One thing to do on a case, for a team (and a person in it), by a time."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=48, help_text="The action kind that asked for it.")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    owner_team = models.CharField(max_length=32, choices=Team.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    due_at = models.DateTimeField()
    state = FSMField(default=TaskState.OPEN, choices=TaskState.choices, protected=True)
    decision = models.ForeignKey(
        CaseEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        help_text="The DECISION event that created it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    # Its clock: a warning to the owner before the due time, then the escalation to the team
    # lead when it passes (cases.services.timers); next_alert_at is the next of the two.
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    next_alert_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The queues: open work by due time, per owner, per team, per kind; a case's tasks.
            models.Index(fields=["due_at"], name="task_open_due", condition=models.Q(state="open")),
            models.Index(fields=["owner", "state", "due_at"], name="task_owner_state_due"),
            models.Index(fields=["owner_team", "state", "due_at"], name="task_team_state_due"),
            models.Index(fields=["kind", "state", "due_at"], name="task_kind_state_due"),
            models.Index(fields=["case", "state"], name="task_case_state"),
            models.Index(
                fields=["next_alert_at"],
                name="task_next_alert",
                condition=models.Q(next_alert_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="open") | models.Q(closed_at__isnull=False),
                name="task_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Task #{self.pk}: {self.title}"

    @property
    def is_overdue(self) -> bool:
        return self.state == TaskState.OPEN and self.due_at < timezone.now()

    @transition(field=state, source=TaskState.OPEN, target=TaskState.DONE)
    def complete(self) -> None:
        self.closed_at = timezone.now()
        self.next_alert_at = None

    @transition(field=state, source=TaskState.OPEN, target=TaskState.CANCELLED)
    def cancel(self) -> None:
        self.closed_at = timezone.now()
        self.next_alert_at = None
