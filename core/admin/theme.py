"""Where the theme (django-unfold) costs on every list page, our own replacement, installed
once at start (core.apps). Each is checked by tests/core/test_theme_patches.py, which fails
if a theme upgrade moves what it wraps."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_CACHE = "_casework_result_headers"


def headers_once(result_headers: Callable[[Any], Iterator[dict]]) -> Callable:
    """The theme builds the list's column headers again for every row (to label cells on
    small screens): 25 rows, 26 times the same headers. Build them once per list."""

    @functools.wraps(result_headers)
    def once(cl: Any) -> Iterator[dict]:
        headers = getattr(cl, _CACHE, None)
        if headers is None:
            headers = list(result_headers(cl))
            setattr(cl, _CACHE, headers)
        return iter(headers)

    once.casework_wrapped = True  # type: ignore[attr-defined]
    return once


_OPTION = "django/forms/widgets/select_option.html"
_ICON = (
    '<span class="material-symbols-outlined absolute group-[.primary]:text-white '
    "pointer-events-none mr-[12px] right-0 text-base-400 top-0 top-1/2 hover:text-base-700 "
    'dark:text-base-500 dark:hover:text-base-200 -translate-y-1/2">expand_more</span>'
)


def _attrs(attrs: dict[str, Any]) -> str:
    """As django/forms/widgets/attrs.html writes them: False left out, True bare."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def fast_select(widget_class: type) -> type:
    """The theme's select (unfold/widgets/select.html) written in Python: the template
    includes a template per option, and a filter of 150 agents spent 9 ms on it."""

    class FastSelect(widget_class):
        def render(self, name, value, attrs=None, renderer=None):
            w = self.get_context(name, value, attrs)["widget"]
            select = f'<select name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>'
            parts = ['<div class="grow relative max-w-2xl">', select]
            for group_name, options, _index in w["optgroups"]:
                if group_name:
                    parts.append(f'<optgroup label="{conditional_escape(str(group_name))}">')
                for option in options:
                    if option["template_name"] != _OPTION:
                        return super().render(name, value, attrs, renderer)
                    parts.append(
                        f'<option value="{conditional_escape(str(option["value"]))}"'
                        f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                    )
                if group_name:
                    parts.append("</optgroup>")
            parts.append(f"</select>{_ICON}</div>")
            return mark_safe("".join(parts))

    FastSelect.__name__ = f"Fast{widget_class.__name__}"
    return FastSelect


def lazy_app_list(get_app_list: Callable) -> Callable:
    """Django's site context builds the whole app list (every registered model, its
    permissions and URLs) for every console page, as `available_apps`; our sidebar is the
    theme's navigation (console.navigation) and no page of ours reads it, so it costs 1.5 ms
    a page for nothing. Built when read, once (the index and app pages read it)."""

    @functools.wraps(get_app_list)
    def lazily(self, request, app_label=None):
        return SimpleLazyObject(lambda: get_app_list(self, request, app_label))

    lazily.casework_wrapped = True  # type: ignore[attr-defined]
    return lazily


class Menu(list):
    """The sidebar's groups for one request, with `cache_key`: what it shows (the menu of
    these roles, and which items are active), for the rendered menu's fragment cache."""

    cache_key = ""


def _is_active(link: str, path: str, index: str) -> bool:
    """The theme's rule (UnfoldAdminSite._get_is_active, not a tab): the dashboard when on
    it, else any item whose path is part of the page's path."""
    if link == path == index:
        return True
    return link != "" and link != index and link in path


def menu_per_roles(get_sidebar_list: Callable) -> Callable:
    """The theme builds the sidebar for every page: it calls our menu (console.navigation,
    a permission check per item), deep-copies it, and works out each item's state through
    URL parsing (3 ms of a 50 ms case page). Our menu depends only on the user's roles (the
    role matrix), so the theme's result is kept per set of roles, per process, and only
    "which item is active" is worked out again per page, by the theme's rule."""
    from core import roles

    kept: dict[tuple, tuple[list[dict], list[str], str]] = {}

    @functools.wraps(get_sidebar_list)
    def per_roles(self, request):
        user = request.user
        who = (
            bool(getattr(user, "is_superuser", False)),
            bool(getattr(user, "is_active", False)),
            roles.role_names(user),
        )
        entry = kept.get(who)
        if entry is None:
            groups = get_sidebar_list(self, request)
            if any(
                "badge_callback" in g or "link_callback" in i or i.get("items")
                for g in groups
                for i in g["items"]
            ):
                return groups  # something per request in it: not ours to keep
            links = [urlparse(str(i["link"])).path for g in groups for i in g["items"]]
            shape = json.dumps(
                [{**g, "items": [{**i, "active": None} for i in g["items"]]} for g in groups],
                default=str,
                sort_keys=True,
            )
            entry = (groups, links, hashlib.sha1(shape.encode()).hexdigest())
            kept[who] = entry
        groups, links, shape_key = entry
        index = reverse(f"{self.name}:index")
        active = [_is_active(link, request.path, index) for link in links]
        flags = iter(active)
        menu = Menu(
            {**g, "items": [{**i, "active": next(flags)} for i in g["items"]]} for g in groups
        )
        menu.cache_key = f"{shape_key}:{''.join('1' if on else '0' for on in active)}"
        return menu

    per_roles.casework_wrapped = True  # type: ignore[attr-defined]
    per_roles.kept = kept  # type: ignore[attr-defined]
    return per_roles


def install() -> None:
    from django.contrib.admin.sites import AdminSite
    from unfold.contrib.filters import forms as filter_forms
    from unfold.sites import UnfoldAdminSite
    from unfold.templatetags import unfold_list

    if not getattr(UnfoldAdminSite.get_sidebar_list, "casework_wrapped", False):
        UnfoldAdminSite.get_sidebar_list = menu_per_roles(UnfoldAdminSite.get_sidebar_list)
    if not getattr(AdminSite.get_app_list, "casework_wrapped", False):
        AdminSite.get_app_list = lazy_app_list(AdminSite.get_app_list)
    if not getattr(unfold_list.result_headers, "casework_wrapped", False):
        unfold_list.result_headers = headers_once(unfold_list.result_headers)
    widget = filter_forms.DropdownForm.widget
    if not getattr(widget, "casework_fast", False):
        fast = fast_select(type(widget))(attrs=dict(widget.attrs))
        fast.attrs = dict(widget.attrs)  # the class list as the theme built it, not again
        fast.casework_fast = True
        filter_forms.DropdownForm.widget = fast
