"""Console pieces beyond stock admin: transition and note views, CSV streaming, cheap counts."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseNotAllowed, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_fsm import Transition

from . import services
from .errors import DomainError
from .forms import NoteForm, TransitionForm
from .models import Case, CaseStatus

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin


# --- changelists on big tables ---------------------------------------------------------------


class CappedCountPaginator(Paginator):
    """Counts at most `cap` matching rows.

    A plain COUNT(*) over a million cases costs more than the page itself; nobody pages past
    the first few hundred rows of a queue, they refine the filters instead.
    """

    cap = 10_000
    is_capped = False

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by()[: self.cap + 1].count()
        self.is_capped = found > self.cap
        return min(found, self.cap)


# --- CSV exports -------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One cell as text; free text that a spreadsheet would run as a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, (date, Decimal, int)):
        return str(value)
    text = str(value)
    # Phone numbers (+9198...) stay as they are; anything else starting like a formula is quoted.
    if text.startswith(_FORMULA_STARTS) and not (text[0] == "+" and text[1:].isdigit()):
        return "'" + text
    return text


def stream_csv(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """Stream rows as a CSV download without building the file in memory."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- transitions -------------------------------------------------------------------------------

# Shown on the confirmation page of the transitions that cannot simply be undone.
CONFIRM_NOTES = {
    "resolve": "Resolving records the tag and starts the closing clock.",
    "close": "Closing is final for agents: only a supervisor can reopen a closed case.",
    "reopen": "Reopening clears the tag, the resolved and the closed times.",
}


def _declaration_order(t: Transition) -> int:
    code = getattr(t.method, "__code__", None)
    return code.co_firstlineno if code else 0


def offered_transitions(case: Case, user: Any) -> list[Transition]:
    """The transitions to offer as buttons: allowed from this state, for this user, in the
    order the model declares them. What a transition needs (park time, tag) is asked for on
    its confirmation page and checked by the service."""
    return sorted(case.get_available_user_status_transitions(user), key=_declaration_order)


def transition_named(case: Case, name: str) -> Transition:
    """The transition called `name`, from the case's state when it has one from there."""
    if name not in services.transition_names():
        raise Http404(f"No transition {name!r}.")
    meta = getattr(Case, name)._django_fsm
    return meta.get_transition(case.status) or next(iter(meta.transitions.values()))


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
    if request.method == "POST":
        form = TransitionForm(request.POST, case=case, transition=t)
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
                _add_domain_error(form, exc)
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
        form = TransitionForm(case=case, transition=t)

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


def _add_domain_error(form: TransitionForm, exc: DomainError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            form.add_error(field, errors)
            placed = True
        else:
            form.add_error(None, [f"{field}: {e}" for e in errors])
            placed = True
    if not placed or exc.message != "Invalid input.":
        form.add_error(None, exc.message)


def note_view(model_admin: ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Add a note to the audit trail through services.add_note, then back to the case."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _case_for_work(model_admin, request, object_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(case_id=case.pk, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            model_admin.message_user(request, describe_error(exc), messages.ERROR)
        else:
            model_admin.message_user(request, f"Note added to case #{case.pk}.", messages.SUCCESS)
    else:
        errors = "; ".join(e for errs in form.errors.values() for e in errs)
        model_admin.message_user(request, f"Note not added: {errors}", messages.ERROR)
    return HttpResponseRedirect(_change_url(case))


def describe_error(exc: DomainError) -> str:
    """One line for a message: the error and its field errors."""
    details = "; ".join(f"{f}: {' '.join(errs)}" for f, errs in exc.fields.items())
    return f"{exc.message} {details}".strip() if details else exc.message
