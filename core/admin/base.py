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
    """Every console model admin: the theme, full-width lists, no stock history page (a
    record's history is its own timeline where it has one)."""

    list_fullwidth = True
    warn_unsaved_form = True


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
