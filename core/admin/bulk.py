"""Bulk decisions from a changelist: the selected records and a reason on a confirmation page,
then the service once per record, each in its own transaction, with what was refused and why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from core.errors import DomainError

BULK_LIMIT = 200


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded on every selected record and shown to the partner support team.",
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


def decide_in_bulk(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    verb: str,
    form_class: type[forms.Form],
    apply_one: Callable[[Any, dict], Any],
    describe: Callable[[Any], str] = str,
    record_title: str | None = None,
) -> HttpResponse | None:
    """Show the selected records and a reason form; on confirm, call the service once per
    record, each in its own transaction, and report what was refused and why (back on the
    form, with what was typed, when every record was refused). With one
    record selected the page is titled `record_title` when given ("Approve this request")."""
    selected = list(queryset[: BULK_LIMIT + 1])
    if len(selected) > BULK_LIMIT:
        modeladmin.message_user(
            request, f"Select at most {BULK_LIMIT} records at a time.", messages.WARNING
        )
        return None
    if record_title and len(selected) == 1:
        title = record_title
    form = form_class(request.POST, request.FILES) if "apply" in request.POST else form_class()
    if "apply" in request.POST and form.is_valid():
        done, refused = 0, []
        for obj in selected:
            try:
                apply_one(obj, form.cleaned_data)
                done += 1
            except DomainError as exc:
                refused.append(f"#{obj.pk}: {exc.message}")
        if refused and not done:
            # Nothing was done: the same page again, with what was typed and each refusal,
            # so nothing typed is lost and the person reads why before trying again.
            for line in refused:
                form.add_error(None, f"Not done {line}")
        else:
            modeladmin.message_user(request, f"{verb}: {done} done.", messages.SUCCESS)
            for line in refused:
                modeladmin.message_user(request, f"Not done {line}", messages.ERROR)
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "verb": verb,
        "opts": modeladmin.model._meta,
        "rows": [(obj.pk, describe(obj)) for obj in selected],
        "form": form,
        "action": request.POST.get("action", ""),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "cancel_url": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/core/confirm_decision.html", context)


def bulk_action(
    *,
    description: str,
    title: str,
    verb: str,
    form_class: type[forms.Form],
    apply: Callable[[Any, dict, Any], Any],
    permission: str = "change",
    record_label: str | None = None,
    record_title: str | None = None,
) -> Callable[[admin.ModelAdmin, HttpRequest, QuerySet], HttpResponse | None]:
    """A changelist action deciding each selected record through a service, after a
    confirmation page asking for the reason. `apply(record, cleaned_data, user)` calls the
    service; the admin names the rows it shows (`bulk_rows`) and how (`describe_for_bulk`).
    `record_label` is the button's words on one record's page ("Approve this request"),
    `record_title` the confirmation page's title when one record is selected."""

    @admin.action(description=description, permissions=[permission])
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        return decide_in_bulk(
            modeladmin,
            request,
            modeladmin.bulk_rows(queryset),
            title=title,
            verb=verb,
            form_class=form_class,
            apply_one=lambda obj, data: apply(obj, data, request.user),
            describe=modeladmin.describe_for_bulk,
            record_title=record_title,
        )

    if record_label:
        action.record_label = record_label  # type: ignore[attr-defined]
    return action
