"""Counts on busy tables, capped: a page never counts a million rows (home tiles, list
pagination, a case's other cases)."""

from __future__ import annotations

from dataclasses import dataclass

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
