"""Reads for the API lists and detail pages: who sees which rows, and how they are fetched."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from core.roles import User, row_scope

from .models import Booking, Case, CaseEvent, Customer, DispositionTag

# Cases


def cases_visible_to(user: User | None) -> QuerySet[Case]:
    """Every case for the back office; only the partner's own cases for a partner login."""
    sees_all, partner = row_scope(user, Case)
    if sees_all:
        return Case.objects.all()
    if partner is not None:
        return Case.objects.filter(partner_id=partner.pk)
    return Case.objects.none()


# Exactly the columns the queue shows: narrower rows, and no model instances for relations
# beyond the four names.
CASE_LIST_COLUMNS = (
    "id",
    "kind",
    "status",
    "priority",
    "team",
    "channel",
    "reporter",
    "subject",
    "city_id",
    "city__name",
    "assignee_id",
    "assignee__username",
    "partner_id",
    "partner__name",
    "booking_id",
    "booking__external_id",
    "booking__status",  # the booking model reads its FSM state when loaded
    "customer_id",
    "due_at",
    "parked_until",
    "created_at",
    "updated_at",
)


def case_list(*, user: User | None) -> QuerySet[Case]:
    """The queue: one query per page whatever its size, ordered by -id for the cursor."""
    return (
        cases_visible_to(user)
        .select_related("city", "assignee", "partner", "booking")
        .only(*CASE_LIST_COLUMNS)
        .order_by("-id")
    )


def case_detail(*, user: User | None) -> QuerySet[Case]:
    """Cases with everything the detail view renders, the audit trail included."""
    events = CaseEvent.objects.select_related("actor").order_by("at", "id")
    return (
        cases_visible_to(user)
        .select_related(
            "city", "assignee", "partner", "booking", "customer", "disposition", "created_by"
        )
        .prefetch_related(Prefetch("events", queryset=events))
    )


@dataclass(frozen=True)
class AvailableTransition:
    name: str
    label: str
    target: str
    needs: list[str] = field(default_factory=list)


def available_transitions(case: Case, user: User | None) -> list[AvailableTransition]:
    """Transitions the user may take from the case's current state, with what each needs."""
    if user is None or not user.is_authenticated:
        return []
    return [
        AvailableTransition(
            name=t.name,
            label=t.custom.get("label", t.name.replace("_", " ").capitalize()),
            target=str(t.target),
            needs=list(t.custom.get("needs", [])),
        )
        for t in case.get_available_user_status_transitions(user)
    ]


# Bookings and customers


def bookings_visible_to(user: User | None) -> QuerySet[Booking]:
    """Every booking for the back office; only the partner's own for a partner login."""
    sees_all, partner = row_scope(user, Booking)
    if sees_all:
        return Booking.objects.all()
    if partner is not None:
        return Booking.objects.filter(partner_id=partner.pk)
    return Booking.objects.none()


def booking_list(*, user: User | None) -> QuerySet[Booking]:
    """The bookings the user may see, newest first, with their parties and lines."""
    return (
        bookings_visible_to(user)
        .select_related("customer", "partner", "city", "revisit_of")
        .prefetch_related("lines")
        .order_by("-id")
    )


def customers_visible_to(user: User | None) -> QuerySet[Customer]:
    """Partners see the customers of their own bookings only."""
    sees_all, partner = row_scope(user, Customer)
    if sees_all:
        return Customer.objects.all()
    if partner is not None:
        own_booking = Booking.objects.filter(customer_id=OuterRef("pk"), partner_id=partner.pk)
        return Customer.objects.filter(Exists(own_booking))
    return Customer.objects.none()


def customer_list(*, user: User | None) -> QuerySet[Customer]:
    """The customers the user may see, newest first, with their city."""
    return customers_visible_to(user).select_related("city").order_by("-id")


# Reference data


def dispositions_for(*, kind: str | None = None) -> QuerySet[DispositionTag]:
    """Tags an agent may pick: the selectable leaves, narrowed to one case kind if given."""
    tags = DispositionTag.objects.filter(is_selectable=True)
    if kind:
        tags = tags.filter(kinds__contains=[kind])
    return tags.order_by("path")
