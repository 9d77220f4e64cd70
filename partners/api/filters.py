"""Query-string filters of the partner list, and the city filter other lists share."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from core.api.filters import filter_ids, id_param

from ..models import LineOfBusiness, Partner
from ..selectors import cities_named


class CityFilterMixin(filters.FilterSet):
    """A `city` filter taking a city's id or name."""

    city = filters.CharFilter(method="filter_city", label="City id or name")

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        number = id_param(value, name)
        if number is not None:
            # An id needs no lookup: the queue's hot path saves a round trip.
            return queryset.filter(city_id=number)
        ids = list(cities_named(value).values_list("pk", flat=True))
        return filter_ids(queryset, "city_id", ids)


class PartnerFilter(CityFilterMixin):
    external_id = filters.CharFilter()
    is_active = filters.BooleanFilter()
    is_sme = filters.BooleanFilter()
    hub = filters.CharFilter(lookup_expr="iexact")
    category = filters.ChoiceFilter(
        choices=LineOfBusiness.choices, method="filter_category", label="Serves this category"
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(categories__contains=[value])
