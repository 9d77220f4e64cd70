"""A case's history in sentences, newest first: who did what, from what to what, and why.
Ids in the audit payloads (people, tags) are named with one query each, whatever the
number of events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

from core.times import when

from .catalog import Team
from .models import Case, CaseEvent, CaseStatus, DispositionTag, EventType

LIMIT = 200
PEOPLE_FIELDS = {"assignee", "owner", "created_by"}
FIELD_WORDS = {
    "assignee": "the assignee",
    "owner": "the task's owner",
    "priority": "the priority",
    "team": "the team",
    "due_at": "the due time",
    "subject": "the subject",
    "description": "the description",
    "disposition": "the tag",
    "paf_state": "the PAF's state",
}


def _flow_title_as_is(name: str) -> str:
    return name.replace("_", " ")


# A decision names its flow by id; the flow engine (above cases) says its title in words.
_flow_title: Callable[[str], str] = _flow_title_as_is


def register_flow_titles(title_of: Callable[[str], str]) -> None:
    """Set how a decision's flow is named in the timeline (flows.apps.ready)."""
    global _flow_title
    _flow_title = title_of


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    kind: str  # the event type, for an icon or a filter
    sentence: str
    reason: str
    policy_version: str
    public: bool = False


def _state(value: str) -> str:
    if not value:
        return "nothing"
    try:
        return CaseStatus(value).label
    except ValueError:
        return value.replace("_", " ")


def _words(value: Any) -> str:
    if value in (None, ""):
        return "(none)"
    if isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return when(moment)
        try:
            return Team(value).label
        except ValueError:
            return value.replace("_", " ") if value.islower() else value
    return str(value)


class _Names:
    """People and tags named in a page of events, each fetched once."""

    def __init__(self, events: list[CaseEvent]):
        people: set[int] = set()
        tags: set[int] = set()
        for event in events:
            payload = event.payload or {}
            field = payload.get("field")
            for key in ("from", "to"):
                value = payload.get(key)
                if isinstance(value, int):
                    if field in PEOPLE_FIELDS:
                        people.add(value)
                    elif field == "disposition":
                        tags.add(value)
            if isinstance(payload.get("disposition"), int):
                tags.add(payload["disposition"])
        users = get_user_model().objects.filter(pk__in=people) if people else []
        self.people = {u.pk: u.get_username() for u in users}
        rows = DispositionTag.objects.filter(pk__in=tags) if tags else []
        self.tags = {t.pk: t.path for t in rows}

    def value(self, field: str | None, value: Any) -> str:
        if isinstance(value, int) and field in PEOPLE_FIELDS:
            return self.people.get(value, f"user {value}")
        if isinstance(value, int) and field == "disposition":
            return self.tags.get(value, f"tag {value}")
        return _words(value)


def _sentence(event: CaseEvent, names: _Names) -> str:
    payload = event.payload or {}
    kind = event.type
    if kind == EventType.CREATED:
        channel = _words(payload.get("channel", ""))
        return f"opened the case ({channel}) for {_words(payload.get('team', ''))}"
    if kind == EventType.TRANSITION:
        name = event.transition.replace("_", " ")
        return f"{name}: {_state(event.from_state)} → {_state(event.to_state)}"
    if kind == EventType.NOTE:
        return "added a public note" if payload.get("public") else "added an internal note"
    if kind == EventType.CALL_ATTEMPT:
        outcome = _words(payload.get("outcome", ""))
        return f"called the customer (attempt {payload.get('attempt', 1)}): {outcome}"
    if kind == EventType.FIELD_CHANGE:
        field = payload.get("field")
        words = FIELD_WORDS.get(field or "", _words(field or "a field"))
        before = names.value(field, payload.get("from"))
        after = names.value(field, payload.get("to"))
        return f"changed {words} from {before} to {after}"
    if kind == EventType.DECISION:
        outcome = _words(payload.get("outcome", ""))
        verb = "was refused by the SOP" if payload.get("refused") else "decided with the SOP"
        flow = _flow_title(payload.get("flow", ""))
        tasks = len(payload.get("tasks") or [])
        tail = f"; {tasks} task{'s' if tasks != 1 else ''} created" if tasks else ""
        return f"{verb} ({flow}): {outcome}{tail}" if flow else f"{verb}: {outcome}{tail}"
    if kind == EventType.TASK:
        state = payload.get("state")
        if state:
            return f"closed a task ({_words(payload.get('kind', ''))})"
        if payload.get("field") == "owner":
            return (
                f"reassigned a task from {names.value('owner', payload.get('from'))}"
                f" to {names.value('owner', payload.get('to'))}"
            )
        return f"created a task ({_words(payload.get('kind', ''))})"
    if kind == EventType.ESCALATION:
        return f"escalated the case to {_words(payload.get('team', ''))}"
    if kind == EventType.CLOCK:
        return (event.transition or "clock").replace("_", " ")
    if kind == EventType.RATING:
        if payload.get("sent"):
            return "sent the customer a satisfaction survey"
        return f"rated the support {payload.get('rating')}/5"
    if kind == EventType.MESSAGE:
        subject = payload.get("subject") or "(no subject)"
        party = _words(payload.get("party", ""))
        if payload.get("direction") == "out":
            return f"e-mailed the {party.lower()}: {subject}"
        auto = " (automatic)" if payload.get("automatic") else ""
        return f"wrote by e-mail{auto}: {subject}"
    return event.get_type_display()


def _who(event: CaseEvent) -> str:
    if event.actor:
        return event.actor.get_username()
    if event.type == EventType.MESSAGE and (event.payload or {}).get("from"):
        return event.payload["from"]  # the sender of a mail received
    if event.type == EventType.RATING and not (event.payload or {}).get("sent"):
        return "The customer"
    return "System"


def recent_events(case: Case, limit: int = LIMIT) -> list[CaseEvent]:
    """The case's latest events, newest first, with their actors (one query)."""
    return list(
        CaseEvent.objects.filter(case=case).select_related("actor").order_by("-at", "-id")[:limit]
    )


def case_timeline(
    case: Case, limit: int = LIMIT, *, events: list[CaseEvent] | None = None
) -> list[Entry]:
    """The case's events newest first, as sentences (three queries, or two given the events
    recent_events read)."""
    if events is None:
        events = recent_events(case, limit)
    names = _Names(events)
    return [
        Entry(
            at=event.at,
            who=_who(event),
            kind=event.type,
            sentence=_sentence(event, names),
            reason=event.reason,
            policy_version=event.policy_version,
            public=bool((event.payload or {}).get("public")),
        )
        for event in events
    ]
