"""Cursor pagination: constant cost per page, no COUNT(*) over the table."""

from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    page_size = 25
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"
