"""Writes on partners: the booking platform's partner upsert."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.upsert import check_fields, upsert_by_external_id

from .models import Partner

PARTNER_FIELDS = frozenset(
    {"name", "phone", "city", "hub", "categories", "is_sme", "programmes", "rating", "is_active"}
)


def upsert_partner(*, external_id: str, fields: dict[str, Any]) -> tuple[Partner, bool]:
    """Create or update a partner from the platform's record. Returns (partner, created)."""
    check_fields(fields, PARTNER_FIELDS)
    with transaction.atomic():
        return upsert_by_external_id(Partner, external_id=external_id, fields=fields)
