"""Admin base classes for records that only services write."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from core.errors import DomainError


class ServiceCreatedAdmin(admin.ModelAdmin):
    """Rows added through a service (save_model calls it): its refusal is a message on the
    add page, and nothing is written."""

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.path)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records only services write (the ledger, run membership and lines)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
