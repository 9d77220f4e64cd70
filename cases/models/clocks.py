"""What the clocks the system keeps leave behind: a fire-once record per (case, clock, due
time), the SOP clocks set on a case (close a follow-up ticket at 7 days...), and the state of
each sweep for the health check."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .cases import Case


class ClockFiring(models.Model):
    """A clock fired on a case. The unique key makes a firing happen once, whichever sweep
    gets there first and however often a crashed sweep is retried."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clock_firings")
    clock = models.CharField(max_length=64)
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-fired_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "clock", "due_at"], name="clock_firing_once"),
        ]

    def __str__(self) -> str:
        return f"{self.clock} on case #{self.case_id} due {self.due_at:%Y-%m-%d %H:%M}"


class CaseClockState(models.TextChoices):
    PENDING = "pending", "Pending"
    FIRED = "fired", "Fired"
    CANCELLED = "cancelled", "Cancelled"


class CaseClock(models.Model):
    """An SOP clock set on a case by a decision: when it falls due the sweep carries out
    what the SOP says happens then (flows.clocks), once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clocks")
    kind = models.CharField(max_length=48)
    due_at = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=CaseClockState.choices, default=CaseClockState.PENDING
    )
    params = models.JSONField(default=dict, blank=True)
    policy_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    fired_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="case_clock_pending_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["case", "state"], name="case_clock_case_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(state="pending"),
                name="case_clock_one_pending_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on case #{self.case_id} due {self.due_at:%Y-%m-%d %H:%M}"
