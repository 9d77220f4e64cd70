"""The finance and partner-support console for payouts: thin, every write calls a service.

Queues: reversal requests awaiting a decision (oldest first, with evidence and the PAF's
own decision), penalties due in the next run, refunds to approve, payout runs (with a live
progress bar while a worker computes). Bulk decisions ask for a reason on a confirmation
page; the services refuse anyone deciding their own request, refund or run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from cases.errors import DomainError, InvalidInput

from . import selectors, services
from .exports import stream_bank_file
from .models import (
    OPEN_REVERSAL_STATES,
    LedgerEntry,
    PartnerAtFault,
    PayoutLine,
    PayoutRun,
    PayoutRunEntry,
    Penalty,
    PenaltyState,
    Refund,
    RefundState,
    ReversalRequest,
    RunState,
)

BULK_LIMIT = 200


# --- confirmation pages for bulk decisions ---------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded on every selected record and shown to the partner support team.",
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class EvidenceForm(forms.Form):
    """What partner support logs with a PAF and penalty reversal form."""

    call_recording_ref = forms.CharField(
        required=False, max_length=255, label="Call recording reference"
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="What the partner says and what the recording / customer confirmed.",
    )
    evidence = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Image files or URLs, one per line.",
    )


def _decide_in_bulk(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    verb: str,
    form_class: type[forms.Form],
    apply_one: Callable[[Any, dict], Any],
    describe: Callable[[Any], str] = str,
) -> HttpResponse | None:
    """Show the selected records and a reason form; on confirm, call the service once per
    record, each in its own transaction, and report what was refused and why."""
    selected = list(queryset[: BULK_LIMIT + 1])
    if len(selected) > BULK_LIMIT:
        modeladmin.message_user(
            request, f"Select at most {BULK_LIMIT} records at a time.", messages.WARNING
        )
        return None
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        done, refused = 0, []
        for obj in selected:
            try:
                apply_one(obj, form.cleaned_data)
                done += 1
            except DomainError as exc:
                refused.append(f"#{obj.pk}: {exc.message}")
        if done:
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
    }
    return TemplateResponse(request, "admin/payouts/confirm_decision.html", context)


class ServiceCreatedAdmin(admin.ModelAdmin):
    """Rows added through a service (save_model calls it): its refusal is a message on the
    add page, and nothing is written."""

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records only services write (the ledger, run membership and lines)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _is_url(ref: str) -> bool:
    return ref.startswith(("https://", "http://"))


def _evidence_html(request: ReversalRequest) -> str:
    """Recording, notes and image links in one cell; only http(s) references become links."""
    parts = []
    if request.call_recording_ref:
        parts.append(format_html("recording: {}", request.call_recording_ref))
    if request.notes:
        parts.append(format_html("{}", Truncator(request.notes).chars(120)))
    refs = [str(ref) for ref in request.evidence or []]
    links = [(ref, i) for i, ref in enumerate(refs, 1) if _is_url(ref)]
    if links:
        parts.append(
            format_html_join(" ", '<a href="{}" target="_blank" rel="noopener">image {}</a>', links)
        )
    if len(refs) > len(links):
        parts.append(format_html("{} file(s)", len(refs) - len(links)))
    return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))


# --- PAFs --------------------------------------------------------------------------------------


class PafAddForm(forms.ModelForm):
    class Meta:
        model = PartnerAtFault
        fields = ["partner", "booking", "case", "reason"]


@admin.register(PartnerAtFault)
class PartnerAtFaultAdmin(ServiceCreatedAdmin):
    list_display = (
        "id",
        "partner",
        "booking",
        "state",
        "reason",
        "penalty_amount",
        "marked_at",
        "reviewer",
    )
    list_filter = ("state", "marked_at", "partner__city__region")
    search_fields = ("=id", "partner__external_id", "partner__name", "booking__external_id")
    list_select_related = ("partner", "booking", "penalty", "reviewer")
    raw_id_fields = ("partner", "booking", "case")
    ordering = ("-id",)
    date_hierarchy = "marked_at"
    actions = ["log_reversal_request", "review_genuine", "review_not_genuine"]
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PafAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["partner", "booking", "case", "reason"]
        return [f.name for f in PartnerAtFault._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [f.name for f in PartnerAtFault._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        paf = services.mark_paf(
            partner=obj.partner,
            booking=obj.booking,
            case=obj.case,
            reason=obj.reason,
            actor=request.user,
        )
        obj.pk = paf.pk
        obj._state.adding = False

    @admin.display(description="penalty")
    def penalty_amount(self, paf: PartnerAtFault) -> str:
        try:
            penalty = paf.penalty
        except Penalty.DoesNotExist:
            return "–"
        return f"{penalty.amount} {penalty.currency} ({penalty.state})"

    def has_log_reversal_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payouts.add_reversalrequest")

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payouts.change_partneratfault")

    @admin.action(description="Log PAF and penalty reversal request", permissions=["log_reversal"])
    def log_reversal_request(self, request, queryset):
        def apply_one(paf: PartnerAtFault, data: dict) -> None:
            services.submit_reversal_request(
                kind="paf_penalty",
                actor=request.user,
                paf=paf,
                call_recording_ref=data["call_recording_ref"],
                notes=data["notes"],
                evidence=data["evidence"].splitlines(),
            )

        return _decide_in_bulk(
            self,
            request,
            queryset.select_related("partner", "booking"),
            title="Log a PAF and penalty reversal request",
            verb="Reversal requests logged",
            form_class=EvidenceForm,
            apply_one=apply_one,
            describe=lambda p: f"{p.partner} on {p.booking} ({p.get_state_display()}): {p.reason}",
        )

    def _review(self, request, queryset, genuine: bool):
        return _decide_in_bulk(
            self,
            request,
            queryset.select_related("partner", "booking"),
            title=f"Review PAFs as {'genuine' if genuine else 'not genuine'}",
            verb="PAFs reviewed",
            form_class=ReasonForm,
            apply_one=lambda paf, data: services.review_paf(
                paf_id=paf.pk, actor=request.user, genuine=genuine, reason=data["reason"]
            ),
            describe=lambda p: f"{p.partner} on {p.booking}: {p.reason}",
        )

    @admin.action(description="Review: PAF is genuine (stands)", permissions=["review"])
    def review_genuine(self, request, queryset):
        return self._review(request, queryset, True)

    @admin.action(description="Review: PAF is not genuine", permissions=["review"])
    def review_not_genuine(self, request, queryset):
        return self._review(request, queryset, False)


# --- penalties ---------------------------------------------------------------------------------


class DueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("next_run", "Due in the next run"), ("scheduled", "In a run, not paid")]

    def queryset(self, request, queryset):
        if self.value() == "next_run":
            return queryset.filter(state=PenaltyState.PENDING)
        if self.value() == "scheduled":
            return queryset.filter(state=PenaltyState.SCHEDULED)
        return queryset


@admin.register(Penalty)
class PenaltyAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "partner",
        "booking",
        "base_amount",
        "rate",
        "amount",
        "currency",
        "state",
        "created_at",
        "policy_version",
    )
    list_filter = (DueFilter, "state", "currency", "created_at")
    search_fields = ("=id", "partner__external_id", "partner__name", "booking__external_id")
    list_select_related = ("partner", "booking")
    ordering = ("created_at", "id")
    actions = ["waive"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Penalty._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Waive selected penalties", permissions=["change"])
    def waive(self, request, queryset):
        return _decide_in_bulk(
            self,
            request,
            queryset.select_related("partner"),
            title="Waive penalties",
            verb="Penalties waived",
            form_class=ReasonForm,
            apply_one=lambda p, data: services.waive_penalty(
                penalty_id=p.pk, actor=request.user, reason=data["reason"]
            ),
            describe=lambda p: f"{p.partner}: {p.amount} {p.currency} ({p.get_state_display()})",
        )


# --- ledger ------------------------------------------------------------------------------------


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "occurred_at",
        "partner",
        "kind",
        "amount",
        "currency",
        "run",
        "idempotency_key",
        "memo",
    )
    list_filter = ("kind", "currency", "occurred_at")
    search_fields = ("=id", "=partner__external_id", "=idempotency_key", "memo")
    list_select_related = ("partner", "run_link")
    ordering = ("-occurred_at", "-id")
    show_full_result_count = False

    @admin.display(description="run")
    def run(self, entry: LedgerEntry) -> str:
        try:
            return f"#{entry.run_link.run_id}"
        except PayoutRunEntry.DoesNotExist:
            return "–"


@admin.register(PayoutRunEntry)
class PayoutRunEntryAdmin(ReadOnlyAdmin):
    list_display = ("entry", "run")
    list_filter = ("run__state",)
    search_fields = ("=run__id", "=entry__id", "=entry__idempotency_key")
    list_select_related = ("run", "entry")
    show_full_result_count = False


@admin.register(PayoutLine)
class PayoutLineAdmin(ReadOnlyAdmin):
    list_display = (
        "run",
        "partner",
        "earnings",
        "deductions",
        "bonuses",
        "reversals",
        "carried_forward_in",
        "net",
        "carried_forward_out",
        "entry_count",
    )
    list_filter = ("run__region", "run__state")
    search_fields = ("=run__id", "partner__external_id", "partner__name")
    list_select_related = ("run", "partner")
    show_full_result_count = False


# --- reversal requests -------------------------------------------------------------------------


class AwaitingDecisionFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting decision"), ("decided", "Decided")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(state__in=OPEN_REVERSAL_STATES)
        if self.value() == "decided":
            return queryset.exclude(state__in=OPEN_REVERSAL_STATES)
        return queryset


class ReversalRequestAddForm(forms.ModelForm):
    evidence_refs = forms.CharField(
        required=False,
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Image files or URLs, one per line.",
    )

    class Meta:
        model = ReversalRequest
        fields = ["kind", "paf", "booking", "case", "call_recording_ref", "notes"]


@admin.register(ReversalRequest)
class ReversalRequestAdmin(ServiceCreatedAdmin):
    list_display = (
        "id",
        "requested_at",
        "kind",
        "partner",
        "booking",
        "requested_by",
        "state",
        "evidence_summary",
        "paf_decision",
        "decided_by",
    )
    list_filter = (AwaitingDecisionFilter, "state", "kind", "on_behalf_of_partner")
    search_fields = ("=id", "partner__external_id", "partner__name", "booking__external_id")
    list_select_related = ("partner", "booking", "paf", "requested_by", "decided_by")
    raw_id_fields = ("paf", "booking", "case")
    ordering = ("requested_at", "id")  # oldest first: the queue is worked in arrival order
    actions = ["approve", "reject", "start_review"]
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ReversalRequestAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "kind",
                "paf",
                "booking",
                "case",
                "call_recording_ref",
                "notes",
                "evidence_refs",
            ]
        return [f.name for f in ReversalRequest._meta.fields] + ["evidence_links", "paf_decision"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in ReversalRequest._meta.fields] + ["evidence_links", "paf_decision"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.submit_reversal_request(
            kind=obj.kind,
            actor=request.user,
            paf=obj.paf,
            booking=obj.booking if obj.booking_id else None,
            case=obj.case,
            call_recording_ref=obj.call_recording_ref,
            notes=obj.notes,
            evidence=form.cleaned_data.get("evidence_refs", "").splitlines(),
        )
        obj.pk = created.pk
        obj._state.adding = False

    @admin.display(description="evidence")
    def evidence_summary(self, request_obj: ReversalRequest) -> str:
        return _evidence_html(request_obj)

    @admin.display(description="evidence links")
    def evidence_links(self, request_obj: ReversalRequest) -> str:
        refs = [str(ref) for ref in request_obj.evidence or []]
        if not refs:
            return "–"
        return format_html_join(
            mark_safe("<br>"),
            "{}",
            (
                (
                    format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', ref, ref)
                    if _is_url(ref)
                    else ref,
                )
                for ref in refs
            ),
        )

    @admin.display(description="original PAF decision")
    def paf_decision(self, request_obj: ReversalRequest) -> str:
        paf = request_obj.paf
        if paf is None:
            return "–"
        return format_html(
            "{} · marked for: {}{}",
            paf.get_state_display(),
            paf.reason,
            format_html(" · review: {}", paf.decision_reason) if paf.decision_reason else "",
        )

    def _describe(self, r: ReversalRequest) -> str:
        paf = f" · PAF {r.paf.get_state_display()}: {r.paf.reason}" if r.paf else ""
        return (
            f"{r.get_kind_display()} for {r.partner} on {r.booking}{paf} · logged by "
            f"{r.requested_by} · {Truncator(r.notes).chars(80)}"
        )

    def _selected(self, queryset):
        return queryset.select_related("partner", "booking", "paf", "requested_by")

    @admin.action(description="Approve selected requests", permissions=["change"])
    def approve(self, request, queryset):
        return _decide_in_bulk(
            self,
            request,
            self._selected(queryset),
            title="Approve reversal requests",
            verb="Reversal requests approved",
            form_class=ReasonForm,
            apply_one=lambda r, data: services.approve_reversal_request(
                request_id=r.pk, actor=request.user, reason=data["reason"]
            ),
            describe=self._describe,
        )

    @admin.action(description="Reject selected requests", permissions=["change"])
    def reject(self, request, queryset):
        return _decide_in_bulk(
            self,
            request,
            self._selected(queryset),
            title="Reject reversal requests",
            verb="Reversal requests rejected",
            form_class=ReasonForm,
            apply_one=lambda r, data: services.reject_reversal_request(
                request_id=r.pk, actor=request.user, reason=data["reason"]
            ),
            describe=self._describe,
        )

    @admin.action(description="Start review of selected requests", permissions=["change"])
    def start_review(self, request, queryset):
        done = 0
        for r in queryset.filter(state="submitted")[:BULK_LIMIT]:
            try:
                services.start_reversal_review(request_id=r.pk, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"#{r.pk}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{done} request(s) under review.", messages.SUCCESS)


# --- refunds -----------------------------------------------------------------------------------


class ToApproveFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("to_approve", "To approve"), ("to_pay", "Approved, not paid")]

    def queryset(self, request, queryset):
        if self.value() == "to_approve":
            return queryset.filter(state=RefundState.REQUESTED)
        if self.value() == "to_pay":
            return queryset.filter(state=RefundState.APPROVED)
        return queryset


class RefundAddForm(forms.ModelForm):
    class Meta:
        model = Refund
        fields = ["booking", "case", "reason", "amount", "note", "deduct_from_partner"]


@admin.register(Refund)
class RefundAdmin(ServiceCreatedAdmin):
    list_display = (
        "id",
        "requested_at",
        "customer",
        "booking",
        "reason",
        "amount",
        "currency",
        "deduct_from_partner",
        "state",
        "requested_by",
        "approved_by",
        "tat_due_on",
    )
    list_filter = (ToApproveFilter, "state", "reason", "currency", "deduct_from_partner")
    search_fields = ("=id", "booking__external_id", "customer__phone", "customer__external_id")
    list_select_related = ("customer", "booking", "requested_by", "approved_by")
    raw_id_fields = ("booking", "case")
    ordering = ("requested_at", "id")
    actions = ["approve", "reject", "mark_paid"]
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RefundAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(RefundAddForm.Meta.fields)
        return [f.name for f in Refund._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [f.name for f in Refund._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.request_refund(
            booking=obj.booking,
            case=obj.case,
            reason=obj.reason,
            amount=obj.amount,
            note=obj.note,
            deduct_from_partner=obj.deduct_from_partner,
            actor=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False

    def _describe(self, r: Refund) -> str:
        recover = " · recovered from the partner" if r.deduct_from_partner else ""
        return (
            f"{r.amount} {r.currency} to {r.customer} for {r.booking} "
            f"({r.get_reason_display()}){recover} · requested by {r.requested_by}"
        )

    @admin.action(description="Approve selected refunds", permissions=["change"])
    def approve(self, request, queryset):
        return _decide_in_bulk(
            self,
            request,
            queryset.select_related("customer", "booking", "requested_by"),
            title="Approve refunds",
            verb="Refunds approved",
            form_class=OptionalReasonForm,
            apply_one=lambda r, data: services.approve_refund(
                refund_id=r.pk, actor=request.user, reason=data["reason"]
            ),
            describe=self._describe,
        )

    @admin.action(description="Reject selected refunds", permissions=["change"])
    def reject(self, request, queryset):
        return _decide_in_bulk(
            self,
            request,
            queryset.select_related("customer", "booking", "requested_by"),
            title="Reject refunds",
            verb="Refunds rejected",
            form_class=ReasonForm,
            apply_one=lambda r, data: services.reject_refund(
                refund_id=r.pk, actor=request.user, reason=data["reason"]
            ),
            describe=self._describe,
        )

    @admin.action(description="Mark selected refunds paid", permissions=["change"])
    def mark_paid(self, request, queryset):
        return _decide_in_bulk(
            self,
            request,
            queryset.select_related("customer", "booking", "requested_by"),
            title="Mark refunds paid",
            verb="Refunds marked paid",
            form_class=OptionalReasonForm,
            apply_one=lambda r, data: services.mark_refund_paid(
                refund_id=r.pk, actor=request.user, payment_reference=data["reason"]
            ),
            describe=self._describe,
        )


# --- payout runs -------------------------------------------------------------------------------


class PayoutRunAddForm(forms.ModelForm):
    class Meta:
        model = PayoutRun
        fields = ["region", "period_start", "period_end"]


@admin.register(PayoutRun)
class PayoutRunAdmin(ServiceCreatedAdmin):
    list_display = (
        "id",
        "region",
        "period_start",
        "period_end",
        "state",
        "progress",
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

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["region", "period_start", "period_end"]
        return [f.name for f in PayoutRun._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [f.name for f in PayoutRun._meta.fields]

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

    @admin.display(description="progress")
    def progress(self, run: PayoutRun) -> str:
        if run.state == RunState.COMPUTING:
            return format_html(
                '<progress value="{}" max="{}"></progress>',
                run.progress_done,
                run.progress_total or 1,
            )
        return "–" if run.state == RunState.DRAFT else "done"

    @admin.display(description="partners")
    def partners(self, run: PayoutRun) -> int:
        return run.line_count

    @admin.display(description="total net")
    def total_net(self, run: PayoutRun) -> str:
        return f"{run.net_total or 0} {run.currency}"

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
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:payouts_payoutrun_change", args=[run.pk]))
        return stream_bank_file(run, rows)

    STEPS = {
        "compute": lambda run, user: services.request_compute(run_id=run.pk, actor=user),
        "approve": lambda run, user: services.approve_run(run_id=run.pk, actor=user),
        "mark_paid": lambda run, user: services.mark_run_paid(run_id=run.pk, actor=user),
    }

    def step_view(self, request, object_id, step):
        return require_POST(self._step)(request, object_id, step)

    def _step(self, request, object_id, step):
        run = self._run_or_404(request, object_id)
        if step not in self.STEPS or not self.has_change_permission(request, run):
            raise PermissionDenied
        try:
            self.STEPS[step](run, request.user)
            self.message_user(request, f"Run #{run.pk}: {step.replace('_', ' ')} done.")
        except InvalidInput as exc:
            self.message_user(request, f"{exc.message} {exc.fields}", messages.ERROR)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:payouts_payoutrun_change", args=[run.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        run = PayoutRun.objects.filter(pk=unquote(object_id)).first()
        if run is not None:
            info = "admin:payouts_payoutrun"
            extra_context.update(
                progress_url=reverse(f"{info}_progress", args=[run.pk]),
                export_url=reverse(f"{info}_export", args=[run.pk]),
                step_urls={s: reverse(f"{info}_step", args=[run.pk, s]) for s in self.STEPS},
                lines_url=reverse("admin:payouts_payoutline_changelist")
                + f"?run__id__exact={run.pk}",
                summary=PayoutLine.objects.filter(run=run).aggregate(
                    partners=Count("id"),
                    net_total=Sum("net"),
                    to_pay=Sum("net", filter=Q(net__gt=0)),
                    carried=Sum("carried_forward_out"),
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)
