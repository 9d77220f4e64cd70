"""The fill catalogue: the decision parameters a case's records answer (invoice, payment mode,
service date, RWM programme, fraud score, distance...), so the agent is not asked them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cases import selectors as case_selectors
from cases.catalog import CaseKind
from cases.models import (
    BookingEvent,
    BookingStatus,
    CaseStatus,
)
from core.errors import InvalidInput
from partners.models import Partner, SlotStatus
from partners.selectors import calendar_status
from policies.sop import followups, oos

from .context import FlowContext
from .inputs import DECIMAL, MISSING, STR, InputSpec

Getter = Callable[[FlowContext, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Fill:
    """A parameter the records answer. `get` returns MISSING when they cannot; with `needs`,
    the agent gives those inputs instead (e.g. the partner's location for a distance) and
    `when` says whether the records allow it. `overridable`: a given value wins."""

    source: str
    get: Getter
    needs: tuple[InputSpec, ...] = ()
    when: Callable[[FlowContext], bool] | None = None
    overridable: bool = False

    def available(self, ctx: FlowContext) -> bool:
        if self.when is not None:
            return self.when(ctx)
        if self.needs:
            return True
        return self.get(ctx, {}) is not MISSING


def _from_booking(attr: str) -> Getter:
    def get(ctx: FlowContext, given: Mapping[str, Any]) -> Any:
        return getattr(ctx.booking, attr) if ctx.booking is not None else MISSING

    return get


def _original_invoice(ctx: FlowContext, given: Mapping[str, Any]) -> Any:
    return ctx.original.invoice_amount if ctx.original is not None else MISSING


def _partner_is_rwm(ctx: FlowContext, given: Mapping[str, Any]) -> Any:
    partner = ctx.booking.partner if ctx.booking is not None else ctx.case.partner
    return partner.is_rwm if partner is not None else MISSING


def _fraud_score(ctx: FlowContext, given: Mapping[str, Any]) -> Any:
    customer = ctx.case.customer or (ctx.booking.customer if ctx.booking else None)
    return customer.fraud_score if customer is not None else MISSING


def _spd_breached(ctx: FlowContext, given: Mapping[str, Any]) -> Any:
    if ctx.booking is None or ctx.booking.spd is None:
        return MISSING
    return ctx.today > ctx.booking.spd


def _has_location(ctx: FlowContext) -> bool:
    booking = ctx.booking
    return booking is not None and booking.latitude is not None and booking.longitude is not None


COORDINATE_INPUTS = (
    InputSpec(
        "partner_latitude",
        DECIMAL,
        label="Partner latitude",
        help="Where the partner reports he is (degrees).",
        minimum=Decimal(-90),
        maximum=Decimal(90),
    ),
    InputSpec(
        "partner_longitude",
        DECIMAL,
        label="Partner longitude",
        help="Where the partner reports he is (degrees).",
        minimum=Decimal(-180),
        maximum=Decimal(180),
    ),
)


def measured_distance_m(
    latitude: Decimal | float, longitude: Decimal | float, to_lat: Any, to_lng: Any
) -> float:
    """The partner's distance from the customer, to the metre: the SOP counts in metres and
    a phone's position is no finer, so float noise (500.00000000003) never refuses a
    partner standing at the radius."""
    metres = oos.haversine_m(float(latitude), float(longitude), float(to_lat), float(to_lng))
    return float(Decimal(repr(metres)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _distance_m(ctx: FlowContext, given: Mapping[str, Any]) -> Any:
    booking = ctx.booking
    if not _has_location(ctx) or "partner_latitude" not in given:
        return MISSING
    return measured_distance_m(
        booking.latitude,
        booking.longitude,
        given["partner_latitude"],
        given["partner_longitude"],
    )


def _followup_flow(ctx: FlowContext, given: Mapping[str, Any]) -> str:
    if ctx.case.kind == CaseKind.FOLLOW_UP_FIRST_VISIT:
        return followups.FLOW_FIRST_VISIT
    return followups.FLOW_SECOND_APPOINTMENT


def _followup_area(ctx: FlowContext, given: Mapping[str, Any]) -> str | None:
    """The ticket's area when the case's city is one of the policy's areas; else None (the
    SOP's areas are Egyptian: elsewhere the ticket keeps its own)."""
    name = ctx.case.city.name.casefold()
    areas = ctx.case_policy.params.followup_areas
    return next((area for area in areas if area.casefold() == name), None)


# The SOP's ticket statuses for the case statuses (pending-customer-action SOP).
TICKET_STATUS_OF_CASE: dict[str, str] = {
    CaseStatus.NEW: followups.STATUS_OPEN,
    CaseStatus.OPEN: followups.STATUS_OPEN,
    CaseStatus.PARKED: followups.STATUS_PENDING,
    CaseStatus.PENDING: followups.STATUS_PENDING,
    CaseStatus.WAITING_ON_CUSTOMER: followups.STATUS_WAITING_ON_CUSTOMER,
    CaseStatus.WAITING_ON_THIRD_PARTY: followups.STATUS_WAITING_ON_THIRD_PARTY,
    CaseStatus.RESOLVED: followups.STATUS_RESOLVED,
    CaseStatus.CLOSED: followups.STATUS_RESOLVED,
}

ORIGINAL_INVOICE = Fill("the original booking's invoice", _original_invoice)
INVOICE = Fill("the booking's invoice", _from_booking("invoice_amount"))
CART_VALUE = Fill("the booking's cart value", _from_booking("cart_value"))
PAYMENT_MODE = Fill("the booking's payment mode", _from_booking("payment_mode"))
SERVICE_DATE = Fill("the booking's service date", _from_booking("service_date"))
ORIGINAL_SERVICE_DATE = Fill(
    "the original booking's service date",
    lambda ctx, given: ctx.original.service_date if ctx.original is not None else MISSING,
)
APPOINTMENT_DAY = Fill("the booking's service date", _from_booking("service_date"))
VISIT_START = Fill("the booking time (BT)", _from_booking("booking_time"))
IS_SME = Fill("the booking's SME revisit flag", _from_booking("is_sme_revisit"))
CITY = Fill("the case's city", lambda ctx, given: ctx.case.city.name)
PARTNER_IS_RWM = Fill("the partner's RWM programme", _partner_is_rwm)
FRAUD_SCORE = Fill("the customer's fraud score", _fraud_score)
SPD = Fill("the booking's service promise date", _from_booking("spd"))
SPD_BREACHED = Fill("the booking's service promise date", _spd_breached)
APPLIANCE_IS_RO = Fill(
    "the booking's line of business",
    lambda ctx, given: ctx.booking.lob == "ro" if ctx.booking is not None else MISSING,
)
HAS_BOOKING = Fill(
    "the case's booking", lambda ctx, given: True if ctx.booking is not None else MISSING
)
OPENED_ON = Fill("the day the case was opened", lambda ctx, given: ctx.opened_on)
TODAY = Fill("today", lambda ctx, given: ctx.today)
NOW = Fill("now", lambda ctx, given: ctx.now)
NOW_OVERRIDABLE = Fill("now, unless given", lambda ctx, given: ctx.now, overridable=True)


def _order_completed_at(ctx: FlowContext, given: Mapping[str, Any]) -> Any:
    booking = ctx.booking
    if booking is None:
        return None
    return (
        BookingEvent.objects.filter(booking_id=booking.pk, to_state=BookingStatus.COMPLETED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


ORDER_COMPLETED_AT = Fill("when the booking was completed", _order_completed_at)
CASE_OPENED_AT = Fill("the time the case was opened", lambda ctx, given: ctx.case.created_at)
PRIOR_REVISITS = Fill(
    "the revisits already made on the original booking", lambda ctx, given: ctx.prior_revisits
)
DISTANCE = Fill(
    "the booking's location and the partner's reported location",
    _distance_m,
    needs=COORDINATE_INPUTS,
    when=_has_location,
)
FOLLOWUP_FLOW = Fill("the case kind", _followup_flow)
AREA = Fill("the case's city", _followup_area, when=lambda ctx: True)
ATTEMPTS = Fill(
    "the case's earlier call attempts", lambda ctx, given: ctx.call_attempts, when=lambda c: True
)
CALENDAR = Fill(
    "the region's business calendar",
    lambda ctx, given: ctx.calendar(given.get("at", ctx.now)),
    when=lambda ctx: True,
)
TICKET_STATUS = Fill("the case's status", lambda ctx, given: TICKET_STATUS_OF_CASE[ctx.case.status])
CANCELLATION_CAUSE = Fill(
    "the booking's cancellation code",
    lambda ctx, given: (
        ctx.booking.cancellation_code
        if ctx.booking is not None and ctx.booking.status == BookingStatus.CANCELLED
        else MISSING
    ),
)
NO_MATERIAL_ON_FIRST_VISIT = Fill(
    "the case kind (a first visit needs no material)",
    lambda ctx, given: False if ctx.case.kind == CaseKind.FOLLOW_UP_FIRST_VISIT else MISSING,
)


PREFERRED_PARTNER_INPUT = InputSpec(
    "preferred_partner",
    STR,
    required=False,
    label="Preferred professional",
    help="His partner id (PX…) or number; his calendar is read for the booking's slot.",
)


def partner_named(value: object) -> Partner:
    """The active partner a given id or external id names (400 when there is none)."""
    text = str(value or "").strip()
    partner = Partner.objects.filter(external_id=text, is_active=True).first()
    if partner is None and text.isascii() and text.isdigit() and len(text) < 19:
        partner = Partner.objects.filter(pk=int(text), is_active=True).first()
    if partner is None:
        raise InvalidInput({"preferred_partner": f"No active partner {text!r}."})
    return partner


def _preferred_calendar(ctx: FlowContext, given: Mapping[str, Any]) -> Any:
    """The preferred professional's calendar for the booking's slot: on leave, working (a
    calendar slot or another job he holds), or free."""
    if not given.get("preferred_partner"):
        if given.get("professional_known") is False:
            return SlotStatus.FREE  # not consulted: the customer does not know him
        raise InvalidInput(
            {"preferred_partner": "Name the preferred professional, or say he is not known."}
        )
    partner = partner_named(given["preferred_partner"])
    starts_at, ends_at = case_selectors.job_window(ctx.booking.booking_time)
    status = calendar_status(partner.pk, starts_at, ends_at)
    if status == SlotStatus.FREE and case_selectors.busy_reason(
        partner, starts_at, ends_at, exclude=ctx.booking
    ):
        return SlotStatus.WORKING
    return status


PREFERRED_PARTNER_CALENDAR = Fill(
    "the preferred professional's calendar for the booking's slot",
    _preferred_calendar,
    needs=(PREFERRED_PARTNER_INPUT,),
    when=lambda ctx: ctx.booking is not None,
)
