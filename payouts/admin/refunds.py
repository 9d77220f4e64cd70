"""Refunds: the queue to approve, approve / reject / paid / failed with a reason."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from core.admin.base import ServiceCreatedAdmin
from core.admin.bulk import OptionalReasonForm, ReasonForm, bulk_action

from .. import services
from ..models import (
    Refund,
    RefundState,
)


class PaymentReferenceForm(forms.Form):
    """Marking refunds paid asks for what finance has in hand: the payment's reference."""

    payment_reference = forms.CharField(
        max_length=Refund._meta.get_field("payment_reference").max_length,
        help_text="The bank's or the gateway's reference for the payment (one batch "
        "reference when the selected refunds were paid together). Kept on each refund.",
    )


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
    zone_path = "booking__city__region__timezone"
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
    record_actions = ("approve", "reject", "mark_paid")

    def record_action_allowed(self, request, obj: Refund, name: str) -> bool:
        if name == "mark_paid":
            return obj.state == RefundState.APPROVED
        return obj.state == RefundState.REQUESTED and obj.requested_by_id != request.user.pk

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

    def bulk_rows(self, queryset):
        return queryset.select_related("customer", "booking", "requested_by")

    def describe_for_bulk(self, r: Refund) -> str:
        recover = " · recovered from the partner" if r.deduct_from_partner else ""
        return (
            f"{r.amount} {r.currency} to {r.customer} for {r.booking} "
            f"({r.get_reason_display()}){recover} · requested by {r.requested_by}"
        )

    approve = bulk_action(
        description="Approve selected refunds",
        title="Approve refunds",
        record_label="Approve this refund",
        record_title="Approve this refund",
        verb="Refunds approved",
        form_class=OptionalReasonForm,
        apply=lambda r, data, user: services.approve_refund(
            refund_id=r.pk, actor=user, reason=data["reason"]
        ),
    )
    reject = bulk_action(
        description="Reject selected refunds",
        title="Reject refunds",
        record_label="Reject this refund",
        record_title="Reject this refund",
        verb="Refunds rejected",
        form_class=ReasonForm,
        apply=lambda r, data, user: services.reject_refund(
            refund_id=r.pk, actor=user, reason=data["reason"]
        ),
    )
    mark_paid = bulk_action(
        description="Mark selected refunds paid",
        title="Mark refunds paid",
        record_label="Mark this refund paid",
        record_title="Mark this refund paid",
        verb="Refunds marked paid",
        form_class=PaymentReferenceForm,
        apply=lambda r, data, user: services.mark_refund_paid(
            refund_id=r.pk, actor=user, payment_reference=data["payment_reference"]
        ),
    )
