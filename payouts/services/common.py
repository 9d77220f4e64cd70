"""What the payouts services share: the reason every decision records, FSM moves that answer
409 when the state forbids them, the policy version in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django_fsm import TransitionNotAllowed

from core import limits
from core.errors import InvalidInput, TransitionConflict
from policies.parameters import Policy
from policies.selectors import policy_in_force


def require_reason(reason: str, field: str = "reason") -> str:
    """The reason given for a decision, stripped (400 when there is none)."""
    reason = limits.bounded(reason, field, limits.REASON)
    if not reason:
        raise InvalidInput({field: "Give a reason for the decision."})
    return reason


def fsm_move(obj: Any, name: str) -> None:
    """Run an FSM transition; an illegal one is a 409 naming the current state."""
    try:
        getattr(obj, name)()
    except TransitionNotAllowed:
        label = obj._meta.verbose_name
        raise TransitionConflict(
            f"Cannot {name.replace('_', ' ')} {label} #{obj.pk}: it is {obj.state}."
        ) from None


def policy_now(at: datetime | None = None) -> Policy:
    """The policy version in force at a moment (default: now)."""
    return policy_in_force(at or timezone.now())
