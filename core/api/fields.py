"""Serializer fields shared by the API: rows named by id or by a business key."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from django.db.models import Choices, Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.inputs import BadInput, id_if_numeric, parse_moment, parse_plain_decimal

# A moment typed into the API (a due time, a booking, a call) is from 1970 on: earlier ones
# are typing mistakes, and zones then kept local mean times whose offsets have seconds,
# which no ISO 8601 / RFC 3339 reader takes back.
EARLIEST_MOMENT_YEAR = 1970


class MomentField(serializers.DateTimeField):
    """A date and time taken as `core.inputs.parse_moment` reads it (ISO 8601, an offset a
    clock can have, a day that exists), from 1970 on; DRF's field otherwise."""

    def to_internal_value(self, value: Any):
        try:
            moment = parse_moment(value)
        except BadInput as exc:
            raise serializers.ValidationError(exc.message) from None
        if moment.year < EARLIEST_MOMENT_YEAR:
            raise serializers.ValidationError(
                f"Give a moment from {EARLIEST_MOMENT_YEAR} on, ISO 8601."
            )
        return super().to_internal_value(moment)


@extend_schema_field(OpenApiTypes.STR)
class IdOrKeyField(serializers.RelatedField):
    """Accepts a row's id (a JSON number) or its business key (a string such as an external id).

    Renders as the id. `key` is the lookup used for strings, e.g. "external_id" or
    "name__iexact" for cities, whose names are unique within a region but not across them.
    A string of digits is tried as the key first (platforms often use numeric external ids)
    and only then as an id.
    """

    default_error_messages = {
        "does_not_exist": "No {model} with id or {lookup} {value!r}.",
        "ambiguous": "{value!r} names more than one {model}; give its id.",
        "invalid": "Give an id or a {lookup}.",
    }

    def __init__(self, *, key: str, **kwargs: Any) -> None:
        self.key = key
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Model:
        queryset: QuerySet = self.get_queryset()
        model = queryset.model._meta.verbose_name
        lookup_name = self.key.split("__")[0].replace("_", " ")
        if isinstance(data, bool) or not isinstance(data, int | str) or str(data).strip() == "":
            self.fail("invalid", lookup=lookup_name)
        value = str(data).strip()
        if isinstance(data, int):
            matches = list(queryset.filter(pk=data)[:1])
        else:
            matches = list(queryset.filter(**{self.key: value})[:2])
            if not matches:
                try:
                    number = id_if_numeric(value)
                except BadInput:
                    self.fail("invalid", lookup=lookup_name)
                if number is not None:
                    matches = list(queryset.filter(pk=number)[:1])
        if not matches:
            self.fail("does_not_exist", model=model, lookup=lookup_name, value=value)
        if len(matches) > 1:
            self.fail("ambiguous", model=model, value=value)
        return matches[0]

    def to_representation(self, value: Model) -> Any:
        return value.pk


class _EnumField(serializers.ChoiceField):
    def to_representation(self, value: Any) -> Any:
        if value in ("", None) and self.allow_null:
            return None  # the shared enum has no "" member; an unset choice reads as null
        return super().to_representation(value)


@cache
def _enum_field_class(choices: type[Choices]) -> type[serializers.ChoiceField]:
    # A class per choice set: DRF deep-copies declared fields by re-instantiating their class,
    # so a schema annotation must sit on the class, not on the instance.
    field_class = type(f"{choices.__name__}Field", (_EnumField,), {"__module__": __name__})
    shared = serializers.ChoiceField(choices=choices.choices)
    return extend_schema_field(shared, component_name=f"{choices.__name__}Enum")(field_class)


def enum_field(choices: type[Choices], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose OpenAPI enum is one shared component named after the choices.

    Without it the schema names an enum after each field (status, expected_status...) and
    two different choice sets both called "status" collide. With allow_null a blank value
    renders as null, since the shared enum has no "" member.
    """
    return _enum_field_class(choices)(choices=choices.choices, **kwargs)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"})
class PlainDecimalField(serializers.DecimalField):
    """A decimal written out plainly (docs/money.md, "Amounts"): ASCII digits and a point, no
    exponent, separators, NaN or other scripts' digits, within the field's digits; a 400 with
    the field's name otherwise (DRF's own field takes "1e3" and "٥.٠٠")."""

    def to_internal_value(self, data: Any) -> Decimal:
        negative = self.min_value is None or self.min_value < 0
        try:
            value = parse_plain_decimal(
                data,
                max_digits=self.max_digits,
                decimal_places=self.decimal_places,
                negative=negative,
            )
        except BadInput as exc:
            raise serializers.ValidationError(exc.message) from None
        return super().to_internal_value(str(value))
