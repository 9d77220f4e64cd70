"""Recording events: one call from a domain service, inside the transaction of its change.
`record_event` writes one; `pending_event` + `record_events` write a batch in one statement;
`OUTBOX_INSERT_FROM` lets a service append events to its own single-statement write."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .catalogue import EventType, event_type
from .models import OutboxEvent


class EventShapeError(ValueError):
    """A payload whose fields are not the ones its type declares: a bug in the recorder."""


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    # Decimals as strings, moments as ISO text: what JSON receivers read without loss.
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def pending_event(
    type: EventType | str,
    subject: tuple[str, int | str],
    payload: dict[str, Any],
    *,
    at: datetime | None = None,
) -> OutboxEvent:
    """An event checked against its catalogue entry, not yet written. `subject` is what it is
    about, ("case", 42); the payload must carry exactly the fields its type declares."""
    kind = type if isinstance(type, EventType) else event_type(type)
    if set(payload) != kind.fields:
        missing = sorted(kind.fields - set(payload))
        extra = sorted(set(payload) - kind.fields)
        raise EventShapeError(f"{kind.name} payload: missing {missing}, not declared {extra}.")
    name, key = subject
    if name != kind.subject:
        raise EventShapeError(f"{kind.name} is about a {kind.subject}, not a {name}.")
    return OutboxEvent(
        uid=uuid.uuid4(),
        type=kind.name,
        version=kind.version,
        subject=f"{name}:{key}",
        payload=_plain(payload),
        occurred_at=at or timezone.now(),
    )


def record_event(
    type: EventType | str,
    subject: tuple[str, int | str],
    payload: dict[str, Any],
    *,
    at: datetime | None = None,
) -> OutboxEvent:
    """Write one event to the outbox in the caller's transaction (one INSERT: rolled back
    with the change it reports)."""
    event = pending_event(type, subject, payload, at=at)
    event.save(force_insert=True)
    return event


def record_events(events: list[OutboxEvent]) -> None:
    """Write a batch of pending events in one statement (a sweep's batch)."""
    if events:
        OutboxEvent.objects.bulk_create(events)


# For a service that writes its change in one statement (a data-modifying CTE): the outbox
# rows go into the same statement, so they exist exactly when the change does.
OUTBOX_COLUMNS = ("uid", "type", "version", "subject", "payload", "occurred_at")
_ROW = "(%s::uuid, %s, %s::smallint, %s, %s::jsonb, %s::timestamptz)"
_QUOTED = ", ".join(f'"{column}"' for column in OUTBOX_COLUMNS)


def outbox_insert_from(source: str, rows: int) -> str:
    """SQL inserting `rows` events for each row of the CTE `source` (none if it is empty)."""
    values = ", ".join([_ROW] * rows)
    table = OutboxEvent._meta.db_table
    return (
        f'INSERT INTO "{table}" ({_QUOTED}) SELECT v.* FROM {source}, '
        f"(VALUES {values}) AS v({_QUOTED})"
    )


def outbox_params(events: list[OutboxEvent]) -> list[Any]:
    """The parameters of outbox_insert_from for these pending events, in order."""
    params: list[Any] = []
    for event in events:
        params += [
            str(event.uid),
            event.type,
            event.version,
            event.subject,
            json.dumps(event.payload),
            event.occurred_at,
        ]
    return params
