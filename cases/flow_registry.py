"""The SOP flows: which decision function decides which case kind, what it asks the agent,
what it reads from the case's records, and which policy version it is decided under.

A flow's inputs are derived from its decision function's keyword parameters and type hints
(bool, bool | None, Decimal, date, datetime, int, str with choices, lists of str); the
parameters the case's records can answer (invoice, cart value, payment mode, service date,
city, RWM programme, fraud score, distance...) are filled from them and not asked. When a
record is missing (a case without a booking, a booking without a location), the parameter
is asked instead. Nothing here writes: cases.flows applies the decisions.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from policies import followups, l1, oos, painting, pre_services, revisits
from policies.calendar import BusinessCalendar, calendar_for
from policies.decision import Decision
from policies.parameters import Policy
from policies.selectors import policy_in_force

from .catalog import CaseKind, Sop
from .errors import InvalidInput
from .models import Booking, BookingStatus, CancellationCode, Case, CaseEvent, CaseStatus, EventType

K = CaseKind


class _Missing:
    """The records cannot answer a parameter: ask the agent instead."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

# --- inputs ----------------------------------------------------------------------------------

BOOL, DECIMAL, DATE, DATETIME, INT, STR, CHOICE, LIST = (
    "bool",
    "decimal",
    "date",
    "datetime",
    "int",
    "str",
    "choice",
    "list",
)
INPUT_TYPES = (BOOL, DECIMAL, DATE, DATETIME, INT, STR, CHOICE, LIST)
NON_FIELD = "non_field_errors"
MAX_TEXT = 500


# The SOPs' abbreviations, spelled as the business writes them in labels.
ABBREVIATIONS = {
    "spd": "SPD",
    "paf": "PAF",
    "oos": "OOS",
    "bpc": "BPC",
    "sku": "SKU",
    "ob": "OB",
    "voc": "VOC",
    "ro": "RO",
    "rwm": "RWM",
    "sme": "SME",
}


class _FieldError(Exception):
    pass


@dataclass(frozen=True)
class InputSpec:
    """One thing a flow asks: its type, whether it must be given, the allowed values."""

    name: str
    type: str
    required: bool = True
    nullable: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None
    label: str = ""
    help: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    floating: bool = False  # the function takes a float (a distance), not money
    has_default: bool = True  # False: the function needs a value (None when nullable)

    @property
    def verbose_name(self) -> str:
        if self.label:
            return self.label
        words = [ABBREVIATIONS.get(word, word) for word in self.name.split("_")]
        return " ".join(words)[:1].upper() + " ".join(words)[1:]

    def to_dict(self) -> dict[str, Any]:
        from policies.decision import to_jsonable

        return {
            "name": self.name,
            "type": self.type,
            "label": self.verbose_name,
            "required": self.required,
            "nullable": self.nullable,
            "choices": list(self.choices),
            "default": to_jsonable(self.default),
            "help": self.help,
        }

    def coerce(self, raw: Any) -> Any:
        """The value in the type the decision function takes, from JSON or form data."""
        if raw is None or (raw == "" and self.type not in (STR, LIST)):
            if self.nullable:
                return None
            raise _FieldError("This field may not be empty.")
        handler = getattr(self, f"_coerce_{self.type}")
        return handler(raw)

    def _coerce_bool(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise _FieldError("Must be true or false.")

    def _coerce_decimal(self, raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, Decimal | int | float | str):
            raise _FieldError("Must be a decimal number.")
        try:
            # str() first: a JSON 499.99 arrives as a float and must become exactly 499.99.
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise _FieldError("Must be a decimal number.") from None
        if not number.is_finite():
            raise _FieldError("Must be a finite number.")
        if self.minimum is not None and number < self.minimum:
            raise _FieldError(f"Must be at least {self.minimum}.")
        if self.maximum is not None and number > self.maximum:
            raise _FieldError(f"Must be at most {self.maximum}.")
        return float(number) if self.floating else number

    def _coerce_int(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise _FieldError("Must be a whole number.")
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int):
            raise _FieldError("Must be a whole number.")
        if raw < 0:
            raise _FieldError("Must not be negative.")
        return raw

    def _coerce_date(self, raw: Any) -> date:
        if isinstance(raw, datetime):
            raise _FieldError("Give a date (YYYY-MM-DD), not a date and time.")
        if isinstance(raw, date):
            return raw
        try:
            value = parse_date(raw.strip()) if isinstance(raw, str) else None
        except ValueError:
            value = None
        if value is None:
            raise _FieldError("Must be a date, YYYY-MM-DD.")
        return value

    def _coerce_datetime(self, raw: Any) -> datetime:
        try:
            value = parse_datetime(raw.strip()) if isinstance(raw, str) else raw
        except ValueError:
            value = None
        if not isinstance(value, datetime):
            raise _FieldError("Must be a date and time, ISO 8601.")
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value

    def _coerce_choice(self, raw: Any) -> str:
        if not isinstance(raw, str) or raw not in self.choices:
            raise _FieldError(f"Must be one of: {', '.join(self.choices)}.")
        return raw

    def _coerce_str(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise _FieldError("Must be text.")
        if len(raw) > MAX_TEXT:
            raise _FieldError(f"At most {MAX_TEXT} characters.")
        return raw.strip()

    def _coerce_list(self, raw: Any) -> tuple[str, ...]:
        if isinstance(raw, str):
            raw = [part for line in raw.splitlines() for part in line.split(",")]
        if not isinstance(raw, list | tuple) or not all(isinstance(i, str) for i in raw):
            raise _FieldError("Must be a list of texts.")
        return tuple(item.strip() for item in raw if item.strip())


def _input_from_hint(
    name: str, hint: Any, default: Any, choices: tuple[str, ...], label: str, help: str
) -> InputSpec:
    """An InputSpec from a keyword parameter's type hint and default."""
    nullable = False
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        nullable = type(None) in args
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise TypeError(f"{name}: unsupported union {hint}")
        hint = rest[0]
    origin = typing.get_origin(hint)
    if hint is bool:
        kind = BOOL
    elif hint is Decimal or hint is float:
        kind = DECIMAL
    elif hint is datetime:
        kind = DATETIME
    elif hint is date:
        kind = DATE
    elif hint is int:
        kind = INT
    elif hint is str:
        kind = CHOICE if choices else STR
    elif origin in (Sequence, list, tuple) and typing.get_args(hint) in ((str,), (str, ...)):
        kind = LIST
    else:
        raise TypeError(f"{name}: no input type for {hint!r}; fill it from the records")
    has_default = default is not inspect.Parameter.empty
    return InputSpec(
        name=name,
        type=kind,
        # bool | None without a default means "not known yet": leaving it out is an answer.
        required=not has_default and not nullable,
        nullable=nullable,
        choices=choices,
        default=default if has_default else None,
        label=label,
        help=help,
        minimum=Decimal(0) if kind == DECIMAL else None,
        floating=hint is float,
        has_default=has_default,
    )


# --- what the records answer -----------------------------------------------------------------


class FlowContext:
    """The case a flow runs on and what its records say; reads are cached per run."""

    def __init__(self, case: Case, *, now: datetime | None = None) -> None:
        self.case = case
        self.now = now or timezone.now()

    @property
    def booking(self) -> Booking | None:
        return self.case.booking

    @cached_property
    def original(self) -> Booking | None:
        """The booking a revisit was made for (the booking itself when it is no revisit)."""
        return original_booking(self.booking) if self.booking is not None else None

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.case.city.region.timezone)

    def local_date(self, moment: datetime) -> date:
        return timezone.localtime(moment, self.zone).date()

    @property
    def today(self) -> date:
        return self.local_date(self.now)

    @property
    def opened_on(self) -> date:
        """The day the customer or partner got in touch: the case's creation, local time."""
        return self.local_date(self.case.created_at)

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone)

    @cached_property
    def case_policy(self) -> Policy:
        return policy_in_force(self.case.created_at)

    @cached_property
    def prior_revisits(self) -> int:
        return prior_revisits_of(self.original) if self.original is not None else 0

    @cached_property
    def call_attempts(self) -> tuple[tuple[date, str], ...]:
        """The case's earlier follow-up calls, (local day, outcome), oldest first."""
        rows = (
            CaseEvent.objects.filter(case_id=self.case.pk, type=EventType.CALL_ATTEMPT)
            .order_by("at", "id")
            .values_list("payload", flat=True)
        )
        attempts = []
        for payload in rows:
            at = parse_datetime(str(payload.get("at", "")))
            if at is not None and payload.get("outcome") in followups.CALL_OUTCOMES:
                attempts.append((self.local_date(at), payload["outcome"]))
        return tuple(attempts)

    def calendar(self, around: datetime) -> BusinessCalendar:
        """The region's business days (weekend and public holidays) around a moment."""
        year = self.local_date(around).year
        cache = self.__dict__.setdefault("_calendars", {})
        if year not in cache:
            region = self.case.city.region
            cache[year] = calendar_for(
                region.country,
                range(year - 1, year + 2),
                weekend_days=region.weekend_days or None,
            )
        return cache[year]


def original_booking(booking: Booking) -> Booking:
    """Follow revisit_of to the job the issue is about."""
    seen = {booking.pk}
    while booking.revisit_of_id is not None and booking.revisit_of_id not in seen:
        booking = booking.revisit_of
        seen.add(booking.pk)
    return booking


def prior_revisits_of(original: Booking) -> int:
    """Revisits already made on the issue; one cancelled as "placed by mistake" was none."""
    return (
        Booking.objects.filter(revisit_of=original)
        .exclude(
            status=BookingStatus.CANCELLED,
            cancellation_code=CancellationCode.PLACED_REVISIT_BY_MISTAKE,
        )
        .count()
    )


def service_day_start(booking: Booking) -> datetime:
    """Warranty decisions use the version in force when the service day began (region time)."""
    zone = ZoneInfo(booking.city.region.timezone)
    return datetime.combine(booking.service_date, time.min, tzinfo=zone)


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
    if ctx.case.kind == K.FOLLOW_UP_FIRST_VISIT:
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

F_ORIGINAL_INVOICE = Fill("the original booking's invoice", _original_invoice)
F_INVOICE = Fill("the booking's invoice", _from_booking("invoice_amount"))
F_CART_VALUE = Fill("the booking's cart value", _from_booking("cart_value"))
F_PAYMENT_MODE = Fill("the booking's payment mode", _from_booking("payment_mode"))
F_SERVICE_DATE = Fill("the booking's service date", _from_booking("service_date"))
F_ORIGINAL_SERVICE_DATE = Fill(
    "the original booking's service date",
    lambda ctx, given: ctx.original.service_date if ctx.original is not None else MISSING,
)
F_APPOINTMENT_DAY = Fill("the booking's service date", _from_booking("service_date"))
F_VISIT_START = Fill("the booking time (BT)", _from_booking("booking_time"))
F_IS_SME = Fill("the booking's SME revisit flag", _from_booking("is_sme_revisit"))
F_CITY = Fill("the case's city", lambda ctx, given: ctx.case.city.name)
F_PARTNER_IS_RWM = Fill("the partner's RWM programme", _partner_is_rwm)
F_FRAUD_SCORE = Fill("the customer's fraud score", _fraud_score)
F_SPD_BREACHED = Fill("the booking's service promise date", _spd_breached)
F_APPLIANCE_IS_RO = Fill(
    "the booking's line of business",
    lambda ctx, given: ctx.booking.lob == "ro" if ctx.booking is not None else MISSING,
)
F_HAS_BOOKING = Fill(
    "the case's booking", lambda ctx, given: True if ctx.booking is not None else MISSING
)
F_OPENED_ON = Fill("the day the case was opened", lambda ctx, given: ctx.opened_on)
F_TODAY = Fill("today", lambda ctx, given: ctx.today)
F_NOW = Fill("now", lambda ctx, given: ctx.now)
F_NOW_OVERRIDABLE = Fill("now, unless given", lambda ctx, given: ctx.now, overridable=True)
F_CASE_OPENED_AT = Fill("the time the case was opened", lambda ctx, given: ctx.case.created_at)
F_PRIOR_REVISITS = Fill(
    "the revisits already made on the original booking", lambda ctx, given: ctx.prior_revisits
)
F_DISTANCE = Fill(
    "the booking's location and the partner's reported location",
    _distance_m,
    needs=COORDINATE_INPUTS,
    when=_has_location,
)
F_FOLLOWUP_FLOW = Fill("the case kind", _followup_flow)
F_AREA = Fill("the case's city", _followup_area, when=lambda ctx: True)
F_ATTEMPTS = Fill(
    "the case's earlier call attempts", lambda ctx, given: ctx.call_attempts, when=lambda c: True
)
F_CALENDAR = Fill(
    "the region's business calendar",
    lambda ctx, given: ctx.calendar(given.get("at", ctx.now)),
    when=lambda ctx: True,
)
F_TICKET_STATUS = Fill(
    "the case's status", lambda ctx, given: TICKET_STATUS_OF_CASE[ctx.case.status]
)
F_CANCELLATION_CAUSE = Fill(
    "the booking's cancellation code",
    lambda ctx, given: (
        ctx.booking.cancellation_code
        if ctx.booking is not None and ctx.booking.status == BookingStatus.CANCELLED
        else MISSING
    ),
)
F_NO_MATERIAL_ON_FIRST_VISIT = Fill(
    "the case kind (a first visit needs no material)",
    lambda ctx, given: False if ctx.case.kind == K.FOLLOW_UP_FIRST_VISIT else MISSING,
)

# --- flows -----------------------------------------------------------------------------------

Reference = Callable[[FlowContext, Mapping[str, Any]], datetime]


def opened_at(ctx: FlowContext, values: Mapping[str, Any]) -> datetime:
    """Most decisions use the version in force when the case was opened."""
    return ctx.case.created_at


def _service_day(param: str) -> Reference:
    def reference(ctx: FlowContext, values: Mapping[str, Any]) -> datetime:
        return ctx.day_start(values[param])

    reference.__doc__ = f"The version in force on the day of service ({param})."
    return reference


@dataclass(frozen=True)
class Prepared:
    """A flow's call, ready: the decision function's arguments and where each came from."""

    kwargs: dict[str, Any]
    given: dict[str, Any]  # what the agent answered (coerced)
    filled: dict[str, Any]  # what the records answered


@dataclass(frozen=True)
class Flow:
    """One SOP scenario: the decision function, the case kinds it decides, what it asks."""

    name: str
    title: str
    sop: str
    kinds: tuple[str, ...]
    decide: Callable[..., Decision]
    fills: Mapping[str, Fill] = field(default_factory=dict)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    help: Mapping[str, str] = field(default_factory=dict)
    reference: Reference = opened_at
    # Dispositions for outcomes whose decision carries no tag (the taxonomy's pre-service
    # and follow-up paths, named after the SOP step they record).
    outcome_tags: Mapping[str, str] = field(default_factory=dict)
    # Writes a CALL_ATTEMPT event before applying (the follow-up call flow).
    records_call_attempt: bool = False
    # A gate asks whether something may be created (a revisit, an OOS ticket): the SOP's
    # refusal there writes nothing and answers 422. Elsewhere a refusal is the answer the
    # customer or partner was given, and is recorded on the case like any other decision
    # (its tag, its next steps, e.g. "Post Policy-Service Denial").
    gate: bool = False

    @cached_property
    def parameters(self) -> tuple[InputSpec, ...]:
        """Every keyword parameter of the decision function but `policy`, as an input."""
        hints = typing.get_type_hints(self.decide)
        specs = []
        for name, param in inspect.signature(self.decide).parameters.items():
            if name == "policy":
                continue
            if param.kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(f"{self.name}: {name} must be keyword-only")
            if name in self.fills and not self._derivable(name, hints[name]):
                specs.append(InputSpec(name=name, type=STR, required=False))
                continue
            specs.append(
                _input_from_hint(
                    name,
                    hints[name],
                    param.default,
                    tuple(self.choices.get(name, ())),
                    self.labels.get(name, ""),
                    self.help.get(name, ""),
                )
            )
        return tuple(specs)

    @staticmethod
    def _derivable(name: str, hint: Any) -> bool:
        try:
            _input_from_hint(name, hint, None, (), "", "")
        except TypeError:
            return False
        return True

    def applies_to(self, kind: str) -> bool:
        return kind in self.kinds

    def fills_for(self, ctx: FlowContext) -> dict[str, Fill]:
        """The parameters the records answer for this case."""
        return {name: fill for name, fill in self.fills.items() if fill.available(ctx)}

    def asked(self, ctx: FlowContext) -> list[InputSpec]:
        """What the agent must (or may) give for this case."""
        fills = self.fills_for(ctx)
        out: list[InputSpec] = []
        for spec in self.parameters:
            fill = fills.get(spec.name)
            if fill is None:
                out.append(spec)
            elif fill.overridable:
                out.append(replace(spec, required=False))
            else:
                out.extend(fill.needs)
        return out

    def filled_preview(self, ctx: FlowContext) -> dict[str, Any]:
        """The values the records give now (those needing agent inputs are left out)."""
        out = {}
        for name, fill in self.fills_for(ctx).items():
            if not fill.needs:
                value = fill.get(ctx, {})
                if value is not MISSING:
                    out[name] = value
        return out

    def prepare(self, ctx: FlowContext, raw: Mapping[str, Any] | None) -> Prepared:
        """Validate the agent's inputs (400 with field errors) and fill the rest."""
        raw = dict(raw or {})
        asked = {spec.name: spec for spec in self.asked(ctx)}
        errors: dict[str, list[str]] = {}
        for name in sorted(set(raw) - set(asked)):
            why = (
                "Filled from the case's records."
                if name in self.fills
                else "Not an input of this flow."
            )
            errors[name] = [why]
        given: dict[str, Any] = {}
        for name, spec in asked.items():
            if name not in raw:
                if spec.required:
                    errors[name] = ["This field is required."]
                continue
            try:
                given[name] = spec.coerce(raw[name])
            except _FieldError as exc:
                errors[name] = [str(exc)]
        if errors:
            raise InvalidInput(errors)
        fills = self.fills_for(ctx)
        kwargs: dict[str, Any] = {}
        filled: dict[str, Any] = {}
        for spec in self.parameters:
            fill = fills.get(spec.name)
            if spec.name in given:
                kwargs[spec.name] = given[spec.name]
            elif fill is not None:
                value = fill.get(ctx, given)
                if value is MISSING:  # pragma: no cover - available() said it would answer
                    raise InvalidInput({spec.name: ["The case's records do not say."]})
                kwargs[spec.name] = filled[spec.name] = value
            elif spec.nullable and not spec.has_default:
                kwargs[spec.name] = None  # "not known yet" is an answer
            # else: optional and not given, the function's default applies
        for name, value in kwargs.items():
            if isinstance(value, datetime):
                # Decisions take the day of a moment (.date()): the case's local day.
                kwargs[name] = timezone.localtime(value, ctx.zone)
        return Prepared(kwargs=kwargs, given=given, filled=filled)

    def reference_at(self, ctx: FlowContext, prepared: Prepared) -> datetime:
        return self.reference(ctx, prepared.kwargs)

    def run(self, prepared: Prepared, policy: Policy) -> Decision:
        """Call the pure decision function; an input it rejects is a 400, not a 500."""
        try:
            return self.decide(**prepared.kwargs, policy=policy)
        except ValueError as exc:
            raise InvalidInput({NON_FIELD: [str(exc)]}) from exc

    def disposition_path(self, decision: Decision) -> str | None:
        return decision.tag or self.outcome_tags.get(decision.outcome)

    def to_dict(self, ctx: FlowContext | None = None) -> dict[str, Any]:
        from policies.decision import to_jsonable

        data: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "sop": self.sop,
            "kinds": list(self.kinds),
        }
        if ctx is not None:
            fills = self.fills_for(ctx)
            preview = self.filled_preview(ctx)
            data["inputs"] = [spec.to_dict() for spec in self.asked(ctx)]
            data["filled"] = [
                {
                    "name": name,
                    "source": fill.source,
                    "value": to_jsonable(plain_value(preview[name])) if name in preview else None,
                }
                for name, fill in fills.items()
            ]
        return data


def plain_value(value: Any) -> Any:
    """A filled value as the audit trail and the API show it: a calendar is summarised."""
    if isinstance(value, BusinessCalendar):
        return {"weekend_days": sorted(value.weekend_days), "holidays": len(value.holidays)}
    return value


# --- the registry ----------------------------------------------------------------------------

REVISIT_SCENARIO_KINDS = (
    K.REVISIT_CUSTOMER_CANCELLED,
    K.REVISIT_WORK_NOT_REQUIRED,
    K.REVISIT_NEW_WORK_DENIED,
    K.REVISIT_PARTNER_FAULT,
)
FOLLOW_UP_KINDS = (K.FOLLOW_UP_FIRST_VISIT, K.FOLLOW_UP_SECOND_APPOINTMENT, K.FOLLOW_UP_PAINTING)
SECOND_APPOINTMENT_KINDS = (K.FOLLOW_UP_SECOND_APPOINTMENT, K.FOLLOW_UP_PAINTING)

# Why a first visit was cancelled (the SOP's case one and case two).
FIRST_VISIT_CUSTOMER_CANCELLED = "customer_asked_to_reschedule"
FIRST_VISIT_CUSTOMER_NOT_FOUND = "customer_not_found"
FIRST_VISIT_REASONS = (FIRST_VISIT_CUSTOMER_CANCELLED, FIRST_VISIT_CUSTOMER_NOT_FOUND)

DEADLINES = ("first_call", "close_ticket", "costing", "operations_handover", "material_booking")

_PRE = "Pre service >> "
_FOLLOW = "Follow up >> Customer care >> "
TAG_RESCHEDULED = "Reschedule >> Preferred date"


def _flows() -> list[Flow]:
    payment = {"payment_mode": l1.PAYMENT_MODES}
    # The revisit scenario is what the agent finds while working a revisit case: every
    # scenario is offered on every revisit kind (the kind is the intake's first guess).
    revisit = [
        Flow(
            "revisit.create",
            "Revisit request: inside the warranty?",
            Sop.REVISIT,
            (K.POST_SERVICE_COMPLAINT, *REVISIT_SCENARIO_KINDS),
            revisits.may_create_revisit,
            fills={
                "service_date": F_ORIGINAL_SERVICE_DATE,
                "requested_on": F_OPENED_ON,
                "prior_revisits_on_issue": F_PRIOR_REVISITS,
            },
            reference=_service_day("service_date"),
            gate=True,
        ),
        Flow(
            "revisit.scenario_1",
            "Scenario 1: revisit created but the customer cancelled",
            Sop.REVISIT,
            REVISIT_SCENARIO_KINDS,
            revisits.decide_scenario_1,
            help={"paf_genuine": "From the call recordings and the customer."},
        ),
        Flow(
            "revisit.scenario_2",
            "Scenario 2: revisit created, work not required",
            Sop.REVISIT,
            REVISIT_SCENARIO_KINDS,
            revisits.decide_scenario_2,
        ),
        Flow(
            "revisit.scenario_3",
            "Scenario 3: new work required, customer denied it",
            Sop.REVISIT,
            REVISIT_SCENARIO_KINDS,
            revisits.decide_scenario_3,
            help={"customer_accepts_new_sku": "Leave unknown until the trainer has explained."},
        ),
        Flow(
            "revisit.scenario_4",
            "Scenario 4: partner denied / no show / poor service",
            Sop.REVISIT,
            REVISIT_SCENARIO_KINDS,
            revisits.decide_scenario_4,
            fills={"original_invoice_amount": F_ORIGINAL_INVOICE},
            choices={"partner_failure": tuple(sorted(revisits.PARTNER_FAILURES))},
        ),
        Flow(
            "revisit.scenario_5",
            "Scenario 5: revisit payment issue",
            Sop.REVISIT,
            (K.REVISIT_PAYMENT,),
            revisits.decide_scenario_5,
            fills={"is_sme_revisit": F_IS_SME},
        ),
        Flow(
            "revisit.paf_reversal",
            "PAF and penalty reversal request",
            Sop.REVISIT,
            (K.PAF_REVERSAL,),
            revisits.decide_paf_reversal_request,
        ),
    ]
    l1_flows = [
        Flow(
            "l1.status_check_cancelled",
            "1.1 Status check: ticket cancelled",
            Sop.L1,
            (K.STATUS_CHECK,),
            l1.decide_status_check_cancelled,
        ),
        Flow(
            "l1.status_check_open",
            "1.2 Status check: ticket open",
            Sop.L1,
            (K.STATUS_CHECK,),
            l1.decide_status_check_open,
            fills={"spd_breached": F_SPD_BREACHED},
            choices={"open_status": l1.OPEN_STATUSES, "customer_response": l1.CUSTOMER_RESPONSES},
            outcome_tags={
                "rescheduled": TAG_RESCHEDULED,
                "rescheduled_after_no_response": TAG_RESCHEDULED,
                "rescheduled_after_breach": TAG_RESCHEDULED,
            },
        ),
        Flow(
            "l1.status_check_closed",
            "1.3 Ticket cancelled/completed: complaint inside the warranty?",
            Sop.L1,
            (K.STATUS_CHECK, K.POST_SERVICE_COMPLAINT),
            l1.decide_status_check_closed,
            fills={"service_date": F_SERVICE_DATE, "contacted_on": F_OPENED_ON},
            choices={"complaint": l1.CLOSED_COMPLAINTS},
            reference=_service_day("service_date"),
        ),
        Flow(
            "l1.cancel_request",
            "2 Customer asks to cancel the order",
            Sop.L1,
            (K.CANCELLATION_REQUEST,),
            l1.decide_cancel_request,
        ),
        Flow(
            "l1.address_change",
            "3 Installation address change",
            Sop.L1,
            (K.ADDRESS_CHANGE,),
            l1.decide_address_change,
        ),
        Flow(
            "l1.property_damage",
            "4 Technician damaged or took property",
            Sop.L1,
            (K.PROPERTY_DAMAGE,),
            l1.decide_property_damage,
            choices={"observation": (l1.OBSERVATION_IMMEDIATE, l1.OBSERVATION_LATE)},
        ),
        Flow(
            "l1.invoice_request",
            "5 Invoice for the service or an extra part",
            Sop.L1,
            (K.MISSING_INVOICE,),
            l1.decide_invoice_request,
        ),
        Flow(
            "l1.debited_not_confirmed",
            "6 Amount debited, booking not confirmed",
            Sop.L1,
            (K.PAYMENT_NOT_CONFIRMED,),
            l1.decide_debited_not_confirmed,
            fills={"payment_mode": F_PAYMENT_MODE, "contacted_on": F_OPENED_ON},
            choices=payment,
        ),
        Flow(
            "l1.refund_status",
            "7 Refund status",
            Sop.L1,
            (K.REFUND_STATUS,),
            l1.decide_refund_status,
            fills={"payment_mode": F_PAYMENT_MODE, "contacted_on": F_OPENED_ON},
            choices=payment,
        ),
        Flow(
            "l1.extra_charges",
            "8 Technician collected extra charges",
            Sop.L1,
            (K.EXTRA_CHARGES,),
            l1.decide_extra_charges,
            fills={"invoice_amount": F_INVOICE, "payment_mode": F_PAYMENT_MODE},
            choices=payment,
            help={"amount_collected": "Everything the customer paid, online and cash."},
        ),
        Flow(
            "l1.safety_case",
            "9 Harassment / women & child safety",
            Sop.L1,
            (K.SAFETY_INCIDENT,),
            l1.decide_safety_case,
        ),
        Flow(
            "l1.product_pickup",
            "10 Product taken for repair, not returned",
            Sop.L1,
            (K.PRODUCT_PICKUP,),
            l1.decide_product_pickup,
            fills={"contacted_on": F_OPENED_ON},
        ),
    ]
    pre = [
        Flow(
            "pre_services.change_request",
            "Make changes in an existing request",
            Sop.PRE_SERVICES,
            (K.CHANGE_REQUEST,),
            pre_services.decide_change_request,
            outcome_tags={
                "partner_delivers_change": _PRE
                + "Make changes in existing request >> Parked till delivered",
                "customer_places_fresh_booking": _PRE
                + "Make changes in existing request >> Fresh booking advised",
            },
        ),
        Flow(
            "pre_services.reschedule_request",
            "Reschedule / different professional",
            Sop.PRE_SERVICES,
            (K.RESCHEDULE,),
            pre_services.decide_reschedule_request,
            outcome_tags={
                "rescheduled": _PRE + "Rescheduling / Different pro >> Rescheduled",
                "rescheduled_with_different_pro": _PRE
                + "Rescheduling / Different pro >> Rescheduled",
            },
        ),
        Flow(
            "pre_services.preferred_professional",
            "Preferred professional",
            Sop.PRE_SERVICES,
            (K.PREFERRED_PROFESSIONAL,),
            pre_services.decide_preferred_professional,
            choices={"calendar_status": pre_services.CALENDAR_STATUSES},
            help={"calendar_status": "Green = working, red = on leave, blank = free."},
            outcome_tags={
                "preferred_professional_notified": _PRE + "Preferred professional >> Assigned",
                "preferred_unavailable_assign_other": _PRE
                + "Preferred professional >> Different professional assigned",
            },
        ),
        Flow(
            "pre_services.cancellation_request",
            "Cancellation request: reschedule first",
            Sop.PRE_SERVICES,
            (K.PRE_SERVICE_CANCELLATION,),
            pre_services.decide_cancellation_request,
            labels={"voc": "Customer's reason (VOC)"},
            outcome_tags={
                "rescheduled_instead_of_cancelled": _PRE + "Cancellation >> Rescheduled instead",
                "cancelled_on_customer_voc": _PRE + "Cancellation >> Cancelled on customer VOC",
            },
        ),
        Flow(
            "pre_services.goodwill_refund",
            "Goodwill refund after a no-show / no-response cancellation",
            Sop.PRE_SERVICES,
            (K.PRE_SERVICE_CANCELLATION,),
            pre_services.decide_goodwill_refund,
            fills={
                "cart_value": F_CART_VALUE,
                "cancellation_cause": F_CANCELLATION_CAUSE,
            },
            choices={"cancellation_cause": tuple(CancellationCode.values)},
            outcome_tags={"goodwill_refund": _PRE + "Cancellation >> Goodwill refund"},
        ),
        Flow(
            "pre_services.wrong_job_started",
            "Wrong job started",
            Sop.PRE_SERVICES,
            (K.WRONG_JOB_STARTED,),
            pre_services.decide_wrong_job_started,
            fills={"payment_mode": F_PAYMENT_MODE, "fraud_score": F_FRAUD_SCORE},
            choices={"payment_mode": pre_services.PAYMENT_MODES},
            help={
                "amount_paid": "What the customer paid for the wrong job.",
                "unanswered_attempts": "Calls to the professional that went unanswered.",
            },
            outcome_tags={
                "full_refund": _PRE + "Wrong job started >> Refund and deduct from professional",
                "capped_refund": _PRE + "Wrong job started >> Refund and deduct from professional",
                "nothing_paid": _PRE + "Wrong job started >> No amount paid",
            },
        ),
        Flow(
            "pre_services.personal_details_edit",
            "Edit address / name / e-mail / number",
            Sop.PRE_SERVICES,
            (K.CONTACT_EDIT,),
            pre_services.decide_personal_details_edit,
            fills={"booking_placed": F_HAS_BOOKING},
            choices={"detail": pre_services.PERSONAL_DETAILS},
            outcome_tags={
                "edit_refused": _PRE + "Edit address/Name/Email/Number >> Refused",
                "edit_refused_partner_delivers_elsewhere": _PRE
                + "Edit address/Name/Email/Number >> Delivered to requested address",
            },
        ),
        Flow(
            "pre_services.service_enquiry",
            "Enquiry on services",
            Sop.PRE_SERVICES,
            (K.SERVICE_ENQUIRY,),
            pre_services.decide_service_enquiry,
            outcome_tags={
                "assist_booking_now": _PRE + "Enquiry on services >> Booked now",
                "guide_booking_later": _PRE + "Enquiry on services >> Will book later",
            },
        ),
        Flow(
            "pre_services.unable_to_book",
            "Unable to place a booking",
            Sop.PRE_SERVICES,
            (K.UNABLE_TO_BOOK,),
            pre_services.decide_unable_to_book,
            outcome_tags={
                "ask_app_update": _PRE + "Unable to place booking >> Resolved",
                "suggest_alternate_service": _PRE + "Unable to place booking >> Resolved",
                "escalated_with_screenshot": _PRE
                + "Unable to place booking >> Escalated with screenshot",
            },
        ),
        Flow(
            "pre_services.ob_form",
            "OB form: reply TAT, park until the e-mail arrives",
            Sop.PRE_SERVICES,
            (K.OB_FORM,),
            pre_services.decide_ob_form,
            outcome_tags={
                "ob_form_parked": _PRE + "OB form >> E-mail sent",
                "ob_form_still_parked": _PRE + "OB form >> E-mail sent",
                "ob_email_received": _PRE + "OB form >> E-mail sent",
            },
        ),
    ]
    oos_flows = [
        Flow(
            "oos.eligibility",
            "OOS ticket: RWM, radius and image checks",
            Sop.OOS,
            (K.OUT_OF_SCOPE,),
            oos.decide_oos_eligibility,
            fills={
                "partner_is_rwm": F_PARTNER_IS_RWM,
                "city": F_CITY,
                "distance_m": F_DISTANCE,
            },
            labels={"distance_m": "Distance to the customer (m)"},
            gate=True,
        ),
        Flow(
            "oos.partner_visit",
            "Partner not at the location: visit or Can't Deliver",
            Sop.OOS,
            (K.OUT_OF_SCOPE,),
            oos.decide_partner_visit,
        ),
        Flow(
            "oos.after_park",
            "After the park: call the partner",
            Sop.OOS,
            (K.OUT_OF_SCOPE,),
            oos.decide_after_park,
            fills={"ticket_created_at": F_CASE_OPENED_AT, "now": F_NOW},
            help={"customer_agrees_to_cancel": "Leave unknown until the customer is called."},
        ),
        Flow(
            "oos.paf_review",
            "Step 5: cancellation marked against the partner",
            Sop.OOS,
            (K.OUT_OF_SCOPE,),
            oos.decide_oos_paf_review,
        ),
        Flow(
            "oos.commercial_location",
            "Commercial location",
            Sop.OOS,
            (K.OUT_OF_SCOPE,),
            oos.decide_commercial_location,
            fills={"city": F_CITY, "appliance_is_ro": F_APPLIANCE_IS_RO},
        ),
        Flow(
            "oos.rating_reversal",
            "Scenario 1: rating reversal for a genuine OOS closed at BPC",
            Sop.OOS,
            (K.RATING_REVERSAL,),
            oos.decide_rating_reversal,
        ),
        Flow(
            "oos.start_otp_or_non_payment",
            "Scenario 2: no start-job OTP / customer not paying",
            Sop.OOS,
            (K.OOS_OTP_OR_PAYMENT,),
            oos.decide_start_otp_or_non_payment,
            help={"validated": "Leave unknown until the team has validated the ticket."},
        ),
    ]
    follow_tags = {
        "waiting_on_customer": _FOLLOW + "No answer twice",
        "new_visit_resolved": _FOLLOW + "New appointment set",
        "assigned_to_eo": _FOLLOW + "Assigned to engineering operations",
        "complaint_and_resolved": _FOLLOW + "Complaint ticket created",
        "resolved_customer_declined": _FOLLOW + "Customer does not want the service",
        "cancel_and_recreate_visit": _FOLLOW + "New appointment set",
    }
    follow = [
        Flow(
            "follow_up.open_first_visit_ticket",
            "Open the follow-up ticket: first visit cancelled",
            Sop.FOLLOW_UP,
            (K.FOLLOW_UP_FIRST_VISIT,),
            followups.decide_open_followup_ticket,
            fills={
                "flow": F_FOLLOWUP_FLOW,
                "customer_has_order": F_HAS_BOOKING,
                "area": F_AREA,
            },
            choices={"reason": FIRST_VISIT_REASONS},
            help={"reason": "Case one: the customer cancelled; case two: not found at home."},
        ),
        Flow(
            "follow_up.open_second_appointment_ticket",
            "Open the follow-up ticket: second appointment",
            Sop.FOLLOW_UP,
            SECOND_APPOINTMENT_KINDS,
            followups.decide_open_followup_ticket,
            fills={
                "flow": F_FOLLOWUP_FLOW,
                "customer_has_order": F_HAS_BOOKING,
                "area": F_AREA,
            },
            choices={"reason": followups.SECOND_APPOINTMENT_REASONS},
        ),
        Flow(
            "follow_up.call_attempt",
            "Follow-up call",
            Sop.FOLLOW_UP,
            FOLLOW_UP_KINDS,
            followups.after_call_attempt,
            fills={
                "flow": F_FOLLOWUP_FLOW,
                "attempts": F_ATTEMPTS,
                "calendar": F_CALENDAR,
                "area": F_AREA,
                "at": F_NOW_OVERRIDABLE,
                "material_needed": F_NO_MATERIAL_ON_FIRST_VISIT,
            },
            choices={"outcome": followups.CALL_OUTCOMES},
            labels={"at": "Called at"},
            help={
                "material_needed": "Second appointment: the order needs material.",
                "operations_note_days": "Days operations asked for to bring the material.",
            },
            outcome_tags=follow_tags,
            records_call_attempt=True,
        ),
        Flow(
            "follow_up.reopen",
            "Reopen after the waiting-on-customer period",
            Sop.FOLLOW_UP,
            FOLLOW_UP_KINDS,
            followups.may_reopen,
            fills={
                "ticket_status": F_TICKET_STATUS,
                "appointment_day": F_APPOINTMENT_DAY,
                "today": F_TODAY,
            },
        ),
        Flow(
            "follow_up.completed_wrongly",
            "Special case A: order completed wrongly",
            Sop.FOLLOW_UP,
            FOLLOW_UP_KINDS,
            followups.decide_completed_wrongly,
            help={"missing_services": "One per line."},
        ),
        Flow(
            "follow_up.visit_time_change",
            "Special case C: visit time change close to the start",
            Sop.FOLLOW_UP,
            FOLLOW_UP_KINDS,
            followups.decide_visit_time_change,
            fills={"visit_start": F_VISIT_START, "change_requested_at": F_NOW_OVERRIDABLE},
            outcome_tags=follow_tags,
        ),
        Flow(
            "follow_up.deadline_check",
            "Policy 14: lateness of another team",
            Sop.FOLLOW_UP,
            FOLLOW_UP_KINDS,
            followups.decide_deadline_check,
            fills={"now": F_NOW},
            choices={"what": DEADLINES},
        ),
        Flow(
            "painting.quotation",
            "Painting order: quotation, days of work, follow-up",
            Sop.FOLLOW_UP,
            (K.FOLLOW_UP_PAINTING,),
            painting.decide_painting_quotation,
            help={"material_cost": "Regular material price, before the markup."},
        ),
    ]
    return [*revisit, *l1_flows, *pre, *oos_flows, *follow]


FLOWS: dict[str, Flow] = {flow.name: flow for flow in _flows()}


def get_flow(name: str) -> Flow | None:
    return FLOWS.get(name)


def flows_for_kind(kind: str) -> list[Flow]:
    return [flow for flow in FLOWS.values() if flow.applies_to(kind)]


def decision_functions() -> Iterable[Callable[..., Decision]]:
    return {flow.decide for flow in FLOWS.values()}
