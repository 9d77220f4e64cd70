"""Query-string filters of the API lists (django-filter FilterSets).

Related rows named by a business key (city name, external id) are resolved to their ids
first, so the list query filters on the foreign-key column itself and can use the
(column, -id) indexes on Case that the cursor pagination relies on.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters

from partners.models import LineOfBusiness, Partner

from ..catalog import CaseKind, Team
from ..models import (
    OPEN_STATES,
    Booking,
    BookingStatus,
    Case,
    CaseStatus,
    Customer,
    DispositionTag,
    PaymentMode,
    Priority,
)
from ..selectors import cities_named


def _ids_of(model: type[Model], value: str, key: str) -> list[int]:
    """Ids of the rows whose key is the value; failing that, the value itself if a number."""
    value = value.strip()
    ids = list(model._default_manager.filter(**{key: value}).values_list("pk", flat=True))
    if not ids and value.isdigit():
        ids = [int(value)]
    return ids


def _filter_ids(queryset: QuerySet, column: str, ids: list[int]) -> QuerySet:
    if not ids:
        return queryset.none()
    if len(ids) == 1:
        return queryset.filter(**{column: ids[0]})
    return queryset.filter(**{f"{column}__in": ids})


class CityFilterMixin(filters.FilterSet):
    city = filters.CharFilter(method="filter_city", label="City id or name")

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value.strip().isdigit():
            # An id needs no lookup: the queue's hot path saves a round trip.
            return queryset.filter(city_id=int(value))
        ids = list(cities_named(value).values_list("pk", flat=True))
        return _filter_ids(queryset, "city_id", ids)


def _external_id_filter(model: type[Model], column: str, label: str) -> filters.CharFilter:
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _filter_ids(queryset, column, _ids_of(model, value, "external_id"))

    return filters.CharFilter(method=method, label=f"{label} id or external id")


class CaseFilter(CityFilterMixin):
    status = filters.ChoiceFilter(choices=CaseStatus.choices)
    kind = filters.ChoiceFilter(choices=CaseKind.choices)
    priority = filters.ChoiceFilter(choices=Priority.choices)
    team = filters.ChoiceFilter(choices=Team.choices)
    assignee = filters.CharFilter(
        method="filter_assignee", label='Assignee user id, "me" or "none" (unassigned)'
    )
    partner = _external_id_filter(Partner, "partner_id", "Partner")
    booking = _external_id_filter(Booking, "booking_id", "Booking")
    customer = _external_id_filter(Customer, "customer_id", "Customer")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    overdue = filters.BooleanFilter(
        method="filter_overdue", label="Past the due time and still open"
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_assignee(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().lower()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            return queryset.filter(assignee_id=self.request.user.pk)
        if value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset.none()

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Q(due_at__lt=timezone.now(), status__in=OPEN_STATES)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class BookingFilter(CityFilterMixin):
    status = filters.ChoiceFilter(choices=BookingStatus.choices)
    lob = filters.ChoiceFilter(choices=LineOfBusiness.choices)
    payment_mode = filters.ChoiceFilter(choices=PaymentMode.choices)
    customer = _external_id_filter(Customer, "customer_id", "Customer")
    partner = _external_id_filter(Partner, "partner_id", "Partner")
    external_id = filters.CharFilter()
    service_date_from = filters.DateFilter(field_name="service_date", lookup_expr="gte")
    service_date_to = filters.DateFilter(field_name="service_date", lookup_expr="lte")

    class Meta:
        model = Booking
        fields: list[str] = []


class CustomerFilter(CityFilterMixin):
    external_id = filters.CharFilter()
    phone = filters.CharFilter()

    class Meta:
        model = Customer
        fields: list[str] = []


class DispositionFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(
        choices=CaseKind.choices, method="filter_kind", label="Tags that may resolve this kind"
    )

    class Meta:
        model = DispositionTag
        fields: list[str] = []

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(kinds__contains=[value])
