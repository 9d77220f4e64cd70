"""Who is told and who leads: the user's notifications and the team leads escalations go to."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin.base import ConsoleAdmin

from .. import services
from ..models import Notification, TeamLead


@admin.register(Notification)
class NotificationAdmin(ConsoleAdmin):
    zone_path = "case__city__region__timezone"
    """Each user sees their own notifications, newest first."""

    list_display = ("title", "kind", "case", "created_at", "read_at")
    list_select_related = ("case",)
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title",)
    ordering = ("-created_at", "-id")
    list_per_page = 50
    actions = ["mark_read"]
    readonly_fields = ("recipient", "case", "kind", "title", "body", "created_at", "read_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return super().get_queryset(request).filter(recipient_id=request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Mark selected notifications read", permissions=["view"])
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        for note in queryset.filter(read_at__isnull=True)[:200]:
            services.mark_read(notification_id=note.pk, actor=request.user)
        self.message_user(request, "Marked read.", messages.SUCCESS)


@admin.register(TeamLead)
class TeamLeadAdmin(ConsoleAdmin):
    """Who leads each team (escalations are assigned and notified to the lead); supervisors
    change it (the change permission is theirs, by migration)."""

    list_display = ("team", "lead", "email")
    list_select_related = ("lead",)
    raw_id_fields = ("lead",)
    readonly_fields = ("team",)
    fields = ("team", "lead", "email")

    def has_add_permission(self, request):
        return False  # one row per team, seeded

    def has_delete_permission(self, request, obj=None):
        return False
