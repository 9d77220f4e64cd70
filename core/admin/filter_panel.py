"""The filter panel of a console list, written in Python.

The theme renders each filter of the panel through its own template: a list of links for
Django's filters (`admin/filter.html`), a small form for its dropdowns
(`unfold/filters/filters_field.html` -> `unfold/helpers/field.html` -> the widget's
template). The case queue has twelve filters, and the panel cost more than the query and
the rows together (10.5 ms of a 60 ms search on a slow day), half of it the templates
around the choices. Here the lists of links and the frame of each dropdown are written as
strings with the theme's markup; a dropdown's widget is still rendered by Django (the
theme's select is written in Python by core.admin.theme.fast_select).

A filter with anything else (checkboxes, radio buttons, ranges, errors, help text, a
template of its own) keeps the theme's rendering. tests/core/test_filter_panel.py renders
the panel of every console list both ways and compares them, so a theme upgrade that changes
the markup fails there.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.templatetags import admin_list
from django.template import Variable, VariableDoesNotExist
from django.template.defaultfilters import iriencode
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

LINKS = "admin/filter.html"
FIELDS = "unfold/filters/filters_field.html"
_SELECTED_VALUE = Variable("spec.lookup_val.0")

_LINKS_OPEN = (
    '<div>\n    <h3 class="font-semibold mb-2 text-font-important-light '
    'dark:text-font-important-dark">\n        {title}\n    </h3>\n\n'
)
_HORIZONTAL_LIST = (
    '<ul class="dark:bg-base-900 border border-base-200 flex min-w-20 rounded-default '
    "shadow-xs text-font-default-light dark:border-base-700 dark:text-font-default-dark "
    'w-full">'
)
_HORIZONTAL_ITEM = (
    '<li class="basis-1/3 border-r border-base-200 grow truncate last:border-r-0 '
    'dark:border-base-700 {state}"><a href="{href}" title="{label}" class="block py-2 '
    'text-center hover:text-primary-600 dark:hover:text-primary-500">{label}</a></li>'
)
_VERTICAL_LIST = (
    '<ul class="border border-base-200 flex flex-col rounded-default shadow-xs '
    'dark:border-base-700">'
)
_VERTICAL_ITEM = (
    '<li class="border-b border-base-200 last:border-b-0 dark:border-base-700 {state}">'
    '<a href="{href}" title="{label}" class="block px-3 py-2 hover:text-primary-600 '
    'dark:hover:text-primary-500">{label}</a></li>'
)
_SELECTED = "font-semibold text-primary-600 dark:text-primary-500 "
_UNSELECTED = "hover:text-base-700 dark:hover:text-base-200"
_FIELD = (
    '<div class="flex flex-col group mb-4"><div class="flex flex-col gap-2">'
    '<label for="{id}" class="block {weight}">{label}{required}</label>{widget}</div></div>'
)
_REQUIRED = '<span class="text-red-600 dark:text-red-500">*</span>'

enabled = True  # the comparison test turns it off to read the theme's rendering


def render_filter(cl: Any, spec: Any) -> SafeString:
    """One filter of the panel: ours where we write it as the theme does, else the theme's."""
    if enabled:
        if spec.template == LINKS:
            return _links(spec, list(spec.choices(cl)))
        if spec.template == FIELDS:
            written = _fields(list(spec.choices(cl)))
            if written is not None:
                return written
    return admin_list.admin_list_filter(cl, spec)


def _links(spec: Any, choices: list[dict]) -> SafeString:
    title = gettext(" By %(filter_title)s ") % {"filter_title": conditional_escape(spec.title)}
    parts = [_LINKS_OPEN.format(title=title.strip())]
    try:
        selected_value = _SELECTED_VALUE.resolve({"spec": spec})
    except VariableDoesNotExist:
        selected_value = None
    if selected_value:
        kwarg = conditional_escape(spec.lookup_kwarg)
        value = conditional_escape(selected_value)
        hidden = f'<input type="hidden" name="{kwarg}" value="{value}" />'
        parts.extend(hidden for choice in choices if choice["selected"])
    horizontal = type(spec).__name__ == "BooleanFieldListFilter" or getattr(
        spec, "horizontal", False
    )
    parts.append(_HORIZONTAL_LIST if horizontal else _VERTICAL_LIST)
    item = _HORIZONTAL_ITEM if horizontal else _VERTICAL_ITEM
    for choice in choices:
        parts.append(
            item.format(
                state=_SELECTED if choice["selected"] else _UNSELECTED,
                href=conditional_escape(iriencode(choice["query_string"])),
                label=conditional_escape(choice["display"]),
            )
        )
    parts.append("</ul></div>")
    return mark_safe("".join(parts))


def _fields(choices: list[dict]) -> SafeString | None:
    """A dropdown filter's form, field by field; None where the theme shows more."""
    if not choices or "form" not in choices[0]:
        return None
    parts = []
    for field in choices[0]["form"]:
        widget = field.field.widget
        input_type = getattr(widget, "input_type", None)
        if input_type == "hidden":
            parts.append(str(field))
            continue
        if input_type in ("checkbox", "radio") or field.errors or field.help_text:
            return None
        parts.append(
            _FIELD.format(
                id=conditional_escape(field.id_for_label),
                weight=""
                if type(widget).__name__ == "UnfoldBooleanWidget"
                else "font-semibold text-important",
                label=conditional_escape(field.label),
                required=_REQUIRED if field.field.required else "",
                widget=str(field),
            )
        )
    return mark_safe("".join(parts))
