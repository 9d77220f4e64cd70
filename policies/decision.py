"""Explainable decisions: what an SOP concluded, what the service layer must do, and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum

from .actions import ActionKind
from .parameters import Policy

# Kept for callers that list the vocabulary as plain strings.
ACTION_KINDS: frozenset[str] = frozenset(kind.value for kind in ActionKind)


def to_jsonable(value: object) -> object:
    """Turn a decision value into plain JSON types (Decimals as exact strings)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_jsonable(item) for item in items]
    raise TypeError(f"cannot serialise {type(value).__name__} in a decision")


def _freeze(value: object) -> object:
    """Make nested inputs hashable so a Decision stays a true value object."""
    if isinstance(value, Mapping):
        return tuple((str(key), _freeze(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(_freeze(item) for item in value)
    return value


@dataclass(frozen=True)
class Action:
    """One thing the service layer must do, with its parameters as ordered (name, value) pairs."""

    kind: ActionKind
    params: tuple[tuple[str, object], ...] = ()

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", ActionKind(self.kind))
        except ValueError:
            raise ValueError(f"unknown action kind {self.kind!r}") from None
        names = [name for name, _ in self.params]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate parameter in action {self.kind!r}: {names}")
        object.__setattr__(
            self, "params", tuple((str(name), _freeze(value)) for name, value in self.params)
        )

    @classmethod
    def of(cls, kind: ActionKind | str, /, **params: object) -> Action:
        """Action.of(ActionKind.CREATE_REFUND, amount=Decimal("100"), reason="goodwill")."""
        return cls(kind, tuple(params.items()))

    def param(self, name: str, default: object = None) -> object:
        for key, value in self.params:
            if key == name:
                return value
        return default

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "params": {name: to_jsonable(v) for name, v in self.params},
        }


@dataclass(frozen=True)
class Decision:
    """The result of one SOP decision function, ready to apply and to store in an audit trail."""

    outcome: str  # machine code, e.g. "revisit_refused_outside_warranty"
    actions: tuple[Action, ...]  # what the service layer must do, in order
    tag: str | None  # disposition to record (Kapture-style path or SOP tag), if the SOP gives one
    reason: str  # readable English citing the SOP and the parameter values used
    policy_version: str
    inputs: tuple[tuple[str, object], ...] = ()  # the facts the decision was made on
    refused: bool = False  # True when the SOP refuses what was asked

    def __post_init__(self) -> None:
        if not self.outcome:
            raise ValueError("a decision needs an outcome code")
        if not all(isinstance(action, Action) for action in self.actions):
            raise TypeError("actions must be Action instances")
        object.__setattr__(self, "actions", tuple(self.actions))
        object.__setattr__(
            self, "inputs", tuple((str(name), _freeze(value)) for name, value in self.inputs)
        )

    @property
    def code(self) -> str:
        return self.outcome

    @property
    def action_kinds(self) -> tuple[str, ...]:
        return tuple(action.kind for action in self.actions)

    def has_action(self, kind: str) -> bool:
        return any(action.kind == kind for action in self.actions)

    def action(self, kind: str) -> Action | None:
        """The first action of a kind, or None."""
        return next((action for action in self.actions if action.kind == kind), None)

    def input(self, name: str, default: object = None) -> object:
        return dict(self.inputs).get(name, default)

    def to_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "refused": self.refused,
            "tag": self.tag,
            "reason": self.reason,
            "policy_version": self.policy_version,
            "actions": [action.to_dict() for action in self.actions],
            "inputs": {name: to_jsonable(value) for name, value in self.inputs},
        }


def make_decision(
    policy: Policy,
    *,
    sop: str,
    outcome: str,
    reason: str,
    actions: Iterable[Action] = (),
    tag: str | None = None,
    refused: bool = False,
    inputs: Mapping[str, object] | None = None,
) -> Decision:
    """Build a Decision whose reason names the SOP and the policy version, in one format."""
    return Decision(
        outcome=outcome,
        actions=tuple(actions),
        tag=tag,
        reason=f"{sop}: {reason} (policy {policy.version})",
        policy_version=policy.version,
        inputs=tuple((inputs or {}).items()),
        refused=refused,
    )


# --- input checks every decision function shares: bad inputs are errors, not decisions ---------
def require_money(amount: object, name: str) -> Decimal:
    """Money must be a finite, non-negative Decimal (never a float)."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} must be a non-negative amount, got {amount}")
    return amount


def require_date(value: object, name: str) -> date:
    """A calendar date; a datetime is reduced to its date."""
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")
    return value


def require_choice(value: object, name: str, choices: Iterable[str]) -> str:
    """One of a closed set of string codes."""
    allowed = tuple(choices)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    assert isinstance(value, str)
    return value
