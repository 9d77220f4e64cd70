"""Reads for the API lists and detail pages: who sees which rows, and how they are fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case as Case_
from django.db.models import CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from core.roles import User, partner_of, row_scope, sees_as_partner
from partners.models import CalendarSlot, Partner, SlotStatus
from partners.selectors import overlapping_slots
from policies.selectors import policy_in_force

from .models import Booking, BookingStatus, Case, CaseEvent, Customer, DispositionTag, EventType


def end_of_local_day(now: datetime) -> datetime:
    """The last instant of `now`'s day in the current time zone ("due today")."""
    return timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)


# Cases


def case_workers(*, also: int | None = None) -> QuerySet:
    """The people who work cases (active staff with a case-working role), plus `also` (the
    one holding a case now, even if they left), by username."""
    from django.contrib.auth import get_user_model

    from core.roles import CASE_WORKERS

    workers = Q(is_active=True, is_staff=True, groups__name__in=CASE_WORKERS)
    if also is not None:
        workers |= Q(pk=also)
    return get_user_model().objects.filter(workers).distinct().order_by("username")


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
    # the SLA clocks the queue shows and sorts by
    "first_response_due_at",
    "resolution_due_at",
    "next_deadline_at",
    "paused_since",
    "paused_seconds",
    "sla_warned_at",
    "first_response_breached_at",
    "resolution_breached_at",
)


def case_list(*, user: User | None) -> QuerySet[Case]:
    """The queue: one query per page whatever its size, ordered by -id for the cursor."""
    return (
        cases_visible_to(user)
        .select_related("city", "assignee", "partner", "booking")
        .only(*CASE_LIST_COLUMNS)
        .order_by("-id")
    )


# The events written to be seen outside the back office: notes posted as public (sent to the
# customer). Every other event (internal notes, transitions and their reasons, decisions,
# field changes, clocks) is the back office's working.
PUBLIC_EVENTS = Q(type=EventType.NOTE, payload__public=True)


def events_visible_to(user: User | None) -> QuerySet[CaseEvent]:
    """A case's trail as the caller may read it: all of it for the back office, the public
    events only for a partner login."""
    events = CaseEvent.objects.all()
    if sees_as_partner(user):
        events = events.filter(PUBLIC_EVENTS)
    return events


def case_detail(*, user: User | None) -> QuerySet[Case]:
    """Cases with everything the detail view renders, the audit trail (as the caller may read
    it) included."""
    events = events_visible_to(user).select_related("actor").order_by("at", "id")
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
    """The customers the user may see, newest first, with their city.

    For a partner login each row carries `phone_for_partner`: the customer's phone while the
    partner holds a live job (allocated or started) for them, else null (docs/decisions.md,
    "What a partner sees").
    """
    customers = customers_visible_to(user).select_related("city").order_by("-id")
    partner = partner_of(user) if sees_as_partner(user) else None
    if partner is not None:
        live_job = Booking.objects.filter(
            customer_id=OuterRef("pk"), partner_id=partner.pk, status__in=ACTIVE_BOOKINGS
        )
        customers = customers.annotate(
            phone_for_partner=Case_(
                When(Exists(live_job), then=F("phone")),
                default=Value(None),
                output_field=CharField(),
            )
        )
    return customers


# Reference data


def dispositions_for(*, kind: str | None = None) -> QuerySet[DispositionTag]:
    """Tags an agent may pick: the selectable leaves, narrowed to one case kind if given."""
    tags = DispositionTag.objects.filter(is_selectable=True)
    if kind:
        tags = tags.filter(kinds__contains=[kind])
    return tags.order_by("path")


# Partner availability: the calendar and the jobs a partner already holds


ACTIVE_BOOKINGS = (BookingStatus.ALLOCATED, BookingStatus.STARTED)


def job_window(booking_time: datetime) -> tuple[datetime, datetime]:
    """The time a job holds its partner: from its booking time, for the policy's duration."""
    hours = policy_in_force(booking_time).params.job_duration_hours
    return booking_time, booking_time + timedelta(hours=hours)


def busy_reason(
    partner: Partner, starts_at: datetime, ends_at: datetime, *, exclude: Booking | None = None
) -> str:
    """Why the partner cannot take a job in the window ("" when free): a leave or working slot
    of the calendar, or another job the partner holds then."""
    slot = overlapping_slots(partner.pk, starts_at, ends_at).first()
    if slot is not None:
        return (
            f"{partner} is {slot.get_status_display().lower()} from "
            f"{slot.starts_at:%Y-%m-%d %H:%M} to {slot.ends_at:%Y-%m-%d %H:%M} (slot #{slot.pk})."
        )
    hours = policy_in_force(starts_at).params.job_duration_hours
    jobs = Booking.objects.filter(
        partner_id=partner.pk,
        status__in=ACTIVE_BOOKINGS,
        booking_time__lt=ends_at,
        booking_time__gt=starts_at - timedelta(hours=hours),
    )
    if exclude is not None:
        jobs = jobs.exclude(pk=exclude.pk)
    job = jobs.order_by("booking_time").first()
    if job is not None:
        return f"{partner} is on job {job.external_id} at {job.booking_time:%Y-%m-%d %H:%M}."
    return ""


def free_partners(booking: Booking, *, limit: int = 10) -> list[Partner]:
    """Active partners of the booking's city and category who are free for its window, best
    first: SME partners first for an SME revisit, then the same hub, then rating. Those who
    may not take it (a non-SME partner for an SME revisit) are left out."""
    starts_at, ends_at = job_window(booking.booking_time)
    candidates = Partner.objects.filter(
        city_id=booking.city_id, is_active=True, categories__contains=[booking.lob]
    )
    if booking.is_sme_revisit:
        candidates = candidates.filter(is_sme=True)
    if booking.partner_id:
        candidates = candidates.exclude(pk=booking.partner_id)
    hours = policy_in_force(starts_at).params.job_duration_hours
    slot_taken = CalendarSlot.objects.filter(
        partner_id=OuterRef("pk"),
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
        status__in=[SlotStatus.ON_LEAVE, SlotStatus.WORKING],
    )
    on_a_job = Booking.objects.filter(
        partner_id=OuterRef("pk"),
        status__in=ACTIVE_BOOKINGS,
        booking_time__lt=ends_at,
        booking_time__gt=starts_at - timedelta(hours=hours),
    )
    hub = booking.partner.hub if booking.partner_id else ""
    return list(
        candidates.exclude(Exists(slot_taken))
        .exclude(Exists(on_a_job))
        .select_related("city")
        .order_by(
            *(["-is_sme"] if booking.is_sme_revisit else []),
            Case_(When(hub=hub, then=0), default=1) if hub else "pk",
            "-rating",
            "pk",
        )[:limit]
    )
