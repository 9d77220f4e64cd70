"""Writes on cases other than status changes: open a case, edit its working fields, add a note.
Each is atomic, locks the row and appends its audit event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import limits, roles
from core.errors import InvalidInput, TransitionConflict
from core.roles import User, actor_or_none

from ..catalog import CaseKind, default_team
from ..models import Booking, Case, CaseEvent, CaseStatus, EventType
from . import sla
from .audit import append_event, plain
from .transitions import lock_case

EDITABLE_FIELDS = ("assignee", "priority", "team", "due_at", "subject", "description")


def create_case(
    *,
    actor: User | None,
    kind: str,
    channel: str,
    reporter: str,
    subject: str,
    description: str = "",
    booking: Booking | None = None,
    customer=None,
    partner=None,
    city=None,
    team: str | None = None,
    priority: str = "low",
    due_at: datetime | None = None,
    related_to: Case | None = None,
) -> Case:
    """Open a new case; links missing on the call are taken from the booking. `related_to`:
    the case this one is opened from (a complaint ticket, an escalation)."""
    if kind not in CaseKind.values:
        raise InvalidInput({"kind": f"Unknown case kind {kind!r}."})
    subject = limits.bounded(subject, "subject", limits.SUBJECT)
    if not subject:
        raise InvalidInput({"subject": "Say what the case is about."})
    description = limits.bounded(description, "description", limits.DESCRIPTION)
    if booking is not None:
        # A case on a booking is about its customer; the partner may differ (a case about the
        # partner who no longer holds the job after a reallocation), so it is not checked.
        if customer is not None and booking.customer_id != customer.pk:
            raise InvalidInput(
                {"customer": f"Booking {booking.external_id} is another customer's booking."}
            )
        customer = customer or booking.customer
        partner = partner or booking.partner
        city = city or booking.city
    if city is None and customer is not None:
        city = customer.city
    if city is None:
        raise InvalidInput({"city": "A case needs a city, a booking or a customer."})
    with transaction.atomic():
        case = Case(
            kind=kind,
            channel=channel,
            reporter=reporter,
            subject=subject,
            description=description,
            booking=booking,
            customer=customer,
            partner=partner,
            city=city,
            team=team or default_team(kind),
            priority=priority,
            due_at=due_at,
            related_to=related_to,
            created_by=actor_or_none(actor),
        )
        sla.start_clocks(case, at=case.created_at)
        case.save(force_insert=True)
        append_event(
            case,
            type=EventType.CREATED,
            actor=actor,
            to_state=case.status,
            payload={"kind": kind, "channel": channel, "team": case.team},
        )
    return case


def update_case(
    *,
    case_id: int,
    actor: User | None,
    changes: dict[str, Any],
    reason: str = "",
    role_checked: bool = False,
    policy_version: str | None = None,
) -> Case:
    """Change working fields (assignee, priority, team, due date...), one audit event each.

    `role_checked`: the caller has already decided who may do this (a decision a partner's own
    ticket triggered, a timer); `policy_version`: the version of the decision behind it."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({f: "This field cannot be edited here." for f in sorted(unknown)})
    if not role_checked:
        roles.require_role(actor, roles.CASE_WORKERS, doing="edit cases")
    for field, limit in (("subject", limits.SUBJECT), ("description", limits.DESCRIPTION)):
        if field in changes:
            changes = {**changes, field: limits.bounded(changes[field], field, limit)}
    if "subject" in changes and not changes["subject"]:
        raise InvalidInput({"subject": "Say what the case is about."})
    reason = limits.bounded(reason, "reason", limits.REASON)
    with transaction.atomic():
        case = lock_case(case_id)
        if case.status == CaseStatus.CLOSED:
            raise TransitionConflict(f"Case #{case.pk} is closed; reopen it to edit.")
        retarget = False
        for field, value in changes.items():
            before = getattr(case, field)
            if before == value:
                continue
            setattr(case, field, value)
            retarget = retarget or field == "priority"
            append_event(
                case,
                type=EventType.FIELD_CHANGE,
                actor=actor,
                reason=reason,
                payload={"field": field, "from": plain(before), "to": plain(value)},
                policy_version=policy_version,
            )
        if retarget:
            sla.retarget(case, at=timezone.now())
        case.save()
    return case


def add_note(*, case_id: int, actor: User, text: str, public: bool = False) -> CaseEvent:
    """Add an agent's note to the case's trail. A public note says what the agent told the
    customer by phone or elsewhere (nothing is sent from here): a first response on the SLA
    clock, and readable by the case's partner; an internal note is neither."""
    text = limits.bounded(text, "text", limits.NOTE)
    if not text:
        raise InvalidInput({"text": "A note cannot be empty."})
    with transaction.atomic():
        case = lock_case(case_id)
        event = append_event(
            case,
            type=EventType.NOTE,
            actor=actor,
            reason=text.strip(),
            payload={"public": True} if public else {},
        )
        if public:
            sla.mark_first_response(case.pk, at=event.at, actor=actor)
        return event
