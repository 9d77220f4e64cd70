"""The rows of a console list, written in Python.

The theme (django-unfold) builds each cell of a list through its `items_for_result`
generator, which reverses the row's URL and resolves it again to add the preserved filters
(for every row), then renders the rows through a template loop with an include per row: 25
rows of 9 columns cost more than the query and everything else on the page. Here the
per-column work (classes, labels, which column links) is done once per list, the row's URL
once with a marker for the primary key, and the rows are joined as strings. The markup is
the theme's, cell for cell; tests/core/test_list_rows.py renders every console list both
ways and compares them, so a theme upgrade that changes its rows fails there.

Lists the theme renders with more than rows and cells (editable columns, drag ordering,
expandable sections, row action menus, popups) keep the theme's own rendering.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.templatetags.admin_list import _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import lookup_field, quote
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from unfold import utils as unfold_utils
from unfold.templatetags import unfold_list

_MARK = "cw0pk0mark"
_ROW_OPEN = (
    '<tbody class="block relative lg:table-row-group {stripe}" x-data="{{rowOpen: false}}">'
    '<tr class="data-row block border border-base-200 mb-3 relative rounded-default '
    'lg:table-row lg:border-none lg:mb-0 lg:rounded-none dark:border-base-800">'
)
_STRIPES = ("", "bg-base-50 dark:bg-white/[.02]")
_ROW_CLOSE = "</tr></tbody>"


@dataclass
class _Column:
    name: str
    classes: str  # the cell's class list without the per-value "nowrap"
    label: str  # data-label, escaped
    tag: str | None  # "th" or "td" for the linking column, None for a plain cell


def can_render(cl: Any, context: Any) -> bool:
    """Whether this list is one our rows render as the theme would."""
    admin = cl.model_admin
    return not (
        getattr(cl, "formset", None)
        or getattr(admin, "ordering_field", None)
        or len(getattr(admin, "list_sections", None) or []) > 0
        or cl.is_popup
        or cl.to_field
        or context.get("actions_row")
        or cl.list_display_links is None
        or not cl.result_list
    )


def _columns(cl: Any) -> list[_Column]:
    headers = list(unfold_list.result_headers(cl))  # built once per list (theme.headers_once)
    columns = []
    no_link_yet = True
    for index, name in enumerate(cl.list_display):
        if name == "action_checkbox":
            classes = unfold_list.CHECKBOX_CLASSES
        else:
            classes = [f"field-{_coerce_field_name(name, index)}", *unfold_list.ROW_CLASSES]
        links = (no_link_yet and not cl.list_display_links) or name in cl.list_display_links
        tag = None
        if links:
            tag = "th" if no_link_yet else "td"
            no_link_yet = False
        label = headers[index]["text"] if tag or index else gettext("Select record")
        columns.append(_Column(name, " ".join(classes), conditional_escape(label), tag))
    return columns


def _value_html(cl: Any, result: models.Model, column: _Column, empty: str) -> tuple[str, bool]:
    """The cell's content and whether it keeps to one line, as the theme shows them."""
    try:
        field, attr, value = lookup_field(column.name, result, cl.model_admin)
    except ObjectDoesNotExist:
        return empty, False
    shown_empty = getattr(attr, "empty_value_display", empty)
    if field is None or field.auto_created:
        if getattr(attr, "label", False):
            html = unfold_utils.display_for_label(value, shown_empty, attr.label)
        elif getattr(attr, "dropdown", False):
            html = unfold_utils.display_for_dropdown(result, column.name, value, shown_empty)
        elif getattr(attr, "header", False):
            html = unfold_utils.display_for_header(value, shown_empty)
        else:
            boolean = getattr(attr, "boolean", False)
            html = unfold_utils.display_for_value(value, shown_empty, boolean)
        return html, isinstance(value, datetime.date | datetime.time)
    if isinstance(field.remote_field, models.ManyToOneRel):
        related = getattr(result, field.name)
        html = shown_empty if related is None else related
    else:
        html = unfold_utils.display_for_field(value, field, shown_empty)
    return html, isinstance(field, models.DateField | models.TimeField | models.ForeignKey)


def rows_html(cl: Any) -> SafeString:
    """Every row of the list's page, as the theme's change_list_results.html writes them."""
    columns = _columns(cl)
    empty = cl.model_admin.get_empty_value_display()
    url_pattern = None
    if any(column.tag for column in columns):
        try:
            url = reverse(
                f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
                args=(_MARK,),
                current_app=cl.model_admin.admin_site.name,
            )
        except NoReverseMatch:
            pass
        else:
            preserved = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
            url_pattern = add_preserved_filters(preserved, url)
    link_classes = " ".join(unfold_list.LINK_CLASSES)
    pk_name = cl.pk_attname
    out = []
    for number, result in enumerate(cl.result_list):
        out.append(_ROW_OPEN.format(stripe=_STRIPES[number % 2]))
        for column in columns:
            html, nowrap = _value_html(cl, result, column, empty)
            classes = f"{column.classes} nowrap" if nowrap else column.classes
            content = conditional_escape(html)
            if column.tag:
                if url_pattern is not None:
                    href = url_pattern.replace(_MARK, str(quote(getattr(result, pk_name))))
                    content = (
                        f'<a href="{conditional_escape(href)}" class="{link_classes}" >'
                        f"{content}</a>"
                    )
                out.append(
                    f'<{column.tag} class="{classes}" data-label="{column.label}">'
                    f"{content}</{column.tag}>"
                )
            else:
                out.append(f'<td class="{classes}" data-label="{column.label}">{content}</td>')
        out.append(_ROW_CLOSE)
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def result_list(context: Any, cl: Any) -> dict[str, Any]:
    """The context of the list's results: the theme's own (rendered by its template) where
    our rows do not apply, else the headers and our rows (`rows_html`)."""
    if not can_render(cl, context):
        return {**unfold_list.result_list(context, cl), "rows_html": None}
    headers = list(unfold_list.result_headers(cl))
    return {
        "cl": cl,
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "rows_html": rows_html(cl),
        "has_add_permission": cl.model_admin.has_add_permission(context["request"]),
    }
