"""The one transition path of the case state machine: every status change of a case, from the
API, the console, the SOP flows and the timers alike, goes through `transition_case`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_fsm import TransitionNotAllowed, can_proceed

from core import fsm, limits
from core.errors import InvalidInput, NotFoundError, NotPermitted, TransitionConflict
from core.roles import User
from events.services import FANNED, kick_after_commit, outbox_ctes, outbox_params

from ..events import outbox_events_for
from ..models import Case, CaseEvent, DispositionTag, EventType
from . import audit, sla

# What a transition may change (its own fields and the SLA clocks it moves): saving only the
# ones that changed keeps the UPDATE narrow.
TRANSITION_FIELDS = (
    "status",
    "parked_until",
    "disposition",
    "resolved_at",
    "closed_at",
    "updated_at",
    *sla.SLA_FIELDS,
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


@functools.cache
def _select_sql(lock: bool) -> tuple[str, tuple[str, ...]]:
    fields = Case._meta.concrete_fields
    columns = ", ".join(f'"{field.column}"' for field in fields)
    sql = f'SELECT {columns} FROM "{Case._meta.db_table}" WHERE "id" = %s'
    return sql + (" FOR UPDATE" if lock else ""), tuple(field.attname for field in fields)


def _read_case(case_id: int, *, lock: bool) -> Case:
    sql, attnames = _select_sql(lock)
    with connection.cursor() as cursor:
        cursor.execute(sql, (case_id,))
        row = cursor.fetchone()
    if row is None:
        raise NotFoundError(f"Case {case_id} does not exist.")
    return Case.from_db(connection.alias, attnames, row)


def lock_case(case_id: int) -> Case:
    """The case row, locked until the transaction ends (404 when there is none).

    One statement, no joins and no query building: a lock is on the hot path of every
    contended transition. The row becomes a model instance exactly as the ORM loads it."""
    return _read_case(case_id, lock=True)


@functools.cache
def _move_sql(changed: tuple[str, ...], outbox_rows: int) -> str:
    """One statement: save the fields a transition changed and append its event, or neither.

    The status guard makes it a compare-and-set: it writes only if the row is still in the
    state the transition was checked against (else it writes nothing and returns no row)."""
    table = Case._meta.db_table
    assignments = ", ".join(f'"{Case._meta.get_field(name).column}" = %s' for name in changed)
    update = f'UPDATE "{table}" SET {assignments} WHERE "id" = %s AND "status" = %s'
    # The outbox rows ride in the same statement: they exist exactly when the move does.
    outbox = f", {outbox_ctes('moved', outbox_rows)}" if outbox_rows else ""
    return (
        f'WITH moved AS ({update} RETURNING "id"){outbox} '
        f'{audit.EVENT_INSERT_INTO} SELECT moved."id", {audit.EVENT_PLACEHOLDERS} FROM moved '
        f'RETURNING "id", {FANNED if outbox_rows else 0}'
    )


# Apps above cases that must act in the transaction of a move (a survey queued when a case
# is resolved): (wants(to_state), hook(case, event)). A move no hook wants keeps its one
# statement; one a hook wants is written with the hook's rows in one transaction.
AfterMove = Callable[[Case, CaseEvent], None]
_AFTER_MOVE: list[tuple[Callable[[str], bool], AfterMove]] = []


def after_move(wants: Callable[[str], bool], hook: AfterMove) -> None:
    """Call `hook` inside the transaction of every move whose target state `wants` accepts
    (registered at ready(); idempotent)."""
    if (wants, hook) not in _AFTER_MOVE:
        _AFTER_MOVE.append((wants, hook))


class _StateMoved(Exception):
    """The row left the state it was read in before the write (someone else moved it)."""


def _write(case: Case, from_state: str, before: tuple[Any, ...], event: CaseEvent) -> None:
    """Write the transition's changed fields and its event in one round trip."""
    case.updated_at = timezone.now()
    after = _transition_values(case)
    changed = tuple(
        name
        for name, old, new in zip(TRANSITION_FIELDS, before, after, strict=True)
        if old != new or name == "updated_at"
    )
    values = [
        value for name, value in zip(TRANSITION_FIELDS, after, strict=True) if name in changed
    ]
    outbox = outbox_events_for(case, event)
    with connection.cursor() as cursor:
        cursor.execute(
            _move_sql(changed, len(outbox)),
            (*values, case.pk, from_state, *outbox_params(outbox), *audit.event_params(event)),
        )
        row = cursor.fetchone()
    if row is None:
        raise _StateMoved
    audit.mark_written(event, row[0])
    if row[1]:  # deliveries were written: a worker sends them once this commits
        kick_after_commit()
    fsm.mark_saved(case)  # as ConcurrentTransitionMixin.save does after its write


def _transition_values(case: Case) -> tuple[Any, ...]:
    return tuple(getattr(case, Case._meta.get_field(name).attname) for name in TRANSITION_FIELDS)


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
            text = str(raw)
            is_id = text.isascii() and text.isdigit() and len(text) < 19
            lookup = {"pk": int(text)} if is_id else {"path": text}
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

    Checks the source state, the actor's role and the transition's inputs and conditions,
    transitions, and writes only the fields the transition changed together with its
    TRANSITION event in one statement that holds only if the row is still in the state it
    was checked against. When someone moved the case in between, the case is locked, read
    again and checked again on its fresh state: of two agents acting at once one wins and
    the other acts on (or is refused by, 409) the new state; nothing is half-written.
    `role_checked`: the caller has already decided who may do this (a timer, a partner's own
    OOS ticket), so the role check is skipped. `policy_version`: the version of the decision
    that asked for the move (default: the one in force now).
    """
    if name not in transition_names():
        raise InvalidInput({"transition": f"Unknown transition {name!r}."})
    if len(reason) > limits.REASON:
        reason = limits.bounded(reason, "reason", limits.REASON)
    move = functools.partial(
        _move,
        name=name,
        actor=actor,
        reason=reason,
        data=data or {},
        expected_status=expected_status,
        role_checked=role_checked,
        policy_version=policy_version,
    )
    try:
        # The common case, uncontended: a read and one compare-and-set statement.
        return move(_read_case(case_id, lock=False))
    except _StateMoved:
        pass
    with transaction.atomic():
        try:
            return move(lock_case(case_id))
        except _StateMoved:  # pragma: no cover - the row lock makes this impossible
            raise TransitionConflict(
                f"Case #{case_id} changed while it was being moved. Reload and try again.",
                code="stale_state",
            ) from None


def _move(
    case: Case,
    *,
    name: str,
    actor: User | None,
    reason: str,
    data: dict[str, Any],
    expected_status: str | None,
    role_checked: bool,
    policy_version: str | None,
) -> Case:
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
    if not role_checked and not fsm.may_take(case, name, actor):
        raise NotPermitted(f"Your role may not {name.replace('_', ' ')} a case.")
    before = _transition_values(case)
    applied = _apply_inputs(case, name, data)
    if not can_proceed(method):
        raise TransitionConflict(f"Conditions for {name.replace('_', ' ')} are not met.")
    from_state = case.status
    try:
        method()
    except TransitionNotAllowed as exc:
        raise TransitionConflict(str(exc)) from exc
    sla.on_status_change(case, from_state=from_state, at=timezone.now())
    event = audit.new_event(
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
    hooks = [hook for wants, hook in _AFTER_MOVE if wants(case.status)]
    if not hooks:
        _write(case, from_state, before, event)
        return case
    with transaction.atomic():
        _write(case, from_state, before, event)
        for hook in hooks:
            hook(case, event)
    return case
