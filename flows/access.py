"""Who may decide cases with the SOP flows."""

from __future__ import annotations

from core import roles
from core.errors import NotPermitted
from core.roles import User


def require_case_worker(actor: User | None) -> None:
    """Only agents, partner support and supervisors decide cases with the SOP flows."""
    if not roles.has_role(actor, roles.CASE_WORKERS):
        raise NotPermitted("Only agents, partner support and supervisors may run SOP flows.")
