"""Serializer fields naming partners' reference rows."""

from __future__ import annotations

from core.api.fields import IdOrKeyField

from ..models import City


def city_field(**kwargs) -> IdOrKeyField:
    """A city by id or by name (names are unique within a region)."""
    return IdOrKeyField(
        key="name__iexact",
        queryset=City.objects.select_related("region"),
        help_text="City id, or its name (e.g. Delhi).",
        **kwargs,
    )
