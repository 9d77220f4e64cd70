"""Reads of the flows: those offered on a case, and a case's decisions."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from cases.models import Case, CaseEvent, EventType, Task

from .context import FlowContext
from .flow import Flow
from .table import flows_for_kind


def flows_offered(case: Case, *, now: datetime | None = None) -> list[tuple[Flow, FlowContext]]:
    """The flows an agent may run on the case, each with its context (for input schemas)."""
    ctx = FlowContext(case, now=now)
    return [(flow, ctx) for flow in flows_for_kind(case.kind)]


def decision_history(*, case_id: int) -> QuerySet[CaseEvent]:
    """The case's decisions, oldest first, with their actors and tasks (two queries)."""
    return (
        CaseEvent.objects.filter(case_id=case_id, type=EventType.DECISION)
        .select_related("actor")
        .prefetch_related(
            Prefetch("tasks", queryset=Task.objects.select_related("owner", "closed_by"))
        )
        .order_by("at", "id")
    )
