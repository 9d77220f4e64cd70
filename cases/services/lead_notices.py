"""What the clock sweeps tell a team's lead, and times written in the case's zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from partners.selectors import region_id_of_city, working_calendar

from ..models import (
    Case,
    TeamLead,
)
from .notifications import Notice


def leads_of(teams: Iterable[str]) -> dict[str, TeamLead]:
    return {
        lead.team: lead
        for lead in TeamLead.objects.select_related("lead").filter(team__in=set(teams))
    }


def lead_notice(
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


def local_time(case: Case, at: datetime) -> str:
    """A moment as the case's region reads it (never the server's time zone)."""
    zone = working_calendar(region_id_of_city(case.city_id), at).zone
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}"
