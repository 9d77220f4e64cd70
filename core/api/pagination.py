"""Cursor pagination: constant cost per page, no COUNT(*) over the table."""

from __future__ import annotations

from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    page_size = 25
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"


class SortableCursorPagination(DefaultCursorPagination):
    """A cursor list that may be sorted another way with `?sort=`: each sort names its
    ordering (an index walks it) and the rows it covers (a cursor cannot page over NULLs, so
    a sort on a nullable column lists the rows that have a value). An unknown sort is a 400."""

    sort_query_param = "sort"
    sorts: dict[str, tuple[tuple[str, ...], Q]] = {}

    def _sort(self, request):
        key = request.query_params.get(self.sort_query_param, "")
        if not key:
            return None
        if key not in self.sorts:
            raise ValidationError({self.sort_query_param: [f"One of: {', '.join(self.sorts)}."]})
        return self.sorts[key]

    def paginate_queryset(self, queryset, request, view=None):
        sort = self._sort(request)
        if sort is not None:
            queryset = queryset.filter(sort[1])
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request, queryset, view):
        sort = self._sort(request)
        return sort[0] if sort is not None else super().get_ordering(request, queryset, view)
