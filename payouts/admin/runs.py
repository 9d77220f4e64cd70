"""Payout runs: create, compute on a worker with a progress bar, approve, the bank file."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from core.access import may
from core.admin.base import ServiceCreatedAdmin
from core.admin.bulk import BULK_LIMIT
from core.admin.widgets import DateWithoutTimezoneNote
from core.errors import DomainError, InvalidInput
from core.money_text import money_text

from .. import selectors, services
from ..exports import stream_bank_file
from ..models import (
    PayoutRun,
    RunState,
)

# States whose lines are final enough to pay from: the page lists partners without bank details.
PAYABLE_STATES = (RunState.COMPUTED, RunState.APPROVED, RunState.EXPORTED, RunState.PAID)


class PayoutRunAddForm(forms.ModelForm):
    class Meta:
        model = PayoutRun
        fields = ["region", "period_start", "period_end"]
        # The period is two dates (whole days in the region's zone): no time-zone note.
        widgets = {
            "period_start": DateWithoutTimezoneNote,
            "period_end": DateWithoutTimezoneNote,
        }


@admin.register(PayoutRun)
class PayoutRunAdmin(ServiceCreatedAdmin):
    zone_path = "region__timezone"
    list_display = (
        "title",
        "state_message",
        "partners",
        "total_net",
        "computed_by",
        "approved_by",
    )
    list_filter = ("state", "region")
    search_fields = ("=id",)
    list_select_related = ("region", "computed_by", "approved_by")
    ordering = ("-period_end", "-id")
    actions = ["approve"]
    change_form_template = "admin/payouts/payoutrun/change_form.html"

    def get_queryset(self, request):
        return selectors.runs_with_totals(super().get_queryset(request))

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PayoutRunAddForm
        return super().get_form(request, obj, **kwargs)

    # What a person needs on the run's page; the worker's lease (task id, expiry) is not.
    shown_fields = (
        "region",
        "currency",
        "period_start",
        "period_end",
        "state",
        "computed_by",
        "computed_at",
        "approved_by",
        "approved_at",
        "exported_at",
        "paid_at",
        "held_penalty_count",
        "held_penalty_total",
        "last_error",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["region", "period_start", "period_end"]
        names = {f.name for f in PayoutRun._meta.fields}
        return [name for name in self.shown_fields if name in names]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description="run", ordering="period_end")
    def title(self, run: PayoutRun) -> str:
        return run.title

    @admin.display(description="state")
    def state_message(self, run: PayoutRun) -> str:
        return run.state_message

    def may_approve(self, request, run: PayoutRun) -> bool:
        """Finance, and not the person who computed the run (services check it again)."""
        return may(request.user, "payouts.approve_run") and run.computed_by_id != request.user.pk

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.create_payout_run(
            region=obj.region,
            period_start=obj.period_start,
            period_end=obj.period_end,
            actor=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False

    @admin.display(description="partners in the run")
    def partners(self, run: PayoutRun) -> int:
        """Its lines (one per partner paid or charged); progress is in the state column."""
        return run.line_count or 0

    @admin.display(description="total net")
    def total_net(self, run: PayoutRun) -> str:
        return money_text(run.net_total, run.currency)

    @admin.action(description="Approve selected runs", permissions=["change"])
    def approve(self, request, queryset):
        for run in queryset[:BULK_LIMIT]:
            try:
                services.approve_run(run_id=run.pk, actor=request.user)
                self.message_user(request, f"Run #{run.pk} approved.", messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"Run #{run.pk}: {exc.message}", messages.ERROR)

    # Pages of one run: progress (JSON), compute, approve, export, mark paid.

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/progress/",
                wrap(self.progress_view),
                name="{}_{}_progress".format(*info),
            ),
            path(
                "<path:object_id>/export.csv",
                wrap(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            path(
                "<path:object_id>/do/<str:step>/",
                wrap(self.step_view),
                name="{}_{}_step".format(*info),
            ),
            *super().get_urls(),
        ]

    def _run_or_404(self, request, object_id) -> PayoutRun:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(PayoutRun, pk=unquote(object_id))

    def progress_view(self, request, object_id):
        run = self._run_or_404(request, object_id)
        return JsonResponse(
            {
                "state": run.state,
                "done": run.progress_done,
                "total": run.progress_total,
                "error": run.last_error,
            }
        )

    def export_view(self, request, object_id):
        run = self._run_or_404(request, object_id)
        try:
            run, rows = services.export_run(run_id=run.pk, actor=request.user)
        except services.BankDetailsMissing as exc:
            # The run's page lists those partners first, each linked to their page.
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:payouts_payoutrun_change", args=[run.pk]) + "#run-bank-details"
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:payouts_payoutrun_change", args=[run.pk]))
        return stream_bank_file(run, rows)

    DONE = {
        "compute": "queued for computing",
        "approve": "approved",
        "mark_paid": "marked paid",
    }
    CONFIRM = {
        "approve": "Approve this run? Its bank file can then be exported; this cannot be undone.",
        "mark_paid": "Mark this run paid? Its penalties count as deducted; this cannot be undone.",
    }
    STEPS = {
        "compute": lambda run, user: services.request_compute(run_id=run.pk, actor=user),
        "approve": lambda run, user: services.approve_run(run_id=run.pk, actor=user),
        "mark_paid": lambda run, user: services.mark_run_paid(run_id=run.pk, actor=user),
    }

    def step_view(self, request, object_id, step):
        if request.method == "GET" and step in self.CONFIRM:
            return self._confirm(request, object_id, step)
        return require_POST(self._step)(request, object_id, step)

    def _confirm(self, request, object_id, step):
        run = self._run_or_404(request, object_id)
        run = PayoutRun.objects.select_related("region").get(pk=run.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{step.replace('_', ' ').capitalize()}: {run.title}",
            "opts": self.opts,
            "run": run,
            "step_label": step.replace("_", " ").capitalize(),
            "summary": selectors.run_summary(run_id=run.pk),
            "question": self.CONFIRM[step],
            "step": step,
            "action_url": reverse("admin:payouts_payoutrun_step", args=[run.pk, step]),
            "back_url": reverse("admin:payouts_payoutrun_change", args=[run.pk]),
        }
        return TemplateResponse(request, "admin/payouts/payoutrun/confirm_step.html", context)

    def _step(self, request, object_id, step):
        run = self._run_or_404(request, object_id)
        if step not in self.STEPS or not self.has_change_permission(request, run):
            raise PermissionDenied
        try:
            self.STEPS[step](run, request.user)
            self.message_user(request, f"{run.title}: {self.DONE[step]}.", messages.SUCCESS)
        except InvalidInput as exc:
            self.message_user(request, f"{exc.message} {exc.fields}", messages.ERROR)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:payouts_payoutrun_change", args=[run.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        run = PayoutRun.objects.select_related("region").filter(pk=unquote(object_id)).first()
        if run is not None:
            info = "admin:payouts_payoutrun"
            extra_context.update(
                progress_url=reverse(f"{info}_progress", args=[run.pk]),
                export_url=reverse(f"{info}_export", args=[run.pk]),
                step_urls={s: reverse(f"{info}_step", args=[run.pk, s]) for s in self.STEPS},
                may_approve=self.may_approve(request, run),
                lines_url=reverse("admin:payouts_payoutline_changelist")
                + f"?run__id__exact={run.pk}",
                held_url=reverse("admin:payouts_penalty_changelist") + "?queue=held",
                summary=selectors.run_summary(run_id=run.pk),
                has_lines=run.state in PAYABLE_STATES,
                missing_bank_details=(
                    selectors.partners_missing_bank_details(run_id=run.pk)
                    if run.state in PAYABLE_STATES
                    else []
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)
