"""The teams cases are routed to, as data: each with its lead (who escalations go to) and the
team's queue address. One row per team of the catalog, seeded by a migration."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..catalog import Team


class TeamLead(models.Model):
    """Who leads a team: escalations to the team are assigned to and notified to the lead."""

    team = models.CharField(max_length=32, choices=Team.choices, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
    )
    email = models.EmailField(
        blank=True, help_text="The team's queue address, copied on escalations."
    )

    class Meta:
        ordering = ["team"]
        verbose_name = "team lead"

    def __str__(self) -> str:
        return self.get_team_display()
