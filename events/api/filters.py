"""Filters of the delivery log."""

from __future__ import annotations

from django_filters import rest_framework as filters

from core.api.filters import MomentFilter, id_filter

from ..models import Delivery, DeliveryState


class DeliveryFilter(filters.FilterSet):
    endpoint = id_filter("endpoint_id", "Endpoint id")
    type = filters.CharFilter(field_name="event__type", label="Event type")
    state = filters.ChoiceFilter(choices=DeliveryState.choices)
    since = MomentFilter(field_name="created_at", lookup_expr="gte", label="Recorded from")
    until = MomentFilter(field_name="created_at", lookup_expr="lt", label="Recorded before")

    class Meta:
        model = Delivery
        fields: list[str] = []
