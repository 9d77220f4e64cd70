"""Bookings, customers and the disposition tree in the console."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from core.admin.base import ConsoleAdmin, ConsoleTabularInline
from core.admin.pagination import CappedCountPaginator
from core.csv import stream_csv

from ..customer_search import customer_matches
from ..models import (
    Booking,
    BookingEvent,
    BookingLine,
    Case,
    Customer,
    DispositionTag,
)
from .filters import TagKindFilter, customer_ids_with_phone


class BookingLineInline(ConsoleTabularInline):
    model = BookingLine
    fields = ("sku", "description", "quantity", "unit_price")
    extra = 0


class BookingEventInline(ConsoleTabularInline):
    """The booking's transitions, read-only (append-only in the database too)."""

    model = BookingEvent
    fields = ("at", "actor", "transition", "from_state", "to_state", "payload")
    readonly_fields = fields
    ordering = ("at", "id")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


RELATED_ROWS = 20


def related_cases(cases, query: str) -> dict:
    """A record's cases, newest first, each linking to the case page."""
    rows = cases.order_by("-id")[:RELATED_ROWS]
    return {
        "title": "Cases",
        "rows": [
            (
                reverse("admin:cases_case_change", args=[c.pk]),
                f"#{c.pk} {c.get_kind_display()} · {c.get_status_display()} · {c.subject}",
            )
            for c in rows
        ],
        "more_url": reverse("admin:cases_case_changelist") + query,
    }


@admin.register(Booking)
class BookingAdmin(ConsoleAdmin):
    zone_path = "city__region__timezone"
    inlines = [BookingLineInline, BookingEventInline]

    def related_lists(self, request, obj):
        return [related_cases(Case.objects.filter(booking=obj), f"?work=all&q={obj.external_id}")]

    list_display = (
        "external_id",
        "status",
        "customer",
        "partner",
        "city",
        "lob",
        "service_date",
        "payment_mode",
        "invoice_amount",
        "currency",
    )
    list_select_related = ("customer", "partner", "city")
    list_filter = (
        "status",
        "lob",
        "payment_mode",
        "city",
        "is_commercial",
        "is_sme_revisit",
        ("service_date", admin.DateFieldListFilter),
    )
    list_per_page = 50
    ordering = ("-id",)
    sortable_by = ("external_id", "service_date")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    search_fields = ("external_id",)
    search_help_text = "Exact booking id or customer phone."
    raw_id_fields = ("customer", "partner", "revisit_of")
    actions = ["export_csv"]
    fieldsets = [
        (None, {"fields": ("external_id", "status", "lob", "city", "customer", "partner")}),
        (
            "Money",
            {"fields": ("currency", "cart_value", "invoice_amount", "payment_mode")},
        ),
        (
            "When and where",
            {
                "fields": (
                    "booking_time",
                    "service_date",
                    "spd",
                    "address",
                    ("latitude", "longitude"),
                    "is_commercial",
                )
            },
        ),
        (
            "Revisit and cancellation",
            {"fields": ("revisit_of", "is_sme_revisit", "cancellation_code", "cancelled_by")},
        ),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ["collapse"]}),
    ]
    # The booking platform owns bookings; the console may correct the visit details only.
    console_editable = ("spd", "address", "latitude", "longitude", "is_commercial")

    def get_readonly_fields(self, request, obj=None):
        every = [f.name for f in Booking._meta.concrete_fields if f.name != "id"]
        return tuple(f for f in every if f not in self.console_editable)

    def has_add_permission(self, request):
        return False  # bookings arrive through the API from the booking platform

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = Q(external_id=term)
        customer_ids = customer_ids_with_phone(term)
        if customer_ids:
            matches |= Q(customer_id__in=customer_ids)
        return queryset.filter(matches), False

    @admin.action(description="Export selected to CSV", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Booking]) -> HttpResponse:
        header = [
            "external_id",
            "status",
            "city",
            "lob",
            "customer",
            "customer_phone",
            "partner",
            "currency",
            "cart_value",
            "invoice_amount",
            "payment_mode",
            "booking_time",
            "service_date",
            "spd",
            "is_revisit",
            "cancellation_code",
        ]
        rows = (
            (
                b.external_id,
                b.status,
                b.city.name,
                b.lob,
                b.customer.external_id,
                b.customer.phone,
                b.partner.external_id if b.partner else "",
                b.currency,
                b.cart_value,
                b.invoice_amount,
                b.payment_mode,
                b.booking_time,
                b.service_date,
                b.spd,
                b.is_revisit,
                b.cancellation_code,
            )
            for b in queryset.select_related("city", "customer", "partner").iterator(
                chunk_size=2000
            )
        )
        return stream_csv(f"bookings-{timezone.localdate():%Y%m%d}.csv", header, rows)


@admin.register(Customer)
class CustomerAdmin(ConsoleAdmin):
    zone_path = "city__region__timezone"
    list_display = ("name", "external_id", "phone", "email", "city", "fraud_score", "created_at")
    list_select_related = ("city",)
    list_filter = ("city",)
    list_per_page = 50
    ordering = ("-id",)
    sortable_by = ("name", "external_id")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    # Searched by cases.customer_search (get_search_results): every branch uses an index.
    search_fields = ("external_id",)
    search_help_text = (
        "Part of a name (3+ letters), a phone number as typed (01270688253, +20 127…), "
        "4+ of its digits (0688), or the exact customer id."
    )
    readonly_fields = ("external_id", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        matches = customer_matches(search_term)
        if matches is None:
            return queryset, False
        # A match across the region join can repeat no row: one customer, one city, one region.
        return queryset.filter(matches), False

    def related_lists(self, request, obj):
        return [
            related_cases(Case.objects.filter(customer=obj), f"?work=all&q={obj.phone}"),
            {
                "title": "Bookings",
                "rows": [
                    (
                        reverse("admin:cases_booking_change", args=[b.pk]),
                        f"{b.external_id} · {b.get_lob_display()} · {b.get_status_display()}"
                        f" · {b.service_date:%d %b %Y}",
                    )
                    for b in obj.bookings.order_by("-booking_time")[:RELATED_ROWS]
                ],
                "more_url": "",
            },
        ]


@admin.register(DispositionTag)
class DispositionTagAdmin(ConsoleAdmin):
    list_display = ("path", "label", "depth", "is_selectable", "kind_list")
    list_filter = ("is_selectable", "depth", TagKindFilter)
    search_fields = ("path", "label")
    list_per_page = 100
    readonly_fields = ("parent", "depth")

    @admin.display(description="applies to")
    def kind_list(self, tag: DispositionTag) -> str:
        return ", ".join(tag.kinds)

    def has_delete_permission(self, request, obj=None):
        return False  # resolved cases point at their tag for ever
