"""Appending to a case's audit trail: the only writer of CaseEvent rows."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.roles import User, actor_or_none
from policies.selectors import policy_in_force

from ..models import Case, CaseEvent


def plain(value: Any) -> Any:
    """A field value as the audit payload stores it (rows by id, moments as ISO text)."""
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def append_event(
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
    """Append one event to the case's trail (inside the caller's transaction); the policy
    version defaults to the one in force now."""
    return CaseEvent.objects.create(
        case=case,
        type=type,
        actor=actor_or_none(actor),
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        policy_version=policy_version
        if policy_version is not None
        else policy_in_force(timezone.now()).version,
    )
