"""The ledger, run membership and run lines: read only, for finance's reports."""

from __future__ import annotations

from django.contrib import admin

from core.admin.base import ReadOnlyAdmin

from ..models import (
    LedgerEntry,
    MgPlanExclusion,
    PayoutLine,
    PayoutRunEntry,
)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    zone_path = "partner__city__region__timezone"
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
    list_select_related = ("run__region", "entry")
    show_full_result_count = False


@admin.register(PayoutLine)
class PayoutLineAdmin(ReadOnlyAdmin):
    zone_path = "run__region__timezone"
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
    list_select_related = ("run__region", "partner")
    show_full_result_count = False


@admin.register(MgPlanExclusion)
class MgPlanExclusionAdmin(ReadOnlyAdmin):
    zone_path = "partner__city__region__timezone"
    """Bookings that do not count toward their partner's MG plan (validated OOS...)."""

    list_display = ("booking", "partner", "reason", "case", "excluded_at")
    list_select_related = ("booking", "partner", "case")
    search_fields = ("booking__external_id__exact", "partner__external_id__exact")
    search_help_text = "Exact booking or partner id."
    ordering = ("-excluded_at",)
    list_per_page = 100
