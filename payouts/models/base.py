"""Field helpers shared by the payouts models: money columns and optional user references."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..money import DECIMAL_PLACES, MAX_DIGITS


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)


def _user_fk(related_name: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        **kwargs,
    )
