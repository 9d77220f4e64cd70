"""What the SOP-flow engine adds to the case page (registered with cases.admin.page): the
flows that decide the case, and its decisions in words with the tasks each created."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cases.admin.page import TASKS_SHOWN, TIMELINE_LIMIT
from cases.models import Case, CaseStatus, EventType
from core import roles
from policies.selectors import version_in_words
from policies.words import outcome_in_words

from .selectors import decision_history
from .table import flow_named, flows_for_kind

DECISIONS_SHOWN = 50


def flow_title(name: str) -> str:
    """A flow's title as people read it ("" for none, the id for one no longer in the table)."""
    flow = flow_named(name)
    return flow.title if flow else name.replace("_", " ")


def _decisions_with_tasks(case: Case, page: dict[str, Any]) -> list:
    """The case's latest decisions, newest first, each with `tasks_made`: from what the page
    read (its events and tasks) when that holds them all, else two queries of their own."""
    events, tasks = page.get("events"), page.get("tasks")
    if (
        events is None
        or tasks is None
        or len(events) >= TIMELINE_LIMIT
        or len(tasks) >= TASKS_SHOWN
    ):
        found = list(decision_history(case_id=case.pk).order_by("-at", "-id")[:DECISIONS_SHOWN])
        for event in found:
            event.tasks_made = list(event.tasks.all())
        return found
    made: dict[int, list] = {}
    for task in sorted(tasks, key=lambda t: (t.created_at, t.pk)):
        made.setdefault(task.decision_id, []).append(task)
    found = [e for e in events if e.type == EventType.DECISION][:DECISIONS_SHOWN]
    for event in found:
        event.tasks_made = made.get(event.pk, [])
    return found


def case_page_panel(request: HttpRequest, case: Case, page: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    works = page["may_change"] and roles.has_role(request.user, roles.CASE_WORKERS)
    if works and case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        out["sop_flows_url"] = reverse("case_flows:list", kwargs={"case_id": case.pk})
        out["sop_flows"] = [
            {
                "name": flow.name,
                "title": flow.title,
                "url": reverse("case_flows:run", kwargs={"case_id": case.pk, "flow": flow.name}),
            }
            for flow in flows_for_kind(case.kind)
        ]
    decisions = []
    for event in _decisions_with_tasks(case, page):
        flow = flow_named(event.payload.get("flow", ""))
        decisions.append(
            {
                "at": event.at,
                "who": event.actor or "The system",
                "flow": flow.title if flow else "an SOP decision",
                "outcome": outcome_in_words(event.payload.get("outcome", "")),
                "refused": bool(event.payload.get("refused")),
                "reason": event.reason,
                "policy": version_in_words(event.policy_version),
                "tasks": event.tasks_made,
            }
        )
    out["decisions"] = decisions
    return out
