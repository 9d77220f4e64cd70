"""Appending to a case's audit trail: the only writer of CaseEvent rows."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from core.roles import User, actor_or_none
from events.services import record_events
from policies.selectors import policy_in_force

from ..events import outbox_events_for
from ..models import Case, CaseEvent

# Events are written with one INSERT each: the trail is on the hot path of every transition,
# and it is append-only (a trigger refuses UPDATE and DELETE), so no ORM save is needed.
EVENT_TABLE = "cases_caseevent"
EVENT_COLUMNS = (
    "type",
    "actor_id",
    "at",
    "transition",
    "from_state",
    "to_state",
    "reason",
    "payload",
    "policy_version",
)
# Placeholders for EVENT_COLUMNS (the payload arrives as JSON text).
EVENT_PLACEHOLDERS = ", ".join("%s::jsonb" if c == "payload" else "%s" for c in EVENT_COLUMNS)
_QUOTED_COLUMNS = ", ".join(f'"{column}"' for column in ("case_id", *EVENT_COLUMNS))
EVENT_INSERT_INTO = f'INSERT INTO "{EVENT_TABLE}" ({_QUOTED_COLUMNS})'
_INSERT_EVENT = f'{EVENT_INSERT_INTO} VALUES (%s, {EVENT_PLACEHOLDERS}) RETURNING "id"'


def plain(value: Any) -> Any:
    """A field value as the audit payload stores it (rows by id, moments as ISO text)."""
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def new_event(
    case: Case,
    *,
    type: str,
    actor: User | None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    policy_version: str | None = None,
) -> CaseEvent:
    """An event for the case, not yet written; the policy version defaults to the one in
    force now."""
    at = timezone.now()
    return CaseEvent(
        case=case,
        type=type,
        actor=actor_or_none(actor),
        at=at,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        policy_version=policy_in_force(at).version if policy_version is None else policy_version,
    )


def event_params(event: CaseEvent) -> tuple[Any, ...]:
    """The values of EVENT_COLUMNS for an event, in order."""
    return (
        event.type,
        event.actor_id,
        event.at,
        event.transition,
        event.from_state,
        event.to_state,
        event.reason,
        json.dumps(event.payload, cls=DjangoJSONEncoder),
        event.policy_version,
    )


def mark_written(event: CaseEvent, pk: int) -> CaseEvent:
    """The event as the ORM would hold it once saved."""
    event.pk = pk
    event._state.adding = False
    event._state.db = connection.alias
    return event


def append_event(case: Case, **fields: Any) -> CaseEvent:
    """Append one event to the case's trail (inside the caller's transaction) and return it.
    Takes the fields of new_event: type, actor, reason, payload, transition, from_state,
    to_state, policy_version."""
    event = new_event(case, **fields)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_EVENT, (case.pk, *event_params(event)))
        written = mark_written(event, cursor.fetchone()[0])
    record_events(outbox_events_for(case, written))  # what receivers must hear of it
    return written


def append_events(events: list[CaseEvent]) -> None:
    """Write many new events in one statement (a sweep's batch)."""
    if events:
        CaseEvent.objects.bulk_create(events)
        record_events([out for event in events for out in outbox_events_for(event.case, event)])
