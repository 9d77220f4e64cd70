"""Case console pages beyond stock admin: the transition confirmation page and the note form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django_fsm import Transition

from core import fsm
from core.admin.errors import add_domain_error, describe_error
from core.errors import DomainError

from .. import services
from ..models import Case, CaseStatus
from .forms import NoteForm, TransitionForm

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin


# --- transitions -------------------------------------------------------------------------------

# Shown on the confirmation page of the transitions that cannot simply be undone.
CONFIRM_NOTES = {
    "resolve": "Resolving records the tag and starts the closing clock.",
    "close": "Closing is final for agents: only a supervisor can reopen a closed case.",
    "reopen": "Reopening clears the tag, the resolved and the closed times.",
}


def offered_transitions(case: Case, user: Any) -> list[Transition]:
    """The transitions to offer as buttons: allowed from this state, for this user, in the
    order of Case.BUTTON_ORDER. What a transition needs (park time, tag) is asked for on its
    confirmation page and checked by the service."""
    place = {name: i for i, name in enumerate(Case.BUTTON_ORDER)}
    return sorted(case.get_available_user_status_transitions(user), key=lambda t: place[t.name])


def transition_named(case: Case, name: str) -> Transition:
    """The transition called `name`, from the case's state when it has one from there."""
    if name not in services.transition_names():
        raise Http404(f"No transition {name!r}.")
    return fsm.transition_from(Case, name, case.status) or fsm.any_transition(Case, name)


def transition_label(t: Transition) -> str:
    return t.custom.get("label") or t.name.replace("_", " ").capitalize()


def _case_for_work(model_admin: ModelAdmin, request: HttpRequest, object_id: str) -> Case:
    case = model_admin.get_object(request, object_id)
    if case is None:
        raise Http404("No such case.")
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    return case


def _change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def transition_view(
    model_admin: ModelAdmin, request: HttpRequest, object_id: str, name: str
) -> HttpResponse:
    """Confirm a transition (GET) and make it through services.transition_case (POST)."""
    case = _case_for_work(model_admin, request, object_id)
    t = transition_named(case, name)
    label = transition_label(t)
    status = 200
    confirm_note = CONFIRM_NOTES.get(name, "")
    if request.method == "POST":
        # From the case page, each transition's form carries its name as a prefix.
        prefix = name if f"{name}-expected_status" in request.POST else None
        form = TransitionForm(
            request.POST, case=case, transition=t, confirm_note=confirm_note, prefix=prefix
        )
        if form.is_valid():
            try:
                done = services.transition_case(
                    case_id=case.pk,
                    name=name,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    data=form.service_data(),
                    expected_status=form.cleaned_data["expected_status"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.http_status
            else:
                model_admin.message_user(
                    request,
                    f"{label}: case #{done.pk} is now {done.get_status_display()}.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(_change_url(done))
        else:
            status = 400
    else:
        if name not in {o.name for o in offered_transitions(case, request.user)}:
            model_admin.message_user(
                request,
                f"{label} is not possible for case #{case.pk} now "
                f"(it is {case.get_status_display()}).",
                messages.WARNING,
            )
            return HttpResponseRedirect(_change_url(case))
        form = TransitionForm(case=case, transition=t, confirm_note=confirm_note)

    opts = model_admin.opts
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{label} case #{case.pk}",
        "opts": opts,
        "app_label": opts.app_label,
        "original": case,
        "case": case,
        "label": label,
        "target_label": CaseStatus(t.target).label,
        "shown_status": dict(CaseStatus.choices).get(
            form["expected_status"].value(), case.get_status_display()
        ),
        "note": CONFIRM_NOTES.get(name, ""),
        "form": form,
        "media": model_admin.media + form.media,
        "change_url": _change_url(case),
        "has_view_permission": model_admin.has_view_permission(request, case),
    }
    return TemplateResponse(
        request, "admin/cases/case/transition_confirm.html", context, status=status
    )


def note_view(model_admin: ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Add a note to the audit trail through services.add_note, then back to the case."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _case_for_work(model_admin, request, object_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(
                case_id=case.pk,
                actor=request.user,
                text=form.cleaned_data["text"],
                public=form.cleaned_data["public"],
            )
        except DomainError as exc:
            model_admin.message_user(request, describe_error(exc), messages.ERROR)
        else:
            model_admin.message_user(request, f"Note added to case #{case.pk}.", messages.SUCCESS)
    else:
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        model_admin.message_user(request, f"Note not added: {errors}", messages.ERROR)
    return HttpResponseRedirect(_change_url(case))
