"""Query-string filters of the partner list."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from cases.api.filters import CityFilterMixin

from ..models import LineOfBusiness, Partner


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
