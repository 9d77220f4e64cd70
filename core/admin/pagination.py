"""Changelist pagination on big tables: counts capped, never a full-table COUNT(*)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from core.counts import capped_count


class CappedCountPaginator(Paginator):
    """Counts at most `cap` matching rows.

    A plain COUNT(*) over a million cases costs more than the page itself; nobody pages past
    the first few hundred rows of a queue, they refine the filters instead.
    """

    cap = 10_000
    is_capped = False

    @cached_property
    def count(self) -> int:
        counted = capped_count(self.object_list, self.cap)
        self.is_capped = counted.capped
        return counted.value
