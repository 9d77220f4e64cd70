"""Filter helpers: related rows named by a business key are resolved to ids first, so a list
filters on the foreign-key column itself and can use its (column, -id) indexes."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Model, QuerySet
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from core.inputs import BadInput, id_if_numeric


def id_param(value: str, name: str) -> int | None:
    """A query parameter meant as an id: the id when it is ASCII digits within bigint, None
    when it is a name or key, and a 400 on `name` when it is written as a number but is not
    an id ('²', '٣', thirty digits): Python's isdigit() and int() take those, PostgreSQL not."""
    try:
        return id_if_numeric(value)
    except BadInput as exc:
        raise ValidationError({name: [exc.message]}) from None


def ids_of(model: type[Model], value: str, key: str, name: str = "id") -> list[int]:
    """Ids of the rows whose key is the value; failing that, the value itself if an id."""
    value = value.strip()
    ids = list(model._default_manager.filter(**{key: value}).values_list("pk", flat=True))
    if not ids:
        number = id_param(value, name)
        ids = [number] if number is not None else []
    return ids


def filter_ids(queryset: QuerySet, column: str, ids: list[int]) -> QuerySet:
    """Rows whose column is one of the ids (none when there are none)."""
    if not ids:
        return queryset.none()
    if len(ids) == 1:
        return queryset.filter(**{column: ids[0]})
    return queryset.filter(**{f"{column}__in": ids})


def external_id_filter(model: type[Model], column: str, label: str) -> filters.CharFilter:
    """A filter taking a row's id or external id."""

    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_ids(queryset, column, ids_of(model, value, "external_id", name))

    return filters.CharFilter(method=method, label=f"{label} id or external id")


class _ListOnly:
    """A list's query-string filters apply to the list only: a detail or an action finds
    (and answers from) its row whatever the query string says (a `?state=` left on an
    approve call must not turn its committed write into a 404 or a 500)."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") not in ("list", None):
            return queryset
        return super().filter_queryset(request, queryset, view)


class ListFilterBackend(_ListOnly, filters.DjangoFilterBackend):
    """django-filter's FilterSet, on lists only."""


class ListSearchFilter(_ListOnly, SearchFilter):
    """DRF's ?search=, on lists only."""


class ListOrderingFilter(_ListOnly, OrderingFilter):
    """DRF's ?ordering=, on lists only."""


# Real-world UTC offsets lie between -12:00 and +14:00; PostgreSQL refuses beyond ±15:59.
MIN_OFFSET, MAX_OFFSET = timedelta(hours=-12), timedelta(hours=14)
EARLIEST_YEAR, LATEST_YEAR = 1900, 9999


class MomentField(forms.DateTimeField):
    """An ISO 8601 moment with a time zone offset a clock can have."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and not MIN_OFFSET <= offset <= MAX_OFFSET:
            raise forms.ValidationError("The UTC offset must lie between -12:00 and +14:00.")
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise forms.ValidationError(f"The year must lie between {EARLIEST_YEAR} and 9999.")
        return moment


class MomentFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 moment filter refusing offsets and years no clock has (a 400, not a
    database error)."""

    field_class = type("IsoMomentField", (IsoDateTimeField, MomentField), {})


def id_filter(column: str, label: str) -> filters.CharFilter:
    """A filter taking a row's id only: ASCII digits; '²' or '٣' is a 400 on the filter (a
    NumberFilter would read '٣' as 3)."""

    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        number = id_param(value, name)
        if number is None:
            raise ValidationError({name: ["Give an id: the digits 0-9."]})
        return queryset.filter(**{column: number})

    return filters.CharFilter(method=method, label=label)
