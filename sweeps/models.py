"""The last run of each sweep."""

from __future__ import annotations

from django.db import models


class SweepStatus(models.Model):
    """The last run of each sweep: what the health check reports."""

    name = models.CharField(max_length=64, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_processed = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    runs = models.PositiveBigIntegerField(default=0)

    class Meta:
        # The table the cases app made when the engine lived there (moved without a copy).
        db_table = "cases_sweepstatus"
        ordering = ["name"]
        verbose_name_plural = "sweep statuses"

    def __str__(self) -> str:
        return self.name
