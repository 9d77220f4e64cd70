"""Cursor pagination: constant cost per page, no COUNT(*) over the table."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from urllib.parse import parse_qs

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

INVALID_CURSOR = "This page cursor is not one we gave out: start again from the first page."


class DefaultCursorPagination(CursorPagination):
    """DRF's cursor pagination, with a cursor that was tampered with (not base64, a position
    of the wrong type, a NUL byte) refused as a 400 on `cursor` before it reaches the query."""

    page_size = 25
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if raw is not None:
            try:  # strictly what encode_cursor writes: ASCII base64 of a query string
                text = base64.b64decode(raw.encode("ascii"), validate=True).decode("ascii")
            except (UnicodeError, binascii.Error):
                text = ""
            fields = parse_qs(text, keep_blank_values=True)
            values = [value for group in fields.values() for value in group]
            if (
                not fields
                or not set(fields) <= {"o", "r", "p"}
                or any("\x00" in value for value in values)
            ):
                raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if cursor is not None and cursor.position is not None:
            self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: str) -> None:
        """The position must read as a value of the column the list is ordered by."""
        if "\x00" in position or len(position) > 64:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        name = self.ordering[0].lstrip("-")
        model = getattr(self, "_model", None)
        try:
            field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            field = None
        if field is None:
            return
        try:
            value = field.to_python(position)
            if isinstance(value, int) and not -(2**63) <= value < 2**63:
                raise ValueError
            if isinstance(value, datetime | date) and not 1 <= value.year <= 9998:
                raise ValueError
        except (ValidationError, DjangoValidationError, ValueError, TypeError, OverflowError):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None


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
