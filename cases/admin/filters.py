"""Queue filters and search helpers of the case console."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from unfold.contrib.filters.admin import DropdownFilter

from core.inputs import id_or_none
from core.roles import CASE_WORKERS
from partners.models import Partner

from .. import services
from ..catalog import CaseKind
from ..models import (
    OPEN_STATES,
    SLA_BREACHED,
    Booking,
    Customer,
)

# Country codes of the regions served, for numbers typed in national form (0 or no prefix).
NATIONAL_PREFIXES = {10: "+91"}  # a bare 10-digit number is Indian
TRUNK_PREFIXES = ("+91", "+20")  # a leading 0 is the trunk prefix in India and Egypt


def phone_variants(term: str) -> set[str]:
    """Every stored (E.164) form a typed number may have: +91 97690 18643, 9769018643,
    09769018643, 0091-9769018643 and (0)10 1234 5678 for Egypt all find the customer."""
    digits = "".join(ch for ch in term if ch.isdigit())
    if len(digits) < 6:
        return {term}
    variants = {term, "".join(ch for ch in term if ch not in " -()."), f"+{digits}"}
    if digits.startswith("00"):
        variants.add(f"+{digits[2:]}")
    elif digits.startswith("0"):
        variants.update(f"{prefix}{digits[1:]}" for prefix in TRUNK_PREFIXES)
    if len(digits) in NATIONAL_PREFIXES:
        variants.add(f"{NATIONAL_PREFIXES[len(digits)]}{digits}")
    return variants


def customer_ids_with_phone(term: str) -> list[int]:
    if any(ch.isalpha() for ch in term):
        return []  # a stored number has no letters: BK0047843 is not worth a query
    return list(
        Customer.objects.filter(phone__in=phone_variants(term)).values_list("pk", flat=True)[:50]
    )


SEARCH_LIMIT = 50
MIN_LIKE = 3  # shorter fragments match too much to be a search


def looks_like_phone(term: str) -> bool:
    digits = sum(ch.isdigit() for ch in term)
    return digits >= 10 and all(ch.isdigit() or ch in " +-()." for ch in term)


def looks_like_reference(term: str) -> bool:
    """Five digits or more: a booking id or a number, never part of a person's name."""
    return sum(ch.isdigit() for ch in term) >= 5


def distinctive_part(term: str) -> str:
    """What the trigram index should look up for a fragment of a booking id.

    A platform's ids share their letters and leading zeros (every id of the load has
    "-BK00"), so those trigrams are in every row and looking them up reads the index's
    longest lists: 5-8 ms for "BK0047843" at 500,000 bookings, 0.1 ms for "47843". The
    longest run of digits without its leading zeros tells ids apart; the whole term is then
    checked on the rows found.
    """
    runs = sorted((run.lstrip("0") for run in re.findall(r"\d+", term)), key=len)
    return runs[-1] if runs and len(runs[-1]) >= MIN_LIKE else term


def booking_ids_like(term: str) -> list[int]:
    """Bookings whose id contains the term (trigram index): BK-000301, 000301, 301."""
    if len(term) < MIN_LIKE or looks_like_phone(term):
        return []
    part = distinctive_part(term)
    bookings = Booking.objects.filter(external_id__contains_ci=part)
    if part != term:
        # Checked on the rows the index found; UPPER() keeps it out of the index lookup.
        bookings = bookings.alias(upper_id=Upper("external_id")).filter(
            upper_id__contains=term.upper()
        )
    return list(bookings.order_by().values_list("pk", flat=True)[:SEARCH_LIMIT])


def customer_ids_named(term: str) -> list[int]:
    if len(term) < MIN_LIKE or term.lstrip("+#").isdigit() or looks_like_reference(term):
        return []
    return list(
        Customer.objects.filter(name__contains_ci=term)
        .order_by()
        .values_list("pk", flat=True)[:SEARCH_LIMIT]
    )


def partner_ids_named(term: str) -> list[int]:
    if len(term) < MIN_LIKE or term.lstrip("+#").isdigit() or looks_like_reference(term):
        return []
    return list(
        Partner.objects.filter(name__contains_ci=term)
        .order_by()
        .values_list("pk", flat=True)[:SEARCH_LIMIT]
    )


def as_case_id(term: str) -> int | None:
    digits = term.removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 19 else None


# --- list filters --------------------------------------------------------------------------------


PARKED_SOON = timedelta(hours=2)  # "parked, back within 2 hours" (also the home page tile)


class WorkFilter(admin.SimpleListFilter):
    """The queue, not the archive: open work unless asked otherwise."""

    title = "work"
    parameter_name = "work"

    def lookups(self, request, model_admin):
        return [
            ("parked_soon", "Parked, back within 2 hours"),
            ("done", "Resolved or closed"),
            ("all", "All cases"),
        ]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Open work",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value == "done":
            return queryset.exclude(status__in=OPEN_STATES)
        if value == "parked_soon":
            return queryset.filter(status="parked", parked_until__lte=timezone.now() + PARKED_SOON)
        if "status__exact" in request.GET:
            return queryset  # a status asked for by name is shown, open or not
        return queryset.filter(status__in=OPEN_STATES)


class OtherThanFilter(admin.SimpleListFilter):
    """The case page's "N other cases" link: the customer's cases but the one you are on.
    Shown only when a link asks for it (`?other_than=<case id>`)."""

    title = "other than"
    parameter_name = "other_than"

    def lookups(self, request, model_admin):
        value = id_or_none(request.GET.get(self.parameter_name))
        return [(str(value), f"Other than case #{value}")] if value is not None else []

    def queryset(self, request, queryset):
        value = id_or_none(self.value())
        return queryset.exclude(pk=value) if value is not None else queryset


class OverdueFilter(admin.SimpleListFilter):
    """Open cases past (or near) the time promised to the customer (due_at, an agent's own
    promise, not an SLA clock); served by the partial index on due_at."""

    title = "promised to the customer"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Promise passed"), ("next_24h", "Promised within 24 hours")]

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
            return queryset.filter(Q(status__in=OPEN_STATES) & SLA_BREACHED)
        if value == "next_hour":
            return queryset.filter(next_deadline_at__lte=timezone.now() + timedelta(hours=1))
        if value == "paused":
            return queryset.filter(paused_since__isnull=False)
        return queryset


class AssigneeFilter(DropdownFilter):
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
