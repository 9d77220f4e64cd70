"""A backtest: a candidate policy's parameters replayed over a period's stored decisions, and
what came out (kept, so the checker of a version reads it and the same inputs reuse it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BacktestState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Backtest(models.Model):
    label = models.CharField(max_length=120, help_text="What is tried, in words.")
    version = models.ForeignKey(
        "policies.PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backtests",
        help_text="The version whose parameters are tried (a draft, or one edited in the form).",
    )
    parameters = models.JSONField(help_text="Every parameter of the candidate, canonical.")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    filters = models.JSONField(default=dict, blank=True)
    # The same parameters, period and filters give the same result: it is reused.
    inputs_key = models.CharField(max_length=64, db_index=True)
    state = models.CharField(
        max_length=16, choices=BacktestState.choices, default=BacktestState.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    # The task that runs it holds a lease it renews as it goes; a lease that passes (the
    # worker died) is picked up by the recovery sweep (backtests.services.sweep_backtests).
    task_id = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["version", "-created_at"], name="backtest_by_version"),
            models.Index(
                fields=["lease_expires_at"],
                name="backtest_running_lease",
                condition=models.Q(state="running"),
            ),
        ]

    def __str__(self) -> str:
        return f"Backtest #{self.pk}: {self.label}"
