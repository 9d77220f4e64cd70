"""The case queue's pagination: newest first, or sorted by the next SLA deadline."""

from __future__ import annotations

from django.db.models import Q

from core.api.pagination import SortableCursorPagination


class CaseQueuePagination(SortableCursorPagination):
    """`?sort=deadline`: the next SLA deadline first (the cases whose clock is running; the
    partial index on next_deadline_at walks it)."""

    sorts = {"deadline": (("next_deadline_at", "id"), Q(next_deadline_at__isnull=False))}
