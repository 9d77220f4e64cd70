"""The audit trail as a list (read only: the database refuses edits)."""

from __future__ import annotations

from django.contrib import admin

from core.admin.base import ConsoleAdmin
from core.admin.pagination import CappedCountPaginator

from ..models import (
    CaseEvent,
)
from .filters import EventTransitionFilter, as_case_id


@admin.register(CaseEvent)
class CaseEventAdmin(ConsoleAdmin):
    zone_path = "case__city__region__timezone"
    """The audit log across cases; append-only here as in the database."""

    list_display = ("id", "case_ref", "at", "type", "transition", "state_change", "who", "policy")
    list_select_related = ("actor",)
    list_filter = ("type", EventTransitionFilter)
    list_per_page = 100
    ordering = ("-id",)
    sortable_by = ("id",)
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    search_fields = ("case__id",)
    search_help_text = "Exact case id."
    fields = (
        "case",
        "type",
        "at",
        "actor",
        "transition",
        "from_state",
        "to_state",
        "reason",
        "payload",
        "policy_version",
    )
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        case_id = as_case_id(search_term.strip())
        if search_term.strip() and case_id is None:
            return queryset.none(), False
        if case_id is None:
            return queryset, False
        return queryset.filter(case_id=case_id), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="case", ordering="case_id")
    def case_ref(self, event: CaseEvent) -> str:
        return f"#{event.case_id}"

    @admin.display(description="from → to")
    def state_change(self, event: CaseEvent) -> str:
        if event.from_state or event.to_state:
            return f"{event.from_state or '–'} → {event.to_state or '–'}"
        return ""

    @admin.display(description="actor")
    def who(self, event: CaseEvent) -> str:
        return event.actor.get_username() if event.actor else "system"

    @admin.display(description="policy version")
    def policy(self, event: CaseEvent) -> str:
        return event.policy_version
