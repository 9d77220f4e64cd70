"""Replaying one stored decision under another policy version: the same pure decision function
the flow (or the gate) called, with the inputs stored with the decision (what the agent gave
and what the records filled, as they were then), never today's records.

A decision is replayable when its stored inputs hold everything its function reads. It is
not when it was made outside the flow table by a function we do not know, or when a filled
input was stored only as a summary (a business calendar is stored as its weekend days and a
holiday count); such decisions are counted with the reason, never guessed at.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.flow import Flow
from flows.inputs import FieldError
from flows.table import FLOWS
from policies.calendar import BusinessCalendar
from policies.decision import Decision
from policies.parameters import Policy
from policies.sop import oos, revisits

SAME, CHANGED, NOT_REPLAYABLE = "same", "changed", "not_replayable"

# Decisions made outside the flow table, by a gate of flows.intake, stored with flow "": the
# function is known by the names of its inputs (each gate stores all of them).
GATES: tuple[Flow, ...] = (
    Flow(
        "gate.revisit_request",
        "A revisit asked for (warranty)",
        "Revisit",
        (),
        revisits.may_create_revisit,
    ),
    Flow(
        "gate.oos_ticket",
        "An out-of-scope ticket raised (radius, RWM, images)",
        "Out of scope",
        (),
        oos.decide_oos_eligibility,
    ),
)


def _parameter_names(flow: Flow) -> frozenset[str]:
    return frozenset(spec.name for spec in flow.parameters)


_GATES_BY_INPUTS = {_parameter_names(gate): gate for gate in GATES}


@dataclass(frozen=True)
class Call:
    """A stored decision made callable again: its function (as a Flow) and its arguments."""

    flow: Flow
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class Replay:
    status: str  # SAME, CHANGED or NOT_REPLAYABLE
    flow: str
    stored: dict[str, Any]  # outcome, refused, tag, reason, actions as stored
    candidate: Decision | None = None
    why: str = ""  # why not replayable
    candidate_data: dict[str, Any] | None = None  # candidate.to_dict(), made once

    @property
    def candidate_outcome(self) -> str | None:
        return self.candidate.outcome if self.candidate is not None else None


_WHOLE: dict[str, frozenset[str]] = {}


def _taken_whole(flow: Flow) -> frozenset[str]:
    """The parameters the records fill with an object no input type reads (a calendar): the
    trail stores a summary of them (flows.flow.plain_value)."""
    whole = _WHOLE.get(flow.name)
    if whole is None:
        hints = typing.get_type_hints(flow.decide)
        whole = frozenset(name for name in flow.fills if not flow._derivable(name, hints[name]))
        _WHOLE[flow.name] = whole
    return whole


def _read_whole(flow: Flow, name: str, value: Any) -> Any:
    """A filled record no input type reads, back from the trail's JSON."""
    hint = typing.get_type_hints(flow.decide)[name]
    if hint is BusinessCalendar:
        if not isinstance(value, Mapping) or "holiday_dates" not in value:
            raise LookupError(f"{name} was stored as a summary (before calendars were kept whole)")
        return BusinessCalendar(
            weekend_days=frozenset(int(day) for day in value["weekend_days"]),
            holidays=frozenset(date.fromisoformat(day) for day in value["holiday_dates"]),
        )
    if typing.get_args(hint) == (tuple[date, str],):  # (local day, outcome) of earlier calls
        return tuple((date.fromisoformat(day), str(outcome)) for day, outcome in value)
    raise LookupError(f"{name} has no reader for {hint!r}")


def _coerce(flow: Flow, values: Mapping[str, Any], zone: ZoneInfo | None = None) -> dict[str, Any]:
    specs = {spec.name: spec for spec in flow.parameters}
    whole = _taken_whole(flow)
    kwargs: dict[str, Any] = {}
    for name, spec in specs.items():
        if name in values:
            if name in whole:
                kwargs[name] = _read_whole(flow, name, values[name])
                continue
            try:
                kwargs[name] = spec.coerce(values[name])
            except FieldError as exc:
                raise LookupError(f"{name} does not read back ({exc})") from None
            if zone is not None and isinstance(kwargs[name], datetime):
                kwargs[name] = kwargs[name].astimezone(zone)  # as the flow passed it
        elif spec.nullable and not spec.has_default:
            kwargs[name] = None  # "not known yet", as the flow passed it
        elif not spec.has_default:
            raise LookupError(f"{name} was not stored")
    return kwargs


def _zone(payload: Mapping[str, Any]) -> ZoneInfo | None:
    """The zone the flow read its moments in (stored since backtests; before, a moment keeps
    the offset it was stored with, which is the same instant)."""
    try:
        return ZoneInfo(payload["zone"]) if payload.get("zone") else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def call_of(payload: Mapping[str, Any]) -> Call | str:
    """The stored decision as a call, or why it cannot be replayed."""
    name = payload.get("flow") or ""
    try:
        if name:
            flow = FLOWS.get(name)
            if flow is None:
                return f"the flow {name!r} is no longer in the table"
            given = dict(payload.get("given_inputs") or {})
            filled = dict(payload.get("filled_inputs") or {})
            return Call(flow, _coerce(flow, {**filled, **given}, _zone(payload)))
        inputs = dict(payload.get("inputs") or {})
        gate = _GATES_BY_INPUTS.get(frozenset(inputs))
        if gate is None:
            return "made outside the flow table by a function not known to the backtest"
        return Call(gate, _coerce(gate, inputs))
    except LookupError as exc:
        return str(exc.args[0])


def stored_of(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "outcome": payload.get("outcome"),
        "refused": bool(payload.get("refused")),
        "tag": payload.get("tag"),
        "reason": payload.get("reason", ""),
        "actions": list(payload.get("actions") or []),
    }


def same_decision(stored: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Same outcome, refusal, tag and actions (with their parameters, to the paisa); the
    reason differs anyway where it names the version. `data`: the candidate's to_dict()."""
    return (
        stored["outcome"] == data["outcome"]
        and stored["refused"] == data["refused"]
        and stored["tag"] == data["tag"]
        and stored["actions"] == data["actions"]
    )


def replay(payload: Mapping[str, Any], policy: Policy) -> Replay:
    """Decide the stored decision again under `policy`."""
    stored = stored_of(payload)
    call = call_of(payload)
    label = payload.get("flow") or ""
    if isinstance(call, str):
        return Replay(NOT_REPLAYABLE, label, stored, why=call)
    try:
        candidate = call.flow.decide(**call.kwargs, policy=policy)
    except (ValueError, TypeError) as exc:
        return Replay(NOT_REPLAYABLE, call.flow.name, stored, why=f"the function refused: {exc}")
    data = candidate.to_dict()
    status = SAME if same_decision(stored, data) else CHANGED
    return Replay(status, call.flow.name, stored, candidate, candidate_data=data)
