"""Export to CSV on every console list: one site-wide admin action (registered by core.apps)
that writes the columns the list shows, under the list's own titles, for the selected rows or
for every row the filters match ("Select all"), streamed from the list's own queryset.

An admin with its own richer `export_csv` action (the case and booking lists) keeps it: an
admin's action replaces the site's action of the same name."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.safestring import SafeData
from django.utils.text import capfirst, slugify

from core.csv import csv_cell, stream_rows

EXPORT_ACTION = "export_csv"
# Rows fetched per round trip: a "Select all" export of a million rows never sits in memory.
EXPORT_CHUNK = 2000


class _VisibleText(HTMLParser):
    """A cell's HTML as a reader sees it: tags dropped, line breaks kept, and a link's
    address after its words (the CSV cannot be clicked)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._link: tuple[str, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self._link = (dict(attrs).get("href") or "", len(self.parts))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            href, start = self._link
            if href and href != "".join(self.parts[start:]).strip():
                self.parts.append(f" ({href})")
            self._link = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()


@functools.cache
def _choice_labels(field: models.Field) -> dict[Any, str]:
    return {value: str(label) for value, label in field.flatchoices}


def export_columns(modeladmin: admin.ModelAdmin, request: HttpRequest) -> list[str]:
    """The list's columns for this user (its list_display), without the checkbox."""
    return [name for name in modeladmin.get_list_display(request) if name != "action_checkbox"]


def column_title(modeladmin: admin.ModelAdmin, name: str) -> str:
    """The column's title as the list's header shows it."""
    return capfirst(str(label_for_field(name, modeladmin.model, modeladmin)))


def cell_value(modeladmin: admin.ModelAdmin, name: str, obj: models.Model) -> Any:
    """One cell as the list shows it, before it becomes text: a choice's label, a related
    record's name, a method's result with its HTML turned into text; dates, numbers and
    yes/no stay values so core.csv writes them one way everywhere."""
    try:
        field, _attr, value = lookup_field(name, obj, modeladmin)
    except ObjectDoesNotExist:  # a missing one-to-one the list shows as empty
        return None
    if value is None:
        return None
    if field is not None and field.flatchoices:
        try:
            return _choice_labels(field).get(value, value)
        except TypeError:  # an unhashable value (an array of choices) is shown as it is
            pass
    if isinstance(value, SafeData):
        return visible_text(str(value))
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False, cls=field.encoder)
    if isinstance(value, (list, tuple)):
        return ", ".join("" if part is None else str(part) for part in value)
    return value


@admin.action(description="Export selected to CSV", permissions=["view"])
def export_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> StreamingHttpResponse:
    """The selected rows (or all the filters match) as the list shows them, as CSV."""
    columns = export_columns(modeladmin, request)
    header = [column_title(modeladmin, name) for name in columns]

    # The changelist's queryset: its filters, search, ordering and list_select_related.
    def rows() -> Iterator[list[str]]:
        yield header
        for obj in queryset.iterator(chunk_size=EXPORT_CHUNK):
            yield [csv_cell(cell_value(modeladmin, name, obj)) for name in columns]

    plural = slugify(str(modeladmin.model._meta.verbose_name_plural))
    return stream_rows(f"{plural}-{timezone.localdate():%Y%m%d}.csv", rows())
