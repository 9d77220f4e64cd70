"""Reversal requests: the queue awaiting a decision, evidence, approve / reject with a reason."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from unfold.contrib.filters.admin import AutocompleteSelectFilter

from core.admin.base import ServiceCreatedAdmin, record_label
from core.admin.bulk import BULK_LIMIT, ReasonForm, bulk_action
from core.errors import DomainError
from policies.words import code_in_words

from .. import services
from ..models import (
    OPEN_REVERSAL_STATES,
    EvidenceFile,
    ReversalKind,
    ReversalRequest,
)
from .evidence import (
    EvidenceFilesField,
    call_recording_field,
    evidence_html,
    evidence_refs_field,
    file_url,
    is_url,
)


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
    """Log a reversal request. A PAF and penalty reversal names the PAF only: its booking and
    partner are the PAF's own. A rating reversal names the booking. What the SOP refuses
    (a genuine PAF, one already reversed, one with a request open) comes back on the PAF
    field with what was typed; the service checks it all again when saving."""

    call_recording_ref = call_recording_field()
    evidence_refs = evidence_refs_field()
    evidence_files = EvidenceFilesField()

    class Meta:
        model = ReversalRequest
        fields = ["kind", "paf", "booking", "case", "call_recording_ref", "notes"]
        labels = {"paf": "PAF", "booking": "Booking (rating reversal only)"}
        help_texts = {
            "paf": "For a PAF and penalty reversal: the PAF. Its booking and partner are used.",
            "booking": "For a rating reversal: the job whose rating is disputed.",
            "case": "Optional: the case the request is worked on (about the same booking).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booking"].required = False
        self.fields["notes"].required = True

    def clean(self):
        data = super().clean()
        kind, paf, booking = data.get("kind"), data.get("paf"), data.get("booking")
        if kind == ReversalKind.PAF_PENALTY:
            if paf is None:
                if "paf" not in self.errors:
                    self.add_error("paf", "Choose the PAF to reverse.")
                return data
            if booking is not None and booking.pk != paf.booking_id:
                self.add_error("booking", "Leave it empty: the PAF's own booking is used.")
            refusal = services.paf_reversal_refusal(paf)
            if refusal:
                self.add_error("paf", refusal)
        elif kind == ReversalKind.RATING and booking is None and paf is None:
            self.add_error("booking", "Choose the job whose rating is to be reversed.")
        return data


@admin.register(ReversalRequest)
class ReversalRequestAdmin(ServiceCreatedAdmin):
    zone_path = "booking__city__region__timezone"
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
    list_filter = (
        AwaitingDecisionFilter,
        "state",
        "kind",
        ("partner", AutocompleteSelectFilter),
        "on_behalf_of_partner",
    )
    search_fields = ("=id", "partner__external_id", "partner__name", "booking__external_id")
    list_select_related = ("partner", "booking", "paf", "requested_by", "decided_by")
    autocomplete_fields = ("paf", "booking", "case")  # each its own search
    ordering = ("requested_at", "id")  # oldest first: the queue is worked in arrival order
    actions = ["approve", "reject", "start_review"]
    record_actions = ("approve", "reject", "start_review")

    def record_action_allowed(self, request, obj: ReversalRequest, name: str) -> bool:
        if obj.requested_by_id == request.user.pk:
            return False  # nobody decides what they logged themselves
        if name == "start_review":
            return obj.state == "submitted"
        return obj.state in OPEN_REVERSAL_STATES

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
                "evidence_files",
            ]
        return self._shown() + ["evidence_links", "paf_decision"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self._shown() + ["evidence_links", "paf_decision"]

    @staticmethod
    def _shown() -> list[str]:
        # The evidence list is rendered as links and names (evidence_links), never as JSON.
        return [f.name for f in ReversalRequest._meta.fields if f.name != "evidence"]

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
            evidence_files=form.cleaned_data.get("evidence_files", []),
        )
        obj.pk = created.pk
        obj.partner_id, obj.booking_id = created.partner_id, created.booking_id  # it is named
        obj._state.adding = False

    @admin.display(description="evidence")
    def evidence_summary(self, request_obj: ReversalRequest) -> str:
        return evidence_html(request_obj)

    def get_urls(self):
        evidence = path(
            "<int:object_id>/evidence/<int:file_id>/",
            self.admin_site.admin_view(self.evidence_file_view),
            name="payouts_reversalrequest_evidence",
        )
        return [evidence, *super().get_urls()]

    def evidence_file_view(self, request, object_id: int, file_id: int) -> FileResponse:
        """One stored evidence file, to those who may see its request; shown in the browser
        as the kind of file its bytes showed when it was taken, never as a page."""
        stored = get_object_or_404(
            EvidenceFile.objects.select_related("request"), pk=file_id, request_id=object_id
        )
        if not self.has_view_permission(request, stored.request):
            raise PermissionDenied
        response = FileResponse(
            stored.file.open("rb"), content_type=stored.content_type, filename=stored.name
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
        return response

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("files")

    @admin.display(description="evidence links")
    def evidence_links(self, request_obj: ReversalRequest) -> str:
        link = '<a href="{}" target="_blank" rel="noopener">{}</a>'
        lines = [
            format_html(link + " ({} KB)", file_url(request_obj, f.pk), f.name, -(-f.size // 1024))
            for f in request_obj.files.all()
        ]
        for ref in (str(ref) for ref in request_obj.evidence or []):
            if is_url(ref):
                lines.append(format_html(link, ref, ref))
            else:
                lines.append(format_html("{} (a name only: no file was stored)", ref))
        if not lines:
            return "–"
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    @admin.display(description="original PAF decision")
    def paf_decision(self, request_obj: ReversalRequest) -> str:
        paf = request_obj.paf
        if paf is None:
            return "–"
        return format_html(
            "{} · marked for: {}{}",
            paf.get_state_display(),
            code_in_words(paf.reason),
            format_html(" · review: {}", paf.decision_reason) if paf.decision_reason else "",
        )

    def describe_for_bulk(self, r: ReversalRequest) -> str:
        paf = f" · PAF {r.paf.get_state_display()}: {r.paf.reason}" if r.paf else ""
        return (
            f"{r.get_kind_display()} for {r.partner} on {r.booking}{paf} · logged by "
            f"{r.requested_by} · {Truncator(r.notes).chars(80)}"
        )

    def bulk_rows(self, queryset):
        return queryset.select_related("partner", "booking", "paf", "requested_by")

    approve = bulk_action(
        description="Approve selected requests",
        title="Approve reversal requests",
        record_label="Approve this request",
        record_title="Approve this reversal request",
        verb="Reversal requests approved",
        form_class=ReasonForm,
        apply=lambda r, data, user: services.approve_reversal_request(
            request_id=r.pk, actor=user, reason=data["reason"]
        ),
    )
    reject = bulk_action(
        description="Reject selected requests",
        title="Reject reversal requests",
        record_label="Reject this request",
        record_title="Reject this reversal request",
        verb="Reversal requests rejected",
        form_class=ReasonForm,
        apply=lambda r, data, user: services.reject_reversal_request(
            request_id=r.pk, actor=user, reason=data["reason"]
        ),
    )

    @record_label("Start review of this request")
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
