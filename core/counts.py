"""Counts on busy tables, capped: a page never counts a million rows (home tiles, list
pagination, a case's other cases)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

CAP = 999


@dataclass(frozen=True)
class Count:
    value: int
    capped: bool

    def __str__(self) -> str:
        return f"{self.value}+" if self.capped else str(self.value)


def capped_count(queryset: QuerySet, cap: int = CAP) -> Count:
    """How many rows match, up to `cap` (one index range scan of at most cap + 1 rows)."""
    found = queryset.order_by()[: cap + 1].count()
    return Count(min(found, cap), found > cap)


def capped_counts(querysets: list[QuerySet], cap: int = CAP) -> list[Count]:
    """capped_count of several querysets in one round trip (the case header counts a
    customer's other cases and bookings together)."""
    if not querysets:
        return []
    parts, params = [], []
    for queryset in querysets:
        sql, args = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{len(parts)})")
        params.extend(args)
    using = querysets[0].db
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        found = cursor.fetchone()
    return [Count(min(n, cap), n > cap) for n in found]
