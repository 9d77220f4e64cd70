"""Serializer fields shared by the API: rows named by id or by a business key."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class IdOrKeyField(serializers.RelatedField):
    """Accepts a row's id (a number) or its business key (a string such as an external id).

    Renders as the id. `key` is the lookup used for strings, e.g. "external_id" or
    "name__iexact" for cities, whose names are unique within a region but not across them.
    """

    default_error_messages = {
        "does_not_exist": "No {model} with id or {key} {value!r}.",
        "ambiguous": "{value!r} names more than one {model}; give its id.",
        "invalid": "Give an id or a {key}.",
    }

    def __init__(self, *, key: str, **kwargs: Any) -> None:
        self.key = key
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Model:
        queryset: QuerySet = self.get_queryset()
        model = queryset.model._meta.verbose_name
        key = self.key.split("__")[0].replace("_", " ")
        if isinstance(data, bool) or not isinstance(data, int | str) or str(data).strip() == "":
            self.fail("invalid", key=key)
        value = str(data).strip()
        lookup = {"pk": int(value)} if value.isdigit() else {self.key: value}
        matches = list(queryset.filter(**lookup)[:2])
        if not matches:
            self.fail("does_not_exist", model=model, key=key, value=value)
        if len(matches) > 1:
            self.fail("ambiguous", model=model, value=value)
        return matches[0]

    def to_representation(self, value: Model) -> Any:
        return value.pk
