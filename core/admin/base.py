"""Console base classes: the theme's model admin (django-unfold) every console page builds
on, and the bases for records that only services write."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from unfold.admin import ModelAdmin as ThemedModelAdmin
from unfold.admin import StackedInline as ConsoleStackedInline
from unfold.admin import TabularInline as ConsoleTabularInline

from core.errors import DomainError


class ConsoleAdmin(ThemedModelAdmin):
    """Every console model admin: the theme, full-width lists, and records that act: the
    actions named in `record_actions` are buttons on the record's page, shown only when the
    user may take them (the action's permissions) and the record allows it now
    (`record_action_allowed`). A button opens the same confirmation page (with its reason
    form) as the list action, for this one record."""

    list_fullwidth = True
    warn_unsaved_form = True
    change_form_template = "admin/core/record_change_form.html"
    change_list_template = "admin/core/change_list.html"
    record_actions: tuple[str, ...] = ()

    def record_action_allowed(self, request, obj, name: str) -> bool:
        return True

    def record_buttons(self, request, obj) -> list[dict[str, str]]:
        if obj is None or obj.pk is None or not self.record_actions:
            return []
        offered = self.get_actions(request)  # only those the user's permissions allow
        return [
            {"name": name, "label": offered[name][2]}
            for name in self.record_actions
            if name in offered and self.record_action_allowed(request, obj, name)
        ]

    def related_lists(self, request, obj) -> list[dict]:
        """Lists shown under the record (a customer's cases and bookings...): each a dict of
        title, rows [(url, text)], and the url of the full list."""
        return []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["record_buttons"] = self.record_buttons(request, obj)
        context["related_lists"] = self.related_lists(request, obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)


class ServiceCreatedAdmin(ConsoleAdmin):
    """Rows added through a service (save_model calls it): its refusal is a message on the
    add page, and nothing is written."""

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)


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
]
