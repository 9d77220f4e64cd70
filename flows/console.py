"""Console pages for a case's SOP flows: the flows of its kind, and per flow a form asking
exactly what the SOP needs, a preview of the decision, then Apply. Thin: every decision and
write goes through flows.runner.

Mounted by config.urls at admin/cases/case/<case_id>/sop/ (before the admin site), each view
wrapped by the admin site (login, staff) and checked for a case-working role.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from cases.models import Case
from core import roles
from core.admin.errors import add_domain_error
from core.errors import DomainError, PolicyRefusal
from core.times import when
from policies.decision import to_jsonable
from policies.selectors import version_in_words
from policies.words import action_in_words, code_words, outcome_in_words

from . import call_script, loading, runner
from . import selectors as flow_selectors
from .context import FlowContext
from .flow import Flow
from .inputs import BOOL, CHOICE, DATE, DATETIME, DECIMAL, INT, LIST, STR, InputSpec
from .table import flow_named

app_name = "case_flows"


def _require_worker(request: HttpRequest) -> None:
    if not roles.has_role(request.user, roles.CASE_WORKERS):
        raise PermissionDenied("Only agents, partner support and supervisors run SOP flows.")


def _case(case_id: int) -> Case:
    try:
        return loading.case_with_records(case_id)
    except DomainError:
        raise Http404(f"No case {case_id}.") from None


def _change_url(case: Case) -> str:
    try:
        return reverse("admin:cases_case_change", args=[case.pk])
    except NoReverseMatch:  # pragma: no cover - the case admin is always registered
        return reverse("admin:index")


def _context(request: HttpRequest, case: Case, title: str, **extra: Any) -> dict[str, Any]:
    opts = Case._meta
    return {
        **admin.site.each_context(request),
        "title": title,
        "opts": opts,
        "app_label": opts.app_label,
        "original": case,
        "case": case,
        "change_url": _change_url(case),
        **extra,
    }


def filled_in_words(filled: dict[str, Any]) -> list[tuple[str, str]]:
    """What the case's records answer, as label and value people read: amounts plainly,
    times in the case's zone with the zone, codes and yes/no as words."""
    out = []
    for name, value in filled.items():
        if isinstance(value, datetime):
            shown = when(value)
        elif isinstance(value, date):
            shown = value.strftime("%-d %b %Y")
        else:
            shown = code_words(value)
        out.append((code_words(name), shown))
    return out


# --- forms from the registry's input schema ---------------------------------------------------


def form_field(spec: InputSpec) -> forms.Field:
    """The form field asking one flow input."""
    common: dict[str, Any] = {"label": spec.verbose_name, "help_text": spec.help}
    if spec.type == BOOL:
        if spec.nullable:
            return forms.NullBooleanField(required=False, **common)
        return forms.BooleanField(required=False, initial=bool(spec.default), **common)
    required = spec.required
    if spec.type == DECIMAL:
        return forms.DecimalField(
            required=required, min_value=spec.minimum, max_value=spec.maximum, **common
        )
    if spec.type == INT:
        return forms.IntegerField(required=required, min_value=0, initial=spec.default, **common)
    if spec.type == DATE:
        return forms.DateField(required=required, widget=AdminDateWidget, **common)
    if spec.type == DATETIME:
        return forms.SplitDateTimeField(required=required, widget=AdminSplitDateTime, **common)
    if spec.type == CHOICE:
        choices = [(value, code_words(value)) for value in spec.choices]
        if not required:
            choices = [("", "---------"), *choices]
        return forms.ChoiceField(choices=choices, required=required, **common)
    if spec.type == LIST:
        return forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), **common)
    # Free text may be blank: a blank answer is one the SOP decides on (e.g. no VOC yet).
    return forms.CharField(required=False, max_length=500, **common)


class FlowForm(forms.Form):
    """The inputs of one flow for one case; `inputs()` gives what the service takes."""

    digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, specs: list[InputSpec], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = specs
        for spec in specs:
            self.fields[spec.name] = form_field(spec)

    def inputs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for spec in self.specs:
            value = self.cleaned_data.get(spec.name)
            if spec.type == BOOL:
                out[spec.name] = value if spec.nullable else bool(value)
            elif spec.type == STR:
                if value or spec.required:
                    out[spec.name] = value or ""
            elif value not in (None, ""):
                out[spec.name] = value
        return out


def inputs_digest(inputs: dict[str, Any]) -> str:
    """Fingerprint of the previewed inputs: Apply needs the inputs that were previewed."""
    canonical = json.dumps(to_jsonable(inputs), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


# --- views ------------------------------------------------------------------------------------


def flow_list_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The SOP flows of the case's kind, each with what it asks and what the records give."""
    _require_worker(request)
    case = _case(case_id)
    rows = []
    for flow, ctx in flow_selectors.flows_offered(case):
        rows.append(
            {
                "flow": flow,
                "asked": flow.asked(ctx),
                "filled": dict(filled_in_words(flow.filled_preview(ctx))),
                "url": reverse(f"{app_name}:run", kwargs={"case_id": case.pk, "flow": flow.name}),
            }
        )
    return TemplateResponse(
        request,
        "admin/flows/flow_list.html",
        _context(request, case, f"SOP flows for case #{case.pk}", rows=rows),
    )


def flow_run_view(request: HttpRequest, case_id: int, flow: str) -> HttpResponse:
    """GET: the form. POST _preview: decide without writing and show the decision. POST
    _apply: apply it (only the previewed inputs) and go back to the case."""
    _require_worker(request)
    case = _case(case_id)
    entry: Flow | None = flow_named(flow)
    if entry is None or not entry.applies_to(case.kind):
        raise Http404(f"No flow {flow!r} for this case.")
    ctx = FlowContext(case)
    specs = entry.asked(ctx)
    decision = None
    status = 200
    refusal = None
    if request.method == "POST":
        form = FlowForm(request.POST, specs=specs)
        if form.is_valid():
            inputs = form.inputs()
            digest = inputs_digest(inputs)
            wants_apply = "_apply" in request.POST
            if wants_apply and form.cleaned_data.get("digest") == digest:
                try:
                    run = runner.decide_case(
                        case_id=case.pk,
                        flow=entry.name,
                        inputs=inputs,
                        actor=request.user,
                        script_done=request.POST.getlist("script_step"),
                    )
                except PolicyRefusal as exc:
                    refusal = exc
                    status = exc.http_status
                except DomainError as exc:
                    add_domain_error(form, exc)
                    status = exc.http_status
                else:
                    messages.success(
                        request,
                        f"{entry.title}: {outcome_in_words(run.decision.outcome)} "
                        f"(policy {run.decision.policy_version}).",
                    )
                    return HttpResponseRedirect(_change_url(case))
            else:
                if wants_apply:
                    messages.warning(request, "The answers changed: check the new preview.")
                try:
                    decision = runner.preview_decision(
                        case_id=case.pk, flow=entry.name, inputs=inputs, actor=request.user
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                    status = exc.http_status
                else:
                    data = form.data.copy()
                    data["digest"] = digest
                    form = FlowForm(data, specs=specs)
                    form.is_valid()
        else:
            status = 400
    else:
        form = FlowForm(specs=specs)
    context = _context(
        request,
        case,
        f"{entry.title}: case #{case.pk}",
        flow=entry,
        form=form,
        filled=filled_in_words(entry.filled_preview(ctx)),
        decision=decision,
        call_script=call_script.script_for(case) if entry.records_call_attempt else (),
        script_done=request.POST.getlist("script_step"),
        outcome_words=outcome_in_words(decision.outcome) if decision else "",
        policy_words=version_in_words(decision.policy_version) if decision else "",
        decision_actions=[
            {"kind": str(a.kind), "words": action_in_words(a.kind, a.to_dict().get("params"))}
            for a in (decision.actions if decision else ())
        ],
        refusal=refusal,
        list_url=reverse(f"{app_name}:list", kwargs={"case_id": case.pk}),
        media=form.media,
    )
    return TemplateResponse(request, "admin/flows/flow_run.html", context, status=status)


urlpatterns = [
    path("", admin.site.admin_view(flow_list_view), name="list"),
    path("<str:flow>/", admin.site.admin_view(flow_run_view), name="run"),
]
