"""Queue filters and search helpers of the case console."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from core.roles import CASE_WORKERS

from .. import services
from ..catalog import CaseKind
from ..models import (
    OPEN_STATES,
    Customer,
)


def phone_variants(term: str) -> set[str]:
    compact = "".join(ch for ch in term if ch not in " -()")
    return {term, compact}


def customer_ids_with_phone(term: str) -> list[int]:
    return list(
        Customer.objects.filter(phone__in=phone_variants(term)).values_list("pk", flat=True)[:50]
    )


def as_case_id(term: str) -> int | None:
    digits = term.removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 19 else None


# --- list filters --------------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    """Open cases past (or near) their due time; served by the partial index on due_at."""

    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("next_24h", "Due in the next 24 hours")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(status__in=OPEN_STATES, due_at__lt=now)
        if self.value() == "next_24h":
            return queryset.filter(
                status__in=OPEN_STATES, due_at__gte=now, due_at__lt=now + timedelta(hours=24)
            )
        return queryset


class SlaFilter(admin.SimpleListFilter):
    """The SLA clocks: breached and open, due within the hour, paused (partial indexes)."""

    title = "SLA"
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            ("breached", "Breached"),
            ("next_hour", "Due in the next hour"),
            ("paused", "Paused"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "breached":
            return queryset.filter(status__in=OPEN_STATES).filter(
                Q(first_response_breached_at__isnull=False)
                | Q(resolution_breached_at__isnull=False)
            )
        if value == "next_hour":
            return queryset.filter(next_deadline_at__lte=timezone.now() + timedelta(hours=1))
        if value == "paused":
            return queryset.filter(paused_since__isnull=False)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    """Me, nobody, or one of the people who work cases (not every login in the system)."""

    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        workers = (
            get_user_model()
            .objects.filter(is_active=True, is_staff=True, groups__name__in=CASE_WORKERS)
            .distinct()
            .order_by("username")
            .values_list("pk", "username")
        )
        return [("me", "Assigned to me"), ("none", "Unassigned")] + [
            (str(pk), username) for pk, username in workers
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class TagKindFilter(admin.SimpleListFilter):
    title = "applies to kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return CaseKind.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(kinds__contains=[self.value()])
        return queryset


class EventTransitionFilter(admin.SimpleListFilter):
    title = "transition"
    parameter_name = "transition"

    def lookups(self, request, model_admin):
        return [(name, name.replace("_", " ")) for name in services.transition_names()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(transition=self.value())
        return queryset
