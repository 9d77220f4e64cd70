"""PAFs and penalties in the console: mark (with the penalty), review, log a reversal, waive."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from unfold.contrib.filters.admin import AutocompleteSelectFilter

from cases import services as case_services
from core.admin.base import ConsoleAdmin, ServiceCreatedAdmin, record_label
from core.admin.bulk import ReasonForm, decide_in_bulk
from core.admin.errors import add_domain_error
from core.errors import InvalidInput
from policies.words import code_in_words

from .. import selectors, services
from ..models import (
    PafState,
    PartnerAtFault,
    Penalty,
    PenaltyState,
)
from .evidence import EvidenceForm


class PafAddForm(forms.ModelForm):
    """The partner at fault is the booking's partner: derived by the service, never chosen.
    The service's checks run on the form too, so a refusal comes back on its field with what
    was typed."""

    class Meta:
        model = PartnerAtFault
        fields = ["booking", "case", "reason"]
        help_texts = {
            "booking": "The job. The partner at fault is the booking's partner.",
            "case": "Optional: the case the PAF is worked on (about the same booking).",
        }

    def clean(self):
        data = super().clean()
        booking = data.get("booking")
        if booking is None:
            return data
        try:
            if booking.partner_id is None:
                raise InvalidInput(
                    {"booking": f"Booking {booking.external_id} has no partner: nobody to mark."}
                )
            case_services.require_case_of_booking(data.get("case"), booking)
        except InvalidInput as exc:
            add_domain_error(self, exc)
        return data


@admin.register(PartnerAtFault)
class PartnerAtFaultAdmin(ServiceCreatedAdmin):
    zone_path = "booking__city__region__timezone"
    list_display = (
        "id",
        "partner",
        "booking",
        "state",
        "reason_in_words",
        "penalty_amount",
        "marked_at",
        "reviewer",
    )
    list_filter = (
        "state",
        ("partner", AutocompleteSelectFilter),  # searched, never listed
        "marked_at",
        "partner__city__region",
    )
    search_fields = ("=id", "partner__external_id", "partner__name", "booking__external_id")
    list_select_related = ("partner", "booking", "penalty", "reviewer")
    raw_id_fields = ("partner", "booking", "case")
    ordering = ("-id",)
    date_hierarchy = "marked_at"
    actions = ["log_reversal_request", "review_genuine", "review_not_genuine"]
    record_actions = ("log_reversal_request", "review_genuine", "review_not_genuine")
    show_full_result_count = False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PafAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["booking", "case", "reason"]
        return [f.name for f in PartnerAtFault._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [f.name for f in PartnerAtFault._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        paf = services.mark_paf(
            booking=obj.booking,
            case=obj.case,
            reason=obj.reason,
            actor=request.user,
        )
        obj.pk = paf.pk
        obj.partner_id = paf.partner_id  # the admin names the record it saved
        obj._state.adding = False

    @admin.display(description="penalty")
    def penalty_amount(self, paf: PartnerAtFault) -> str:
        try:
            penalty = paf.penalty
        except Penalty.DoesNotExist:
            return "–"
        return f"{penalty.amount} {penalty.currency} ({penalty.state})"

    @admin.display(description="reason", ordering="reason")
    def reason_in_words(self, paf: PartnerAtFault) -> str:
        return code_in_words(paf.reason)

    def reversal_refusal(self, request, obj: PartnerAtFault) -> str | None:
        """Why the SOP refuses a reversal request for this PAF now (asked once a page)."""
        cache = request.__dict__.setdefault("_reversal_refusals", {})
        if obj.pk not in cache:
            cache[obj.pk] = services.paf_reversal_refusal(obj)
        return cache[obj.pk]

    def record_action_allowed(self, request, obj: PartnerAtFault, name: str) -> bool:
        if name == "log_reversal_request":
            # Pending review or not genuine, not reversed, no request open (revisit SOP).
            return self.reversal_refusal(request, obj) is None
        # Nobody reviews a PAF they marked (the service refuses it too).
        return obj.state == PafState.PENDING_REVIEW and obj.marked_by_id != request.user.pk

    def record_notices(self, request, obj: PartnerAtFault) -> list[dict[str, str]]:
        """Partner support reads why no reversal request can be logged before any form."""
        if not self.has_log_reversal_permission(request):
            return []
        refusal = self.reversal_refusal(request, obj)
        if refusal is None:
            return []
        return [{"level": "warn", "name": "reversal-refused", "html": format_html("{}", refusal)}]

    def has_log_reversal_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payouts.add_reversalrequest")

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payouts.change_partneratfault")

    @record_label("Log a PAF and penalty reversal request")
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
                evidence_files=data["evidence_files"],
            )

        return decide_in_bulk(
            self,
            request,
            queryset.select_related("partner", "booking"),
            title="Log PAF and penalty reversal requests",
            record_title="Log a PAF and penalty reversal request",
            verb="Reversal requests logged",
            form_class=EvidenceForm,
            apply_one=apply_one,
            describe=lambda p: (
                f"{p.partner} on {p.booking} ({p.get_state_display()}): {code_in_words(p.reason)}"
            ),
        )

    def _review(self, request, queryset, genuine: bool):
        return decide_in_bulk(
            self,
            request,
            queryset.select_related("partner", "booking"),
            title=f"Review PAFs as {'genuine' if genuine else 'not genuine'}",
            verb="PAFs reviewed",
            form_class=ReasonForm,
            apply_one=lambda paf, data: services.review_paf(
                paf_id=paf.pk, actor=request.user, genuine=genuine, reason=data["reason"]
            ),
            describe=lambda p: f"{p.partner} on {p.booking}: {code_in_words(p.reason)}",
        )

    @record_label("Review: this PAF is genuine (it stands)")
    @admin.action(description="Review: PAF is genuine (stands)", permissions=["review"])
    def review_genuine(self, request, queryset):
        return self._review(request, queryset, True)

    @record_label("Review: this PAF is not genuine")
    @admin.action(description="Review: PAF is not genuine", permissions=["review"])
    def review_not_genuine(self, request, queryset):
        return self._review(request, queryset, False)


# --- penalties ---------------------------------------------------------------------------------


class DueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("next_run", "Due in the next run"),
            ("held", "Held: PAF awaiting review"),
            ("scheduled", "In a run, not paid"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "next_run":
            return selectors.deductible_penalties(queryset)
        if self.value() == "held":
            return selectors.held_penalties(queryset)
        if self.value() == "scheduled":
            return queryset.filter(state=PenaltyState.SCHEDULED)
        return queryset


@admin.register(Penalty)
class PenaltyAdmin(ConsoleAdmin):
    zone_path = "booking__city__region__timezone"
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
    list_filter = (
        DueFilter,
        "state",
        ("partner", AutocompleteSelectFilter),
        "currency",
        "created_at",
    )
    search_fields = ("=id", "partner__external_id", "partner__name", "booking__external_id")
    list_select_related = ("partner", "booking")
    ordering = ("created_at", "id")
    actions = ["waive"]
    record_actions = ("waive",)

    def record_action_allowed(self, request, obj, name: str) -> bool:
        return obj.state in (PenaltyState.PENDING, PenaltyState.SCHEDULED)

    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Penalty._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @record_label("Waive this penalty")
    @admin.action(description="Waive selected penalties", permissions=["change"])
    def waive(self, request, queryset):
        return decide_in_bulk(
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
