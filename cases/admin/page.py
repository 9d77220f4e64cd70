"""The case page: what an agent reads and does on one case, rendered by its own template
rather than the admin's generic change form (which renders every field through the theme's
templates and was most of the page's time).

Apps above `cases` add their panels (the SOP flows offered, the decisions in words) through
`register_panel`: `cases` may not import them, and the page must not know their internals.
Saving the form still posts to the admin's change view, so edits go through save_model and
the services like before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from ..guidance import guidance_for
from ..models import Case, CaseStatus
from ..selectors import case_workers
from ..timeline import LIMIT, case_timeline, recent_events
from .forms import TRANSITION_WORDS, NoteForm, confirm_label, selectable_tags
from .header import case_header
from .render import timeline_html
from .views import CONFIRM_NOTES, offered_transitions, transition_label

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

# (request, case, page) -> extra context. `page` holds what the page read already, for the
# panels to reuse: "may_change", "events" (recent_events, newest first, at most
# TIMELINE_LIMIT) and "tasks" (the case's tasks, at most TASKS_SHOWN). Registered at ready().
Panel = Callable[[HttpRequest, Case, dict[str, Any]], dict[str, Any]]
# The timeline's first view: the latest entries (the page stays as fast with a long history);
# "Show the whole history" (?history=all) reads up to LIMIT.
TIMELINE_LIMIT = 50
TASKS_SHOWN = 50
_PANELS: list[Panel] = []


def register_panel(panel: Panel) -> None:
    """Add a provider of page context (idempotent: ready() may run twice in tests)."""
    if panel not in _PANELS:
        _PANELS.append(panel)


def case_zone(case: Case) -> ZoneInfo | None:
    """The region's time zone, read with the case (city__region is selected with it)."""
    name = case.city.region.timezone if case.city_id else ""
    return ZoneInfo(name) if name else None


def transition_forms(case: Case, user: Any) -> list[dict[str, Any]]:
    """One small form per transition allowed now, asking what that transition needs. The
    page writes the inputs out (names as TransitionForm reads them with the transition's
    name as prefix); TransitionForm validates what is posted."""
    out = []
    for t in offered_transitions(case, user):
        needs = t.custom.get("needs", [])
        note = CONFIRM_NOTES.get(t.name, "")
        out.append(
            {
                "name": t.name,
                "label": transition_label(t),
                "target": CaseStatus(t.target).label,
                "url": reverse("admin:cases_case_transition", args=[case.pk, t.name]),
                "parks": "parked_until" in needs,
                "tags": (
                    list(selectable_tags(case.kind).values_list("path", flat=True))
                    if "disposition" in needs
                    else None
                ),
                "confirm": confirm_label(note) if note else "",
            }
        )
    return out


def case_page(
    model_admin: ModelAdmin, request: HttpRequest, case: Case, context: dict[str, Any]
) -> HttpResponse:
    """Render the case page around the admin's form for the case (unbound on a GET, bound
    with its errors after a refused save), given the admin's change-form context (the site's
    context is in it already). The caller activated the region's time zone."""
    may_change = model_admin.has_change_permission(request, case)
    limit = LIMIT if request.GET.get("history") == "all" else TIMELINE_LIMIT
    events = recent_events(case, limit + 1)
    timeline_more = len(events) > limit
    events = events[:limit]
    tasks = list(
        case.tasks.select_related("owner").order_by("-state", "due_at", "id")[:TASKS_SHOWN]
    )
    adminform = context["adminform"]
    form = adminform.form
    timeline = case_timeline(case, events=events)
    context = {
        **context,
        "title": f"Case #{case.pk}: {case.subject}",
        "subtitle": None,
        "opts": model_admin.opts,
        "app_label": model_admin.opts.app_label,
        "original": case,
        "change": True,
        "add": False,
        "is_popup": False,
        "has_view_permission": True,
        "has_change_permission": may_change,
        "adminform": adminform,
        "inline_admin_formsets": [],
        "form": form,
        "may_edit": may_change and case.status != CaseStatus.CLOSED,
        "header": case_header(case),
        "guidance": guidance_for(case.kind),
        "timeline": timeline,
        "timeline_html": timeline_html(timeline),
        "timeline_more": timeline_more,
        "tasks": tasks,
        "media": model_admin.media + form.media,
    }
    if may_change:
        context["transitions"] = transition_forms(case, request.user)
        context["asked"] = TRANSITION_WORDS
        context["note_form"] = NoteForm()
        context["note_url"] = reverse("admin:cases_case_note", args=[case.pk])
    page = {"may_change": may_change, "events": events, "tasks": tasks}
    for panel in _PANELS:
        context.update(panel(request, case, page))
    return TemplateResponse(request, "admin/cases/case/case_page.html", context)


PEOPLE_PAGE = 20


def people_page(term: str, page: str) -> dict[str, Any]:
    """One page of the assignee search: case workers whose username or name contains the
    term, as {"results": [{"id", "text"}], "pagination": {"more"}}."""
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    people = case_workers()
    term = term.strip()
    if term:
        people = people.filter(
            Q(username__icontains=term)
            | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
        )
    start = (number - 1) * PEOPLE_PAGE
    rows = list(
        people.values_list("pk", "username", "first_name", "last_name")[
            start : start + PEOPLE_PAGE + 1
        ]
    )
    results = []
    for pk, username, first, last in rows[:PEOPLE_PAGE]:
        name = f"{first} {last}".strip()
        results.append({"id": str(pk), "text": f"{username} ({name})" if name else username})
    return {"results": results, "pagination": {"more": len(rows) > PEOPLE_PAGE}}
