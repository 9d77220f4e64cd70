"""Writes pushed by the booking platform: customer and booking upserts (keyed by external id,
safe to repeat and to race, see core.upsert), and booking moves with their audit event."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from core.errors import InvalidInput, PolicyRefusal, TransitionConflict
from core.locks import lock_row
from core.roles import User, actor_or_none
from core.upsert import check_fields, upsert_by_external_id
from partners.models import Partner

from .. import events, selectors
from ..models import (
    PLATFORM_FIELDS,
    Booking,
    BookingEvent,
    BookingLine,
    CancellationCode,
    CancelledBy,
    Customer,
)

CUSTOMER_FIELDS = frozenset({"name", "phone", "email", "city", "fraud_score"})
BOOKING_FIELDS = frozenset(PLATFORM_FIELDS)
BOOKING_TRANSITIONS = (
    "allocate",
    "reallocate",
    "start",
    "complete",
    "cancel",
    "convert_to_complete",
    "convert_to_reschedule",
)


def upsert_customer(*, external_id: str, fields: dict[str, Any]) -> tuple[Customer, bool]:
    """Create or update a customer from the platform's record. Returns (customer, created)."""
    check_fields(fields, CUSTOMER_FIELDS)
    with transaction.atomic():
        return upsert_by_external_id(Customer, external_id=external_id, fields=fields)


def upsert_booking(
    *,
    external_id: str,
    fields: dict[str, Any],
    lines: list[dict[str, Any]] | None = None,
) -> tuple[Booking, bool]:
    """Create or update a booking; `lines`, when given, replace the booking's SKU lines.

    The city defaults to the customer's and the currency to the city's region's; a currency
    other than the region's is refused, since every amount on the booking is in it.
    """
    check_fields(fields, BOOKING_FIELDS)
    fields = dict(fields)
    customer: Customer | None = fields.get("customer")
    if "city" not in fields and customer is not None:
        fields["city"] = customer.city
    city = fields.get("city")
    if city is not None:
        region_currency = city.region.currency
        fields.setdefault("currency", region_currency)
        if fields["currency"] != region_currency:
            raise InvalidInput(
                {"currency": f"{city.name} bills in {region_currency}, not {fields['currency']}."}
            )
    revisit_of: Booking | None = fields.get("revisit_of")
    if revisit_of is not None and revisit_of.external_id == external_id:
        raise InvalidInput({"revisit_of_external_id": "A booking cannot be a revisit of itself."})
    if revisit_of is not None and customer is not None and revisit_of.customer_id != customer.pk:
        # A revisit is of the customer's own job: its warranty and penalty come from that job.
        raise InvalidInput(
            {
                "revisit_of_external_id": f"Booking {revisit_of.external_id} is another "
                "customer's booking."
            }
        )
    with transaction.atomic():
        booking, created = upsert_by_external_id(Booking, external_id=external_id, fields=fields)
        if lines is not None:
            booking.lines.all().delete()
            BookingLine.objects.bulk_create(BookingLine(booking=booking, **line) for line in lines)
    return booking, created


def check_allocation(booking: Booking, partner: Partner) -> None:
    """The SOP's allocation rules (422 with the free partners for the slot when broken): an
    SME revisit goes to an SME partner (revisit SOP); nobody gets a job in a slot where his
    calendar says leave or working, or while he holds another job (pre-services SOP)."""
    if booking.is_sme_revisit and not partner.is_sme:
        why = (
            f"{booking.external_id} is an SME revisit: it goes to an SME partner, and "
            f"{partner} is not one."
        )
        code = "sme_partner_required"
    else:
        starts_at, ends_at = selectors.job_window(booking.booking_time)
        why = selectors.busy_reason(partner, starts_at, ends_at, exclude=booking)
        code = "partner_unavailable"
    if why:
        free = selectors.free_partners(booking, limit=5)
        raise PolicyRefusal(
            why,
            code=code,
            fields={
                "partner_external_id": [why],
                "free_partners": [p.external_id for p in free] or ["none free for this slot"],
            },
        )


def transition_booking(
    *,
    booking_id: int,
    name: str,
    partner: Partner | None = None,
    code: str = "",
    cancelled_by: str = "",
    actor: User | None = None,
) -> Booking:
    """Move a booking along its life cycle: 400 bad input, 404 unknown, 409 wrong state.

    allocate and reallocate need the partner, who must be free (his calendar and his other
    jobs) and, for an SME revisit, an SME partner: 422 otherwise, with the free partners of
    the city and category for that slot; cancel needs a cancellation code and who cancelled.
    """
    if name not in BOOKING_TRANSITIONS:
        raise InvalidInput({"transition": f"Unknown booking transition {name!r}."})
    with transaction.atomic():
        booking = lock_row(Booking, booking_id)
        method = getattr(booking, name)
        if not can_proceed(method):
            raise TransitionConflict(
                f"Cannot {name} booking {booking.external_id}: it is "
                f"{booking.get_status_display()}."
            )
        if name in ("allocate", "reallocate"):
            if partner is None:
                raise InvalidInput({"partner_external_id": "Name the partner to allocate to."})
            if not partner.is_active:
                raise InvalidInput({"partner_external_id": f"{partner} is not active."})
            check_allocation(booking, partner)
            args: tuple[Any, ...] = (partner,)
        elif name == "cancel":
            errors = {}
            if code not in CancellationCode.values:
                errors["code"] = "Give the cancellation code."
            if cancelled_by not in CancelledBy.values:
                errors["cancelled_by"] = "Say who cancelled the booking."
            if errors:
                raise InvalidInput(errors)
            args = (code, cancelled_by)
        else:
            args = ()
        from_state = booking.status
        previous_partner_id = booking.partner_id
        try:
            method(*args)
            booking.save()
        except (TransitionNotAllowed, ConcurrentTransition) as exc:
            raise TransitionConflict(str(exc), code="stale_state") from exc
        _trail(
            booking,
            name,
            from_state,
            actor,
            partner=partner.external_id if partner is not None else None,
            code=code or None,
            cancelled_by=cancelled_by or None,
        )
        events.booking_moved(
            booking,
            name=name,
            previous_partner_id=previous_partner_id,
            actor_id=getattr(actor_or_none(actor), "pk", None),
        )
    return booking


def _trail(booking: Booking, name: str, from_state: str, actor: User | None, **facts: Any) -> None:
    """The booking's audit event for a move (the facts given, those that are set)."""
    BookingEvent.objects.create(
        booking=booking,
        actor=actor_or_none(actor),
        transition=name,
        from_state=from_state,
        to_state=booking.status,
        payload={key: value for key, value in facts.items() if value is not None},
    )


def reschedule_booking(
    *,
    booking_id: int,
    booking_time: datetime,
    service_date: date,
    actor: User | None = None,
    at: datetime | None = None,
) -> Booking | None:
    """Move a job that has not started to another time; its state and partner stay. Leaves
    its audit event and booking.rescheduled. None when it is at that time already (nothing
    moved, nothing recorded); 409 once the job has started, been done or cancelled."""
    with transaction.atomic():
        booking = lock_row(Booking, booking_id)
        if not can_proceed(booking.reschedule):
            raise TransitionConflict(
                f"Booking {booking.external_id} is {booking.get_status_display().lower()}: "
                "it can no longer be rescheduled."
            )
        before = (booking.booking_time, booking.service_date)
        if before == (booking_time, service_date):
            return None
        from_state = booking.status
        booking.reschedule(booking_time, service_date)
        booking.updated_at = at or timezone.now()
        booking.save(update_fields=["booking_time", "service_date", "updated_at"])
        _trail(
            booking,
            "reschedule",
            from_state,
            actor,
            booking_time_from=before[0].isoformat(),
            booking_time_to=booking_time.isoformat(),
            service_date_from=before[1].isoformat(),
            service_date_to=service_date.isoformat(),
        )
        events.booking_rescheduled(booking, previous=before)
    return booking


def new_revisit_booking(
    *, original: Booking, sme: bool, requested_on: date | None, now: datetime
) -> Booking:
    """A revisit of the original job: same customer, place and line, nothing to pay. A regular
    revisit goes back to the original partner; an SME revisit waits for an SME partner."""
    ordinal = Booking.objects.filter(revisit_of=original).count() + 1
    fields = {
        "customer_id": original.customer_id,
        "partner_id": None if sme else original.partner_id,
        "city_id": original.city_id,
        "lob": original.lob,
        "currency": original.currency,
        "cart_value": Decimal("0.00"),
        "invoice_amount": Decimal("0.00"),
        "payment_mode": original.payment_mode,
        "booking_time": now,
        "service_date": requested_on or timezone.localtime(now).date(),
        "address": original.address,
        "latitude": original.latitude,
        "longitude": original.longitude,
        "is_commercial": original.is_commercial,
        "revisit_of": original,
        "is_sme_revisit": sme,
    }
    for attempt in range(ordinal, ordinal + 20):
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    external_id=f"{original.external_id}-R{attempt}", **fields
                )
                events.booking_created(booking)
                return booking
        except IntegrityError:
            continue  # an external id taken by the platform: try the next ordinal
    raise TransitionConflict(f"No free revisit id for booking {original.external_id}.")


def create_visit_booking(
    *,
    original: Booking,
    at: datetime,
    zone,
    now: datetime,
    earliest_on: date | None = None,
) -> Booking:
    """The new visit of an order (pending-customer-action SOP: "create a new visit"): same
    customer, place, service and price, waiting for allocation. Refused (400) in the past or
    before the earliest day the policy allows (the material rule)."""
    if at <= now:
        raise InvalidInput({"new_appointment_at": "The new visit must be in the future."})
    day = timezone.localtime(at, zone).date()
    if earliest_on is not None and day < earliest_on:
        raise InvalidInput(
            {"new_appointment_at": f"The earliest day the policy allows is {earliest_on}."}
        )
    ordinal = Booking.objects.filter(external_id__startswith=f"{original.external_id}-V").count()
    fields = {
        "customer_id": original.customer_id,
        "city_id": original.city_id,
        "lob": original.lob,
        "currency": original.currency,
        "cart_value": original.cart_value,
        "invoice_amount": original.invoice_amount,
        "payment_mode": original.payment_mode,
        "booking_time": at,
        "service_date": day,
        "spd": day,
        "address": original.address,
        "latitude": original.latitude,
        "longitude": original.longitude,
        "is_commercial": original.is_commercial,
    }
    for number in range(ordinal + 1, ordinal + 21):
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    external_id=f"{original.external_id}-V{number}", **fields
                )
                events.booking_created(booking)
                return booking
        except IntegrityError:
            continue  # an external id taken by the platform: try the next number
    raise TransitionConflict(f"No free visit id for booking {original.external_id}.")
