"""Writes pushed by the booking platform: partner, customer and booking upserts, booking moves.

An upsert is keyed by the platform's external_id and is safe to repeat and to race: the
existing row is locked (SELECT ... FOR UPDATE) before it is changed, and when two callers
insert the same new id at once the loser's INSERT hits the unique index inside a savepoint,
after which it locks the winner's row and updates it instead. Either way one row remains.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from partners.models import Partner

from .errors import InvalidInput, NotFoundError, TransitionConflict
from .models import (
    Booking,
    BookingEvent,
    BookingLine,
    CancellationCode,
    CancelledBy,
    Customer,
)

M = TypeVar("M", bound=models.Model)

PARTNER_FIELDS = frozenset(
    {"name", "phone", "city", "hub", "categories", "is_sme", "programmes", "rating", "is_active"}
)
CUSTOMER_FIELDS = frozenset({"name", "phone", "email", "city", "fraud_score"})
# status, cancellation_code and cancelled_by move only through transition_booking.
BOOKING_FIELDS = frozenset(
    {
        "customer",
        "partner",
        "city",
        "lob",
        "currency",
        "cart_value",
        "invoice_amount",
        "payment_mode",
        "booking_time",
        "service_date",
        "spd",
        "address",
        "latitude",
        "longitude",
        "is_commercial",
        "revisit_of",
        "is_sme_revisit",
    }
)
BOOKING_TRANSITIONS = ("allocate", "start", "complete", "cancel")


def _is_external_id_clash(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    return (
        getattr(cause, "sqlstate", None) == "23505"
        and diag is not None
        and "external_id" in (diag.constraint_name or "")
    )


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput({f: "This field cannot be set here." for f in sorted(unknown)})


def _differs(row: models.Model, name: str, value: Any) -> bool:
    field = row._meta.get_field(name)
    if field.many_to_one:  # compare ids: reading the related row would cost a query
        return getattr(row, field.attname) != (value.pk if value is not None else None)
    return getattr(row, name) != value


def _upsert(model: type[M], *, external_id: str, fields: dict[str, Any]) -> tuple[M, bool]:
    """Insert or update one row by external_id; call inside a transaction. Returns (row, created).

    Fields left out keep their current value on update and the model default on insert.
    """
    rows = model._default_manager.select_for_update(of=("self",))
    row = rows.filter(external_id=external_id).first()
    if row is None:
        try:
            with transaction.atomic():  # savepoint: a lost insert race leaves the outer intact
                row = model._default_manager.create(external_id=external_id, **fields)
            return row, True
        except IntegrityError as exc:
            if not _is_external_id_clash(exc):
                raise
            # Another caller inserted it between our read and our insert; it has committed
            # (the unique index made us wait), so this read sees it.
            row = rows.get(external_id=external_id)
    changed = [name for name, value in fields.items() if _differs(row, name, value)]
    for name in changed:
        setattr(row, name, fields[name])
    if changed:
        row.save()
    return row, False


def upsert_partner(*, external_id: str, fields: dict[str, Any]) -> tuple[Partner, bool]:
    """Create or update a partner from the platform's record. Returns (partner, created)."""
    _check_fields(fields, PARTNER_FIELDS)
    with transaction.atomic():
        return _upsert(Partner, external_id=external_id, fields=fields)


def upsert_customer(*, external_id: str, fields: dict[str, Any]) -> tuple[Customer, bool]:
    """Create or update a customer from the platform's record. Returns (customer, created)."""
    _check_fields(fields, CUSTOMER_FIELDS)
    with transaction.atomic():
        return _upsert(Customer, external_id=external_id, fields=fields)


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
    _check_fields(fields, BOOKING_FIELDS)
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
    with transaction.atomic():
        booking, created = _upsert(Booking, external_id=external_id, fields=fields)
        if lines is not None:
            booking.lines.all().delete()
            BookingLine.objects.bulk_create(BookingLine(booking=booking, **line) for line in lines)
    return booking, created


def _lock_booking(booking_id: int) -> Booking:
    try:
        return Booking.objects.select_for_update(of=("self",)).get(pk=booking_id)
    except Booking.DoesNotExist:
        raise NotFoundError(f"Booking {booking_id} does not exist.") from None


def transition_booking(
    *,
    booking_id: int,
    name: str,
    partner: Partner | None = None,
    code: str = "",
    cancelled_by: str = "",
    actor: AbstractBaseUser | None = None,
) -> Booking:
    """Move a booking along its life cycle: 400 bad input, 404 unknown, 409 wrong state.

    allocate needs the partner; cancel needs a cancellation code and who cancelled.
    """
    if name not in BOOKING_TRANSITIONS:
        raise InvalidInput({"transition": f"Unknown booking transition {name!r}."})
    with transaction.atomic():
        booking = _lock_booking(booking_id)
        method = getattr(booking, name)
        if not can_proceed(method):
            raise TransitionConflict(
                f"Cannot {name} booking {booking.external_id}: it is "
                f"{booking.get_status_display()}."
            )
        if name == "allocate":
            if partner is None:
                raise InvalidInput({"partner_external_id": "Name the partner to allocate to."})
            if not partner.is_active:
                raise InvalidInput({"partner_external_id": f"{partner} is not active."})
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
        try:
            method(*args)
            booking.save()
        except (TransitionNotAllowed, ConcurrentTransition) as exc:
            raise TransitionConflict(str(exc), code="stale_state") from exc
        BookingEvent.objects.create(
            booking=booking,
            actor=actor if actor is not None and actor.is_authenticated else None,
            transition=name,
            from_state=from_state,
            to_state=booking.status,
            payload={
                k: v
                for k, v in {
                    "partner": partner.external_id if partner is not None else None,
                    "code": code or None,
                    "cancelled_by": cancelled_by or None,
                }.items()
                if v is not None
            },
        )
    return booking
