"""Console base classes: the theme's model admin (django-unfold) every console page builds
on, and the bases for records that only services write."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import nullcontext
from datetime import tzinfo
from typing import Any

from django.contrib.admin import display, helpers
from django.contrib.admin.utils import unquote
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from unfold.admin import ModelAdmin as ThemedModelAdmin
from unfold.admin import StackedInline as ConsoleStackedInline
from unfold.admin import TabularInline as ConsoleTabularInline
from unfold.admin import checkbox as themed_checkbox

from core.errors import DomainError
from core.times import zone_named

from .errors import with_refusal

# Filters that name one record of a region (a case, booking, partner, city...): a list
# filtered by one of them reads times in that region's zone, when its rows agree on one.
ONE_REGION_FILTERS = frozenset(
    {"region", "city", "case", "booking", "customer", "partner", "paf", "penalty", "run"}
)


def record_label(label: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The words of an action's button on one record's page ("Approve this request"), beside
    the list's description of it ("Approve selected requests")."""

    def mark(action: Callable[..., Any]) -> Callable[..., Any]:
        action.record_label = label  # type: ignore[attr-defined]
        return action

    return mark


_PK_MARK = "0000000000000000000"  # digits only, so no escaping can change it


@functools.cache
def _row_checkbox() -> str:
    html = themed_checkbox.render(helpers.ACTION_CHECKBOX_NAME, _PK_MARK)
    assert html.count(_PK_MARK) == 1, html
    return html


class ConsoleAdmin(ThemedModelAdmin):
    """Every console model admin: the theme, full-width lists, and records that act: the
    actions named in `record_actions` are buttons on the record's page, shown only when the
    user may take them (the action's permissions) and the record allows it now
    (`record_action_allowed`), labelled with the action's `record_label` (see record_label)
    or else its description. A button opens the same confirmation page (with its reason
    form) as the list action, for this one record, unless `record_action_url` names a page of
    the record's own for it (then the button is a link there). `record_notices` are shown
    above the buttons: what the record's state means and why an action is not offered."""

    @display(description=ThemedModelAdmin.action_checkbox.short_description)
    def action_checkbox(self, obj: Any) -> str:
        """The row's selection box: the theme's own markup, rendered once and given each
        row's id (the theme renders it through the template engine for every row, a third
        of a list page's time)."""
        return mark_safe(_row_checkbox().replace(_PK_MARK, str(int(obj.pk))))

    list_fullwidth = True
    warn_unsaved_form = True
    change_form_template = "admin/core/record_change_form.html"
    change_list_template = "admin/core/change_list.html"
    record_actions: tuple[str, ...] = ()
    # The path from the model to its region's time zone, e.g. "city__region__timezone". Set,
    # the record's page reads (and its form parses) times in that zone, and so does a list
    # filtered to one region's record (ONE_REGION_FILTERS). Unset: the user's own zone.
    zone_path: str | None = None

    def record_zone(self, request, object_id) -> tzinfo | None:
        """The zone of one record's region (one query), or None."""
        if not self.zone_path or object_id is None:
            return None
        name = (
            self.model._default_manager.filter(pk=unquote(object_id))
            .values_list(self.zone_path, flat=True)
            .first()
        )
        return zone_named(name)

    def list_zone(self, request, queryset) -> tzinfo | None:
        """The zone of a list whose filters name one region's record and whose rows all
        belong to one region; None (the user's zone) otherwise."""
        if not self.zone_path:
            return None
        named = {key.split("__", 1)[0] for key in request.GET} & ONE_REGION_FILTERS
        if not named:
            return None
        zones = list(queryset.order_by().values_list(self.zone_path, flat=True).distinct()[:2])
        return zone_named(zones[0]) if len(zones) == 1 else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self.record_zone(request, object_id)
        with timezone.override(zone) if zone is not None else nullcontext():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if zone is not None and hasattr(response, "render"):
                response.render()  # the page's times are written in the region's zone
            return response

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        request.console_list_zone = self.list_zone(request, changelist.queryset)
        return changelist

    def changelist_view(self, request, extra_context=None):
        # A list is titled by what it lists ("Cases"), not "Select case to change".
        extra_context = {"title": capfirst(self.model._meta.verbose_name_plural)} | (
            extra_context or {}
        )
        response = super().changelist_view(request, extra_context)
        zone = getattr(request, "console_list_zone", None)
        if zone is not None and hasattr(response, "render") and not response.is_rendered:
            with timezone.override(zone):
                response.render()
        return response

    def record_action_allowed(self, request, obj, name: str) -> bool:
        return True

    def record_action_url(self, request, obj, name: str) -> str | None:
        """A page of the record's own for this action (a form about this one record), or
        None for the list action's confirmation page."""
        return None

    def record_buttons(self, request, obj) -> list[dict[str, str | None]]:
        if obj is None or obj.pk is None or not self.record_actions:
            return []
        offered = self.get_actions(request)  # only those the user's permissions allow
        buttons = []
        for name in self.record_actions:
            if name not in offered or not self.record_action_allowed(request, obj, name):
                continue
            func, _, description = offered[name]
            buttons.append(
                {
                    "name": name,
                    "label": getattr(func, "record_label", None) or description,
                    "url": self.record_action_url(request, obj, name),
                }
            )
        return buttons

    def record_notices(self, request, obj) -> list[dict[str, str]]:
        """Notices above the record's buttons: each a dict of `level` (ok, info, warn,
        danger) and `html` (built with format_html)."""
        return []

    def related_lists(self, request, obj) -> list[dict]:
        """Lists shown under the record (a customer's cases and bookings...): each a dict of
        title, rows [(url, text)], and the url of the full list."""
        return []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["record_buttons"] = self.record_buttons(request, obj)
        context["record_notices"] = self.record_notices(request, obj) if obj is not None else []
        context["related_lists"] = self.related_lists(request, obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)


class ServiceCreatedAdmin(ConsoleAdmin):
    """Rows added through a service (save_model calls it). When the service refuses, nothing
    is written (the add view's transaction rolls back) and the add form comes back with what
    was typed and the refusal on its fields (or above them)."""

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:
            if request.method != "POST":
                raise
            # The same POST again, with a form that carries the refusal: it fails validation,
            # so the admin renders it bound to the typed data and saves nothing.
            request.casework_refusal = exc
            return super().add_view(request, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "casework_refusal", None)
        return form_class if refusal is None else with_refusal(form_class, refusal)


class ReadOnlyAdmin(ConsoleAdmin):
    """Records only services write (the ledger, run membership and lines)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


__all__ = [
    "ConsoleAdmin",
    "ConsoleStackedInline",
    "ConsoleTabularInline",
    "ReadOnlyAdmin",
    "ServiceCreatedAdmin",
    "record_label",
]
