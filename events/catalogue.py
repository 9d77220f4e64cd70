"""The catalogue of event types: each domain app declares its own (name, payload version, what
it means, the subject it is about, an example payload) in its `events` module; `record_event`
accepts only declared types and payloads with exactly the declared fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NAME_PATTERN = r"^[a-z_]+\.[a-z_]+$"


@dataclass(frozen=True)
class EventType:
    """One kind of event and the shape of its payload (version `version`)."""

    name: str
    summary: str
    subject: str  # what the event is about: "case", "booking", "partner", "payout_run"...
    example: dict[str, Any] = field(hash=False)
    version: int = 1

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.example)


_CATALOGUE: dict[str, EventType] = {}


def declare(name: str, *, summary: str, subject: str, example: dict[str, Any], version: int = 1):
    """Declare an event type (once per name; declaring it again with another shape is a bug)."""
    import re

    if not re.match(NAME_PATTERN, name):
        raise ValueError(f"Event type names read 'thing.happened', not {name!r}.")
    kind = EventType(name=name, summary=summary, subject=subject, example=example, version=version)
    known = _CATALOGUE.get(name)
    if known is not None and (known.version, known.fields) != (kind.version, kind.fields):
        raise ValueError(f"Event type {name} is declared twice with different payloads.")
    _CATALOGUE[name] = kind
    return kind


def event_type(name: str) -> EventType:
    try:
        return _CATALOGUE[name]
    except KeyError:
        raise LookupError(f"{name!r} is not in the event catalogue.") from None


def catalogue() -> list[EventType]:
    """Every declared type, by name."""
    return [_CATALOGUE[name] for name in sorted(_CATALOGUE)]
