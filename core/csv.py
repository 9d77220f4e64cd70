"""CSV downloads streamed row by row (console lists, the bank file), safe for spreadsheets."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(text: str) -> str:
    """Quote text a spreadsheet would run as a formula; phone numbers (+9198...) stay."""
    if text.startswith(_FORMULA_STARTS) and not (text[0] == "+" and text[1:].isdigit()):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    """One cell as text; free text that a spreadsheet would run as a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, (date, Decimal, int, float)):
        return str(value)  # a negative number is a number, not a formula
    return defuse_formula(str(value))


def stream_rows(filename: str, rows: Iterable[Iterable[str]]) -> StreamingHttpResponse:
    """Stream rows that are already cells (text) as a CSV download."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_csv(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """Stream a header and rows of values as a CSV download without building it in memory."""

    def cells() -> Iterator[list[str]]:
        yield header
        for row in rows:
            yield [csv_cell(value) for value in row]

    return stream_rows(filename, cells())
