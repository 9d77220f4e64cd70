"""Query-string filters of the API lists (django-filter FilterSets).

Related rows named by a business key (city name, external id) are resolved to their ids
first, so the list query filters on the foreign-key column itself and can use the
(column, -id) indexes on Case that the cursor pagination relies on.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters

from core.api.filters import MomentFilter, external_id_filter, id_param
from partners.api.filters import CityFilterMixin
from partners.models import LineOfBusiness, Partner

from ..catalog import CaseKind, Team
from ..customer_search import customer_matches
from ..models import (
    OPEN_STATES,
    SLA_BREACHED,
    Booking,
    BookingStatus,
    Case,
    CaseStatus,
    Customer,
    DispositionTag,
    PaymentMode,
    Priority,
)


class CaseFilter(CityFilterMixin):
    status = filters.ChoiceFilter(choices=CaseStatus.choices)
    kind = filters.ChoiceFilter(choices=CaseKind.choices)
    priority = filters.ChoiceFilter(choices=Priority.choices)
    team = filters.ChoiceFilter(choices=Team.choices)
    assignee = filters.CharFilter(
        method="filter_assignee", label='Assignee user id, "me" or "none" (unassigned)'
    )
    partner = external_id_filter(Partner, "partner_id", "Partner")
    booking = external_id_filter(Booking, "booking_id", "Booking")
    customer = external_id_filter(Customer, "customer_id", "Customer")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    overdue = filters.BooleanFilter(
        method="filter_overdue", label="Past the due time and still open"
    )
    breached = filters.BooleanFilter(
        method="filter_breached", label="Still open with an SLA target missed"
    )
    due_within = filters.NumberFilter(
        method="filter_due_within",
        min_value=0,
        max_value=60 * 24 * 31,
        label="An SLA warning or target falls due within this many minutes (or already has)",
    )
    paused = filters.BooleanFilter(method="filter_paused", label="SLA clock paused (waiting)")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_assignee(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().lower()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            return queryset.filter(assignee_id=self.request.user.pk)
        number = id_param(value, name)
        if number is not None:
            return queryset.filter(assignee_id=number)
        return queryset.none()

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Q(due_at__lt=timezone.now(), status__in=OPEN_STATES)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_breached(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        breached = Q(status__in=OPEN_STATES) & SLA_BREACHED
        return queryset.filter(breached) if value else queryset.exclude(breached)

    def filter_due_within(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        horizon = timezone.now() + timedelta(minutes=float(value))
        return queryset.filter(next_deadline_at__lte=horizon)

    def filter_paused(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        paused = Q(paused_since__isnull=False)
        return queryset.filter(paused) if value else queryset.exclude(paused)


class BookingFilter(CityFilterMixin):
    status = filters.ChoiceFilter(choices=BookingStatus.choices)
    lob = filters.ChoiceFilter(choices=LineOfBusiness.choices)
    payment_mode = filters.ChoiceFilter(choices=PaymentMode.choices)
    customer = external_id_filter(Customer, "customer_id", "Customer")
    partner = external_id_filter(Partner, "partner_id", "Partner")
    external_id = filters.CharFilter()
    service_date_from = filters.DateFilter(field_name="service_date", lookup_expr="gte")
    service_date_to = filters.DateFilter(field_name="service_date", lookup_expr="lte")

    class Meta:
        model = Booking
        fields: list[str] = []


class CustomerFilter(CityFilterMixin):
    external_id = filters.CharFilter()
    phone = filters.CharFilter()
    q = filters.CharFilter(
        method="filter_search",
        label="Search: part of a name (3+ letters), a phone number in local or international "
        "form, 4+ of its digits, or the exact customer id (as the console's customer search).",
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        matches = customer_matches(value)
        return queryset if matches is None else queryset.filter(matches)


class DispositionFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(
        choices=CaseKind.choices, method="filter_kind", label="Tags that may resolve this kind"
    )

    class Meta:
        model = DispositionTag
        fields: list[str] = []

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(kinds__contains=[value])
