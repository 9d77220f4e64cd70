"""What the console keeps per user: saved views of a list (its filters and search) and the
time zone the console writes times in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SavedView(models.Model):
    """A list with its filters, saved under a name by one user ("my breached")."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    path = models.CharField(max_length=200, help_text="The console list, e.g. /admin/cases/case/.")
    query = models.CharField(max_length=1000, blank=True, help_text="Its filters and search.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


class TimeZonePreference(models.Model):
    """The zone a user reads times in on pages that are not about one region's record (lists,
    the home page, policy versions). Without a row: settings.TIME_ZONE."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_zone_preference"
    )
    time_zone = models.CharField(max_length=64, help_text="An IANA name, e.g. Africa/Cairo.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} reads times in {self.time_zone}"
