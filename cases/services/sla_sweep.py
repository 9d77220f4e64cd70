"""The SLA sweep: warnings before a clock's target, breaches at it (the priority raised,
the lead told), each firing recorded once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.db import transaction

from policies import sla as sla_policy
from sweeps.engine import SweepResult, run_sweep, update_rows

from ..models import (
    Case,
    CaseEvent,
    EventType,
    TeamLead,
)
from .audit import append_events, new_event
from .case_clocks import record_firings
from .lead_notices import lead_notice, leads_of, local_time
from .notifications import Notice, notify_many
from .sla import clocks_of, policy_of, put

SLA_WARNING = "sla_warning"
SLA_FIRST_RESPONSE = "sla_first_response"
SLA_RESOLUTION = "sla_resolution"
_SLA_SAVED = (
    "priority",
    "sla_warned_at",
    "first_response_breached_at",
    "resolution_breached_at",
    "next_deadline_at",
    "updated_at",
)


def _sla_due(case: Case, now: datetime) -> list[tuple[str, datetime]]:
    """What is due on the case at `now`: the warning (skipped when the resolution breach fires
    at the same time) and the two breaches."""
    due: list[tuple[str, datetime]] = []
    clocks = clocks_of(case)
    resolution_due = (
        clocks.resolution_due_at is not None
        and clocks.resolution_breached_at is None
        and clocks.resolution_due_at <= now
    )
    if (
        clocks.first_response_due_at is not None
        and clocks.first_responded_at is None
        and clocks.first_response_breached_at is None
        and clocks.first_response_due_at <= now
    ):
        due.append((SLA_FIRST_RESPONSE, clocks.first_response_due_at))
    if resolution_due:
        due.append((SLA_RESOLUTION, clocks.resolution_due_at))
    if (
        clocks.warn_at is not None
        and clocks.warned_at is None
        and clocks.warn_at <= now
        and not resolution_due
        and clocks.resolution_breached_at is None
    ):
        due.append((SLA_WARNING, clocks.warn_at))
    return due


def sla_batch(now: datetime, limit: int) -> int:
    """One batch of the SLA sweep: warnings to the assignee (or the team lead when nobody is
    assigned), breaches marked, the priority raised by the policy and the team lead told; one
    CLOCK event per firing."""
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_deadline_at__lte=now)
            .select_related("assignee")
            .order_by("next_deadline_at")[:limit]
        )
        if not cases:
            return 0
        due = {case.pk: _sla_due(case, now) for case in cases}
        fired = record_firings(
            ((case_id, clock, at) for case_id, items in due.items() for clock, at in items),
            at=now,
        )
        leads = leads_of(case.team for case in cases)
        events: list[CaseEvent] = []
        notices: list[Notice] = []
        for case in cases:
            _fire_sla(case, due[case.pk], fired, now, leads, events, notices)
        update_rows(Case, cases, _SLA_SAVED)
        append_events(events)
        notify_many(notices, subject="SLA alerts")
    return len(cases)


def _fire_sla(
    case: Case,
    due: list[tuple[str, datetime]],
    fired: set[tuple],
    now: datetime,
    leads: dict[str, TeamLead],
    events: list[CaseEvent],
    notices: list[Notice],
) -> None:
    clocks = clocks_of(case)
    breached = []
    for clock, at in due:
        if clock == SLA_WARNING:
            clocks = replace(clocks, warned_at=now)
        elif clock == SLA_FIRST_RESPONSE:
            clocks = replace(clocks, first_response_breached_at=now)
            breached.append((clock, at))
        else:
            clocks = replace(clocks, resolution_breached_at=now, warned_at=clocks.warned_at or now)
            breached.append((clock, at))
    put(case, clocks)
    case.updated_at = now
    new = [(clock, at) for clock, at in due if (case.pk, clock, at) in fired]
    if not new:
        return  # another sweep fired these: the markers above only take the case off the queue
    before = case.priority
    if any(clock != SLA_WARNING for clock, _ in new):
        case.priority = sla_policy.raised_priority(case.priority, policy=policy_of(case))
    lead = leads.get(case.team)
    for clock, at in new:
        label = {
            SLA_WARNING: "SLA warning: resolution due soon",
            SLA_FIRST_RESPONSE: "SLA breached: no first response",
            SLA_RESOLUTION: "SLA breached: not resolved in time",
        }[clock]
        when = f"due {local_time(case, case.resolution_due_at if clock == SLA_WARNING else at)}"
        payload = {"clock": clock, "due_at": at.isoformat()}
        reason = f"{label} ({when})."
        if clock != SLA_WARNING:
            payload |= {"priority_from": before, "priority_to": case.priority}
            if case.priority != before:
                reason += f" Priority raised from {before} to {case.priority}."
        events.append(
            new_event(
                case,
                type=EventType.CLOCK,
                actor=None,
                transition=clock,
                reason=reason,
                payload=payload,
                policy_version=case.sla_version,
            )
        )
        title = f"Case #{case.pk} {label.lower()}"
        body = f"{case.get_kind_display()}: {case.subject} ({when})"
        if clock == SLA_WARNING and case.assignee_id is not None:
            notices.append(
                Notice(
                    recipient_id=case.assignee_id,
                    email=case.assignee.email,
                    kind=clock,
                    title=title,
                    body=body,
                    case_id=case.pk,
                )
            )
            continue
        notice = lead_notice(lead, kind=clock, title=title, body=body, case_id=case.pk)
        if notice is not None:
            notices.append(notice)


def sweep_sla(*, now: datetime | None = None, **options) -> SweepResult:
    return run_sweep("sla", sla_batch, now=now, **options)
