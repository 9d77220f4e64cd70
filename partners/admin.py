"""Console pages for regions, cities, partners and partner calendars."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.selectors import is_back_office
from payouts import selectors as payout_selectors

from .models import CalendarSlot, City, Partner, Region

# Rows on the partner page: the latest few, with links to the full lists.
PAGE_PAFS = 20
PAGE_PENALTIES = 20
PAGE_LEDGER = 50


class CityInline(admin.TabularInline):
    model = City
    fields = ("name", "is_metro")
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "currency", "timezone", "weekend_days")
    list_filter = ("currency",)
    search_fields = ("name", "country")
    list_per_page = 50
    inlines = [CityInline]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "is_metro")
    list_select_related = ("region",)
    list_filter = ("region", "is_metro")
    search_fields = ("name",)
    list_per_page = 100


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "external_id",
        "phone",
        "city",
        "hub",
        "category_list",
        "is_sme",
        "rwm",
        "rating",
        "is_active",
    )
    list_select_related = ("city",)
    list_filter = ("is_active", "is_sme", "city")
    # Exact id and phone, name by prefix: no leading-wildcard scans.
    search_fields = ("external_id__exact", "phone__exact", "^name")
    search_help_text = "Exact partner id (PX…) or phone, or the start of the name."
    list_per_page = 50
    ordering = ("name",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    raw_id_fields = ("user",)
    # Below the form: metrics, PAF history, penalties, ledger, next payout (read-only).
    change_form_template = "admin/partners/partner/change_form.html"
    readonly_fields = ("external_id", "created_at")
    fieldsets = [
        (None, {"fields": ("external_id", "name", "phone", "city", "hub", "is_active")}),
        ("Work", {"fields": ("categories", "is_sme", "programmes", "rating")}),
        ("Partner app", {"fields": ("user", "created_at"), "classes": ["collapse"]}),
    ]

    @admin.display(description="categories")
    def category_list(self, partner: Partner) -> str:
        return ", ".join(partner.categories)

    @admin.display(description="RWM", boolean=True)
    def rwm(self, partner: Partner) -> bool:
        return partner.is_rwm

    def has_delete_permission(self, request, obj=None):
        return False  # bookings, cases and payouts point at partners; deactivate instead

    def get_queryset(self, request: HttpRequest):
        # The page's sections need the region (currency, time zone): one join, not a query.
        return super().get_queryset(request).select_related("city__region")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and is_back_office(request.user):
            context["partner_page"] = self.partner_page(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def partner_page(self, request: HttpRequest, partner: Partner) -> dict[str, Any]:
        """The read-only sections; a fixed number of queries whatever the partner's history."""
        user = request.user
        metrics = payout_selectors.partner_metrics(partner)
        rate = metrics["paf_rate"]
        return {
            "metrics": metrics,
            "paf_rate_percent": None if rate is None else rate * 100,
            "pafs": list(payout_selectors.paf_list(user=user).filter(partner=partner)[:PAGE_PAFS]),
            "penalties": list(
                payout_selectors.penalty_list(user=user).filter(partner=partner)[:PAGE_PENALTIES]
            ),
            "ledger": list(
                payout_selectors.ledger_statement(partner_id=partner.pk).select_related("booking")[
                    :PAGE_LEDGER
                ]
            ),
            "balances": payout_selectors.partner_balances(partner_id=partner.pk),
            "preview": payout_selectors.next_payout_preview(partner),
            "limits": {"pafs": PAGE_PAFS, "penalties": PAGE_PENALTIES, "ledger": PAGE_LEDGER},
        }


@admin.register(CalendarSlot)
class CalendarSlotAdmin(admin.ModelAdmin):
    list_display = ("partner", "status", "starts_at", "ends_at", "note")
    list_select_related = ("partner",)
    list_filter = ("status", ("starts_at", admin.DateFieldListFilter))
    date_hierarchy = "starts_at"
    search_fields = ("partner__external_id__exact",)
    search_help_text = "Exact partner id (PX…)."
    list_per_page = 100
    ordering = ("-starts_at",)
    show_full_result_count = False
    raw_id_fields = ("partner",)
