"""Writes on cases: create, transition, edit, note. Each is atomic, locked and audited."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from policies.selectors import policy_in_force

from . import roles
from .catalog import CaseKind, default_team
from .errors import InvalidInput, NotFoundError, NotPermitted, TransitionConflict
from .models import Booking, Case, CaseEvent, CaseStatus, DispositionTag, EventType

# What a transition may change: saving only these keeps the UPDATE narrow.
TRANSITION_FIELDS = (
    "status",
    "parked_until",
    "disposition",
    "resolved_at",
    "closed_at",
    "updated_at",
)
EDITABLE_FIELDS = ("assignee", "priority", "team", "due_at", "subject", "description")


@functools.cache
def transition_names() -> tuple[str, ...]:
    """Every transition of the case state machine, in declaration order (fixed at import)."""
    seen: dict[str, None] = {}
    for t in Case._meta.get_field("status").get_all_transitions(Case):
        seen.setdefault(t.name, None)
    return tuple(seen)


def transition_sources(name: str) -> list[str]:
    return sorted(
        {
            str(t.source)
            for t in Case._meta.get_field("status").get_all_transitions(Case)
            if t.name == name
        }
    )


def _log(
    case: Case,
    *,
    type: str,
    actor: AbstractBaseUser | None,
    reason: str = "",
    payload: dict | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    policy_version: str | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        type=type,
        actor=actor if actor is not None and actor.is_authenticated else None,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        policy_version=policy_version
        if policy_version is not None
        else policy_in_force(timezone.now()).version,
    )


def create_case(
    *,
    actor: AbstractBaseUser | None,
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
) -> Case:
    """Open a new case; links missing on the call are taken from the booking."""
    if kind not in CaseKind.values:
        raise InvalidInput({"kind": f"Unknown case kind {kind!r}."})
    if booking is not None:
        customer = customer or booking.customer
        partner = partner or booking.partner
        city = city or booking.city
    if city is None and customer is not None:
        city = customer.city
    if city is None:
        raise InvalidInput({"city": "A case needs a city, a booking or a customer."})
    with transaction.atomic():
        case = Case.objects.create(
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
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        _log(
            case,
            type=EventType.CREATED,
            actor=actor,
            to_state=case.status,
            payload={"kind": kind, "channel": channel, "team": case.team},
        )
    return case


def _lock(case_id: int) -> Case:
    try:
        # No joins: the lock is on the hot path of every transition, and the disposition
        # is only read when resolving, where the caller sets it.
        return Case.objects.select_for_update().get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFoundError(f"Case {case_id} does not exist.") from None


def _apply_inputs(case: Case, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Set what a transition needs from the caller (park time, resolving tag); 400 when bad."""
    applied: dict[str, Any] = {}
    if name == "park":
        raw = data.get("parked_until")
        until = raw if isinstance(raw, datetime) else parse_datetime(str(raw or ""))
        if until is None:
            raise InvalidInput({"parked_until": "Give the date and time to park the case until."})
        if timezone.is_naive(until):
            until = timezone.make_aware(until)
        if until <= timezone.now():
            raise InvalidInput({"parked_until": "The park time must be in the future."})
        case.parked_until = until
        applied["parked_until"] = until.isoformat()
    elif name == "resolve":
        raw = data.get("disposition")
        tag = None
        if isinstance(raw, DispositionTag):
            tag = raw
        elif raw not in (None, ""):
            lookup = {"pk": raw} if str(raw).isdigit() else {"path": str(raw)}
            tag = DispositionTag.objects.filter(**lookup).first()
        if tag is None:
            raise InvalidInput({"disposition": "Choose the tag (disposition) to resolve with."})
        if not tag.applies_to(case.kind):
            raise InvalidInput(
                {"disposition": f"Tag '{tag.path}' does not apply to {case.get_kind_display()}."}
            )
        case.disposition = tag
        applied["disposition"] = tag.path
    return applied


def transition_case(
    *,
    case_id: int,
    name: str,
    actor: AbstractBaseUser,
    reason: str = "",
    data: dict[str, Any] | None = None,
    expected_status: str | None = None,
) -> Case:
    """Move a case along its state machine, or raise: 400 bad input, 403 role, 409 state.

    The row is locked for the whole transaction, so of two agents acting at once one wins and
    the other sees the new state and gets a TransitionConflict; nothing is half-written.
    """
    if name not in transition_names():
        raise InvalidInput({"transition": f"Unknown transition {name!r}."})
    with transaction.atomic():
        case = _lock(case_id)
        if expected_status and case.status != expected_status:
            raise TransitionConflict(
                f"Case #{case.pk} is now {case.get_status_display()}, not {expected_status}: "
                "someone changed it first. Reload and try again.",
                code="stale_state",
            )
        method = getattr(case, name)
        if not can_proceed(method, check_conditions=False):
            raise TransitionConflict(
                f"Cannot {name.replace('_', ' ')} case #{case.pk}: it is "
                f"{case.get_status_display()}; allowed only from "
                f"{', '.join(transition_sources(name))}."
            )
        if not method._django_fsm.has_transition_perm(case, case.status, actor):
            raise NotPermitted(f"Your role may not {name.replace('_', ' ')} a case.")
        applied = _apply_inputs(case, name, data or {})
        if not can_proceed(method):
            raise TransitionConflict(f"Conditions for {name.replace('_', ' ')} are not met.")
        from_state = case.status
        try:
            method()
        except TransitionNotAllowed as exc:
            raise TransitionConflict(str(exc)) from exc
        try:
            case.save(update_fields=TRANSITION_FIELDS)
        except ConcurrentTransition as exc:  # defence in depth next to the row lock
            raise TransitionConflict(str(exc), code="stale_state") from exc
        _log(
            case,
            type=EventType.TRANSITION,
            actor=actor,
            transition=name,
            from_state=from_state,
            to_state=case.status,
            reason=reason,
            payload=applied,
        )
    return case


def update_case(
    *, case_id: int, actor: AbstractBaseUser, changes: dict[str, Any], reason: str = ""
) -> Case:
    """Change working fields (assignee, priority, team, due date...), one audit event each."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({f: "This field cannot be edited here." for f in sorted(unknown)})
    if not roles.has_role(actor, roles.AGENT, roles.PARTNER_SUPPORT, roles.SUPERVISOR):
        raise NotPermitted("Your role may not edit cases.")
    with transaction.atomic():
        case = _lock(case_id)
        if case.status == CaseStatus.CLOSED:
            raise TransitionConflict(f"Case #{case.pk} is closed; reopen it to edit.")
        for field, value in changes.items():
            before = getattr(case, field)
            if before == value:
                continue
            setattr(case, field, value)
            _log(
                case,
                type=EventType.FIELD_CHANGE,
                actor=actor,
                reason=reason,
                payload={"field": field, "from": _plain(before), "to": _plain(value)},
            )
        case.save()
    return case


def add_note(*, case_id: int, actor: AbstractBaseUser, text: str) -> CaseEvent:
    if not text.strip():
        raise InvalidInput({"text": "A note cannot be empty."})
    with transaction.atomic():
        case = _lock(case_id)
        return _log(case, type=EventType.NOTE, actor=actor, reason=text.strip())


def unpark_due_cases(*, now: datetime | None = None, limit: int = 500) -> int:
    """Return parked cases whose park time has passed to the open queue. Safe to run twice."""
    now = now or timezone.now()
    done = 0
    with transaction.atomic():
        due = (
            Case.objects.select_for_update(skip_locked=True)
            .filter(status=CaseStatus.PARKED, parked_until__lte=now)
            .order_by("parked_until")[:limit]
        )
        for case in due:
            until = case.parked_until
            case.unpark()
            case.save()
            _log(
                case,
                type=EventType.TRANSITION,
                actor=None,
                transition="unpark",
                from_state=CaseStatus.PARKED,
                to_state=case.status,
                reason=f"Park time {until:%Y-%m-%d %H:%M} reached.",
            )
            done += 1
    return done


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime):
        return value.isoformat()
    return value
