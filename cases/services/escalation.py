"""Escalating a case: to a team (whose lead is in data), with the priority raised, the lead
told in the app and by e-mail, and the move audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from core.roles import User

from ..catalog import Team
from ..models import Case, EventType, Priority, TeamLead
from .audit import append_event
from .cases import update_case
from .notifications import notify

PRIORITY_ORDER = [Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.URGENT]


def higher_priority(current: str, wanted: str) -> str:
    """The higher of two priorities (an escalation never lowers one)."""
    return max(current, wanted, key=PRIORITY_ORDER.index)


@dataclass(frozen=True)
class Escalated:
    """Where an escalated case went: the team, its lead (None: the team's queue), what changed."""

    team: str
    lead_id: int | None
    changes: dict


def escalate_case(
    *,
    case_id: int,
    team: str,
    priority: str,
    reason: str,
    actor: User | None,
    role_checked: bool = False,
    policy_version: str | None = None,
) -> Escalated:
    """Move the case to the team, assign its lead (or leave it in the team's queue), raise the
    priority to at least `priority`, notify the lead (in the app and by e-mail, the team's
    address in copy) and append an ESCALATION event."""
    if team not in Team.values:
        raise ValueError(f"unknown team {team!r}")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        lead = TeamLead.objects.select_related("lead").filter(team=team).first()
        lead_user = lead.lead if lead is not None and lead.lead_id else None
        changes = {
            "team": team,
            "assignee": lead_user,
            "priority": higher_priority(case.priority, priority),
        }
        changes = {name: value for name, value in changes.items() if getattr(case, name) != value}
        if changes:
            update_case(
                case_id=case.pk,
                actor=actor,
                changes=changes,
                reason=f"Escalated to {Team(team).label}: {reason}",
                role_checked=role_checked,
                policy_version=policy_version,
            )
            case.refresh_from_db()
        append_event(
            case,
            type=EventType.ESCALATION,
            actor=actor,
            reason=f"Escalated to {Team(team).label}: {reason}",
            payload={
                "team": team,
                "lead": lead_user.pk if lead_user else None,
                "priority": case.priority,
            },
            policy_version=policy_version,
        )
        if lead_user is not None:
            notify(
                lead_user,
                kind="escalation",
                title=f"Case #{case.pk} escalated to {Team(team).label}",
                body=f"{case.get_kind_display()}: {case.subject}\n{reason}\nPriority: "
                f"{case.get_priority_display()}.",
                case=case,
                cc=[lead.email] if lead.email else [],
            )
    return Escalated(team=team, lead_id=lead_user.pk if lead_user else None, changes=changes)
