"""What the SOP-flow engine adds to the case page (registered with cases.admin.page): the
flows that decide the case, and its decisions in words with the tasks each created."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from cases.models import Case, CaseStatus
from core import roles
from policies.selectors import version_in_words

from .runner import decision_history
from .table import flow_named, flows_for_kind

DECISIONS_SHOWN = 50


def flow_title(name: str) -> str:
    """A flow's title as people read it ("" for none, the id for one no longer in the table)."""
    flow = flow_named(name)
    return flow.title if flow else name.replace("_", " ")


def outcome_in_words(outcome: str) -> str:
    return outcome.replace("_", " ").capitalize()


def case_page_panel(request: HttpRequest, case: Case, may_change: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    works = may_change and roles.has_role(request.user, roles.CASE_WORKERS)
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
    events = decision_history(case_id=case.pk).order_by("-at", "-id")[:DECISIONS_SHOWN]
    decisions = []
    for event in events:
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
                "tasks": list(event.tasks.all()),
            }
        )
    out["decisions"] = decisions
    return out
