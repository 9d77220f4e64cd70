"""The one transition path of the case state machine: every status change of a case, from the
API, the console, the SOP flows and the timers alike, goes through `transition_case`."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from core.errors import InvalidInput, NotPermitted, TransitionConflict
from core.locks import lock_row
from core.roles import User

from ..models import Case, DispositionTag, EventType
from .audit import append_event

# What a transition may change: saving only these keeps the UPDATE narrow.
TRANSITION_FIELDS = (
    "status",
    "parked_until",
    "disposition",
    "resolved_at",
    "closed_at",
    "updated_at",
)


@functools.cache
def transition_names() -> tuple[str, ...]:
    """Every transition of the case state machine, in declaration order (fixed at import)."""
    seen: dict[str, None] = {}
    for t in Case._meta.get_field("status").get_all_transitions(Case):
        seen.setdefault(t.name, None)
    return tuple(seen)


@functools.cache
def transition_sources(name: str) -> tuple[str, ...]:
    """The states a transition may start from, sorted."""
    return tuple(
        sorted(
            {
                str(t.source)
                for t in Case._meta.get_field("status").get_all_transitions(Case)
                if t.name == name
            }
        )
    )


def lock_case(case_id: int) -> Case:
    """The case row, locked until the transaction ends (404 when there is none).

    No joins: the lock is on the hot path of every transition, and the disposition is only
    read when resolving, where the caller sets it."""
    return lock_row(Case, case_id)


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
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    expected_status: str | None = None,
    role_checked: bool = False,
    policy_version: str | None = None,
) -> Case:
    """Move a case along its state machine, or raise: 400 bad input, 403 role, 409 state.

    Locks the row, checks the source state, the actor's role and the transition's inputs and
    conditions, transitions, saves only the fields a transition changes and appends the
    TRANSITION event, all in one transaction: of two agents acting at once one wins and the
    other sees the new state and gets a TransitionConflict; nothing is half-written.
    `role_checked`: the caller has already decided who may do this (a timer, a partner's own OOS
    ticket), so the role check is skipped. `policy_version`: the version of the decision that
    asked for the move (default: the one in force now).
    """
    if name not in transition_names():
        raise InvalidInput({"transition": f"Unknown transition {name!r}."})
    with transaction.atomic():
        case = lock_case(case_id)
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
        if not role_checked and not method._django_fsm.has_transition_perm(
            case, case.status, actor
        ):
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
        append_event(
            case,
            type=EventType.TRANSITION,
            actor=actor,
            transition=name,
            from_state=from_state,
            to_state=case.status,
            reason=reason,
            payload=applied,
            policy_version=policy_version,
        )
    return case
