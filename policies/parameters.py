"""The schema of a policy version: every number and list the SOPs use, typed and documented."""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

# Keys of the `sop` metadata: the SOP file (in shared/sop/) a parameter is read from.
REVISIT = "revisit-work.txt"
L1 = "l1-installation-maintenance.txt"
PRE = "pre-services.txt"
OOS = "out-of-scope-cancellations.txt"
PCA = "pending-customer-action.txt"
HOUSE = "house rule (no SOP number)"

# The rounding names `decimal` understands; a policy may only pick one of these.
ROUNDING_MODES: tuple[str, ...] = (
    decimal.ROUND_HALF_UP,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_UP,
    decimal.ROUND_DOWN,
    decimal.ROUND_CEILING,
    decimal.ROUND_FLOOR,
)

# Case priorities, lowest first (the escalation parameters pick one).
PRIORITIES: tuple[str, ...] = ("low", "medium", "high", "urgent")

# Aliases for the two tuple shapes: their names, as annotation strings, are what validation,
# to_dict and the JSON schema dispatch on, so all three agree on every field.
_NAMES = tuple[str, ...]
_DAYS_BY_MODE = tuple[tuple[str, int], ...]
_NUMBERS_BY_NAME = tuple[tuple[str, int], ...]  # e.g. minutes per priority; may be empty


class PolicyValidationError(ValueError):
    """Raised with every problem found at once, keyed by parameter name."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{name}: {msg}" for name, msg in sorted(self.errors.items())))


def _param(
    default: object,
    sop: str,
    *,
    minimum: int = 0,
    rate: bool = False,
    choices: tuple[str, ...] = (),
) -> Any:
    """A dataclass field whose metadata drives validation and the JSON schema."""
    return field(
        default=default,
        metadata={"sop": sop, "minimum": minimum, "rate": rate, "choices": choices},
    )


@dataclass(frozen=True)
class PolicyParameters:
    """Every SOP number as a typed, validated value. Defaults are the SOP values.

    Construction (directly or via `from_dict`) validates and normalises every field, so an
    instance is always usable: Decimals are Decimals, lists are tuples, rates lie in 0..1.
    """

    # --- revisit-work.txt ---------------------------------------------------------------
    # "CX can create revisit within warranty period"; the L1 SOP (1.3) gives the number,
    # "within 30 days from the day of service". Day N after the service is still inside.
    warranty_days: int = _param(30, f"{REVISIT}; {L1} 1.3")
    # "second revisit is created which is then delivered by the SME partner": the ordinal of
    # the revisit (on the same issue) from which revisits are SME revisits.
    sme_revisit_number: int = _param(2, REVISIT, minimum=1)
    # Scenario 4: "penalty of 60% of total original invoice will be deducted from next payout".
    revisit_penalty_rate: Decimal = _param(Decimal("0.60"), REVISIT, rate=True)

    # --- pre-services.txt -------------------------------------------------------------------
    # Goodwill on no-show / no-response cancellations: cart value below the threshold gets
    # the lower amount, at or above it the higher one (the SOP says "below 500" / "above 500").
    goodwill_threshold_cart_value: Decimal = _param(Decimal("500"), PRE)
    goodwill_below_threshold: Decimal = _param(Decimal("100"), PRE)
    goodwill_from_threshold: Decimal = _param(Decimal("150"), PRE)
    # Wrong job started, professional unreachable: "refund the amount upto 3000 rs".
    wrong_job_refund_cap: Decimal = _param(Decimal("3000"), PRE)
    # "If professional is not responding after 2 attempts".
    wrong_job_unanswered_attempts: int = _param(2, PRE, minimum=1)
    # "following Fraud score": the SOP names the gate but not the number. A refund is given
    # only when the customer's fraud score (0..1, higher is riskier) is strictly below this.
    wrong_job_fraud_score_max: Decimal = _param(
        Decimal("0.70"), f"{PRE} (number not in SOP)", rate=True
    )
    # Address edits: "we will pay 100 extra to the professional" for delivering elsewhere.
    changed_address_partner_bonus: Decimal = _param(Decimal("100"), PRE)
    # OB form: "share the tat of 24hrs".
    ob_form_tat_hours: int = _param(24, PRE)
    # Tech issues and unable-to-book cases: "raise to Sajan/Karuna".
    escalation_contacts: _NAMES = _param(("Sajan", "Karuna"), PRE)
    # Unable to book: "keep your AM, TL and QA in cc".
    escalation_cc: _NAMES = _param(("AM", "TL", "QA"), PRE)

    # --- l1-installation-maintenance.txt --------------------------------------------------
    # Scenarios 6 and 7 say "Within Refund TAT" / "Post Refund TAT" without a number: calendar
    # days from the debit (or refund start) per payment mode, house default 7 for both.
    refund_tat_days: _DAYS_BY_MODE = _param(
        (("cash", 7), ("online", 7)), f"{L1} 6, 7 (number not in SOP)"
    )
    # Scenario 10: "promised to return within 4-5 days": the later end of the promise.
    product_pickup_return_days: int = _param(5, f"{L1} 10")

    # --- out-of-scope-cancellations.txt ---------------------------------------------------
    # "Partner must be at the customer's location (or within 500 meters)", inclusive.
    oos_radius_m: int = _param(500, OOS, minimum=1)
    # "inform the partner that the concerned team will connect ... park ticket for 3 hours".
    oos_park_hours: int = _param(3, OOS)
    # Cities where commercial locations are live (all appliances except RO / commercial ones).
    metro_cities: _NAMES = _param(
        ("Delhi", "Mumbai", "Hyderabad", "Bangalore", "Ahmedabad", "Pune", "Kolkata", "Chennai"),
        OOS,
    )
    # "partners belong to RWM in Delhi & Mumbai ... no cancellations are allowed".
    rwm_cities: _NAMES = _param(("Delhi", "Mumbai"), OOS)

    # --- pending-customer-action.txt -------------------------------------------------------
    # "The customer is followed twice": no-answer attempts, on different days, before giving up.
    followup_max_attempts: int = _param(2, PCA, minimum=1)
    # "The ticket is closed during 7 days."
    followup_close_within_days: int = _param(7, PCA)
    # "call customer during 8 hours since operation team assign the ticket".
    followup_first_call_within_hours: int = _param(8, PCA)
    # "Costing by maximum 48 must be known to customer" (hours).
    costing_known_within_hours: int = _param(48, PCA)
    # "book the order after 1 day '24 hour' from confirming the material price".
    material_booking_delay_hours: int = _param(24, PCA)
    # "... material need more than one day to bring it by maximum 2 days".
    material_booking_max_days: int = _param(2, PCA, minimum=1)
    # "re-open the order again after 30 days of appointment day" (status waiting on customer).
    waiting_on_customer_reopen_days: int = _param(30, PCA)
    # "Operation send the pending customer action ticket after one hour of completed the order".
    operations_handover_hours: int = _param(1, PCA)
    # Special case C: "change visit time during hour and half from starting the order".
    reschedule_change_window_minutes: int = _param(90, PCA)
    # Ticket view "Area: Cairo or Sahel or Alex".
    followup_areas: _NAMES = _param(("Cairo", "Sahel", "Alex"), PCA)
    # "assign order to Engineering operation/ Ahmed Fasial ... if the order need any material".
    material_orders_eo_contact: str = _param("Ahmed Fasial", PCA)
    # Painting: "We add 10 % for regular material price for quotation".
    painting_material_markup_rate: Decimal = _param(Decimal("0.10"), PCA, rate=True)
    # Painting: "if customer ask for tax invoice that will add 29 % on".
    painting_tax_invoice_surcharge_rate: Decimal = _param(Decimal("0.29"), PCA, rate=True)
    # Painting: "the technician will bring 50 % for material before first day of order".
    painting_material_advance_rate: Decimal = _param(Decimal("0.50"), PCA, rate=True)
    # Painting: "Customer support we will follow customer once during painting orders".
    painting_followups_during_order: int = _param(1, PCA)

    # --- carrying decisions out (house rules: the SOPs name the step, not its clock) -----------
    # A call the agent must make (tell the customer or the partner something): its task is due
    # this many minutes after the decision.
    call_task_due_minutes: int = _param(60, HOUSE, minimum=1)
    # Any other step for a person (ask for images, send the OB form, log a form): due after.
    task_due_hours: int = _param(4, HOUSE, minimum=1)
    # The priority an escalated case gets at least, and a safety case's (L1 scenario 9).
    escalation_priority: str = _param("high", HOUSE, choices=PRIORITIES)
    safety_escalation_priority: str = _param("urgent", f"{L1} 9", choices=PRIORITIES)
    # How long a job holds its partner's calendar from its booking time.
    job_duration_hours: int = _param(2, HOUSE, minimum=1)
    # OOS step 5: "reversed post validation at the time of training or review date": the
    # review date is this many business days after the decision.
    training_review_business_days: int = _param(5, f"{OOS} step 5 (number not in SOP)", minimum=1)

    # --- SLA clocks on cases (house rules) ----------------------------------------------------
    # First response: business minutes from opening to the first thing the customer sees.
    sla_first_response_minutes: _NUMBERS_BY_NAME = _param(
        (("high", 60), ("low", 480), ("medium", 240), ("urgent", 30)), HOUSE
    )
    # Resolution: business minutes from opening to resolved, per priority...
    sla_resolution_minutes: _NUMBERS_BY_NAME = _param(
        (("high", 1440), ("low", 4320), ("medium", 2880), ("urgent", 240)), HOUSE
    )
    # ...unless the case kind has its own (a safety case is resolved within hours).
    sla_resolution_minutes_by_kind: _NUMBERS_BY_NAME = _param(
        (("safety_incident", 240),), f"{HOUSE}; {L1} 9"
    )
    # The warning goes out at this share of the resolution target.
    sla_warn_rate: Decimal = _param(Decimal("0.80"), HOUSE, rate=True)
    # A breach raises the priority this many steps (never past urgent).
    sla_breach_priority_steps: int = _param(1, HOUSE)
    # The clocks that count working time of the region's calendar; the others count wall
    # time. "sla": first response and resolution; "material_booking": the delay after the
    # price confirmation (business days, as the SOP says); the SOP clocks by their names:
    # "park", "ob_form", "first_call", "costing_known", "call_partner_confirm_outcome",
    # "followup_close" (hours as working hours, days as business days).
    business_time_clocks: _NAMES = _param(("sla", "material_booking"), f"{HOUSE}; {PCA} 7")
    # Drills and demos only: every SOP clock and SLA target runs this many times faster. 1 in
    # production; a drill version with 3600 turns an hour into a second.
    clock_speedup: int = _param(1, HOUSE, minimum=1)
    # A customer's e-mail reply to a resolved case reopens it within this many days of the
    # resolution; later, it opens a new case linked to the old one.
    reply_reopen_days: int = _param(7, HOUSE)

    # --- money ---------------------------------------------------------------------------
    # INR (paise) and EGP (piastres) both have two minor digits; every computed amount
    # (penalty, capped refund, quotation, price per day) is rounded once, at the end, with
    # this rule. Half-up is what customers and partners expect on a printed amount.
    money_decimal_places: int = _param(2, HOUSE)
    money_rounding: str = _param(decimal.ROUND_HALF_UP, HOUSE, choices=ROUNDING_MODES)

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        for f in fields(self):
            try:
                value = _coerce(f.name, f.type, f.metadata, getattr(self, f.name))
            except _Invalid as exc:
                errors[f.name] = str(exc)
            else:
                # Frozen: normalising the stored value needs the base-class setter.
                object.__setattr__(self, f.name, value)
        if errors:
            raise PolicyValidationError(errors)

    # --- serialisation ---------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PolicyParameters:
        """Build from stored JSON. Missing keys take the SOP defaults (so versions stored
        before a parameter existed still load); unknown keys and bad values are errors."""
        if not isinstance(data, Mapping):
            raise PolicyValidationError({"__all__": "parameters must be a JSON object"})
        known = {f.name for f in fields(cls)}
        errors = {str(key): "unknown parameter" for key in data if key not in known}
        try:
            params = cls(**{key: value for key, value in data.items() if key in known})
        except PolicyValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise PolicyValidationError(errors)
        return params

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable: Decimals as strings (exact), tuples as lists, TATs as an object."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "Decimal":
                out[f.name] = str(value)
            elif f.type in ("_DAYS_BY_MODE", "_NUMBERS_BY_NAME"):
                out[f.name] = dict(value)
            elif f.type == "_NAMES":
                out[f.name] = list(value)
            else:
                out[f.name] = value
        return out

    @classmethod
    def json_schema(cls) -> dict[str, object]:
        """A JSON schema (draft 2020-12) of what `to_dict` produces; `from_dict` accepts it,
        plus integers for amounts and omitted keys (defaults)."""
        defaults = cls().to_dict()
        properties: dict[str, object] = {}
        for f in fields(cls):
            description = f"Source: {f.metadata['sop']}."
            prop: dict[str, object]
            if f.type == "int":
                prop = {"type": "integer", "minimum": f.metadata["minimum"]}
            elif f.type == "Decimal":
                pattern = (
                    r"^(0(\.[0-9]+)?|1(\.0+)?)$" if f.metadata["rate"] else r"^[0-9]+(\.[0-9]+)?$"
                )
                prop = {"type": "string", "pattern": pattern}
                if f.metadata["rate"]:
                    description += " A rate between 0 and 1."
            elif f.type == "_NAMES":
                prop = {"type": "array", "items": {"type": "string", "minLength": 1}}
            elif f.type == "_DAYS_BY_MODE":
                prop = {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"type": "integer", "minimum": 0},
                }
            elif f.type == "_NUMBERS_BY_NAME":
                prop = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}}
            else:
                prop = {"type": "string", "minLength": 1}
                if f.metadata["choices"]:
                    prop["enum"] = list(f.metadata["choices"])
            prop["description"] = description
            prop["default"] = defaults[f.name]
            properties[f.name] = prop
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "PolicyParameters",
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
        }

    # --- helpers the decision modules share -------------------------------------------------
    def round_money(self, amount: Decimal) -> Decimal:
        """Round an amount to the currency's minor unit with the policy's rounding rule."""
        if not isinstance(amount, Decimal):
            raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
        exponent = Decimal(1).scaleb(-self.money_decimal_places)
        return amount.quantize(exponent, rounding=self.money_rounding)

    def sla_minutes(self, kind: str, priority: str) -> tuple[int, int]:
        """(first response, resolution) targets in minutes for a case kind and priority."""
        first = dict(self.sla_first_response_minutes)
        resolution = dict(self.sla_resolution_minutes)
        by_kind = dict(self.sla_resolution_minutes_by_kind)
        return first.get(priority, first.get("low", 480)), by_kind.get(
            kind, resolution.get(priority, resolution.get("low", 4320))
        )

    def duration(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> timedelta:
        """How long an SOP clock runs (divided by clock_speedup in a drill)."""
        return timedelta(days=days, hours=hours, minutes=minutes) / self.clock_speedup

    def counts_business_time(self, clock: str) -> bool:
        """Whether a clock counts working time (else wall time)."""
        return clock in self.business_time_clocks

    def refund_tat_days_for(self, payment_mode: str) -> int:
        """The refund TAT in days for a payment mode ("online" or "cash"; "prepaid" = online)."""
        mode = normalise_payment_mode(payment_mode)
        days = dict(self.refund_tat_days)
        if mode not in days:
            raise ValueError(
                f"no refund TAT for payment mode {payment_mode!r}; known: {sorted(days)}"
            )
        return days[mode]


def normalise_payment_mode(payment_mode: str) -> str:
    """The SOPs say "prepaid" and "online" for the same thing; store one word."""
    mode = payment_mode.strip().lower()
    return "online" if mode == "prepaid" else mode


class _Invalid(Exception):
    """One field's problem; collected into PolicyValidationError."""


def _coerce(name: str, type_name: object, meta: Mapping[str, Any], value: object) -> object:
    """Validate one field value and return it in its canonical type."""
    # Annotations are strings here (from __future__ import annotations).
    if type_name == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid("must be an integer")
        if value < 0:
            raise _Invalid("must not be negative")
        if value < meta["minimum"]:
            raise _Invalid(f"must be at least {meta['minimum']}")
        return value
    if type_name == "Decimal":
        number = _to_decimal(value)
        if number < 0:
            raise _Invalid("must not be negative")
        if meta["rate"] and number > 1:
            raise _Invalid("must be a rate between 0 and 1")
        return number
    if type_name == "_NAMES":
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise _Invalid("must be a list of names")
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise _Invalid("every item must be a non-empty string")
        return tuple(item.strip() for item in value)
    if type_name == "_DAYS_BY_MODE":
        pairs = list(value.items()) if isinstance(value, Mapping) else value
        if not isinstance(pairs, list | tuple) or not pairs:
            raise _Invalid("must map each payment mode to a number of days")
        out: dict[str, int] = {}
        for pair in pairs:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise _Invalid("must map each payment mode to a number of days")
            mode, days = pair
            if not isinstance(mode, str) or not mode.strip():
                raise _Invalid("payment modes must be non-empty strings")
            if isinstance(days, bool) or not isinstance(days, int) or days < 0:
                raise _Invalid(f"days for {mode!r} must be a non-negative integer")
            out[normalise_payment_mode(mode)] = days
        return tuple(sorted(out.items()))
    if type_name == "_NUMBERS_BY_NAME":
        pairs = list(value.items()) if isinstance(value, Mapping) else value
        if not isinstance(pairs, list | tuple):
            raise _Invalid("must map names to whole numbers")
        numbers: dict[str, int] = {}
        for pair in pairs:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise _Invalid("must map names to whole numbers")
            key, number = pair
            if not isinstance(key, str) or not key.strip():
                raise _Invalid("names must be non-empty strings")
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise _Invalid(f"the number for {key!r} must be a whole number of at least 1")
            numbers[key.strip()] = number
        return tuple(sorted(numbers.items()))
    if type_name == "str":
        if not isinstance(value, str) or not value.strip():
            raise _Invalid("must be a non-empty string")
        if meta["choices"] and value not in meta["choices"]:
            raise _Invalid(f"must be one of {', '.join(meta['choices'])}")
        return value
    raise _Invalid(f"unsupported parameter type {type_name!r} for {name}")  # pragma: no cover


def _to_decimal(value: object) -> Decimal:
    # Floats are refused: 0.1 as a float is not 0.1, and money must be exact.
    if isinstance(value, bool | float):
        raise _Invalid('must be a decimal string such as "0.60", not a float')
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise _Invalid("must be a decimal number") from None
    else:
        raise _Invalid("must be a decimal number")
    if not number.is_finite():
        raise _Invalid("must be a finite number")
    return number


@dataclass(frozen=True)
class Policy:
    """A named, immutable version of the parameters; decisions cite the version they used."""

    version: str
    params: PolicyParameters = field(default_factory=PolicyParameters)

    def __post_init__(self) -> None:
        if not isinstance(self.version, str) or not self.version.strip():
            raise PolicyValidationError({"version": "must be a non-empty string"})
        if not isinstance(self.params, PolicyParameters):
            raise PolicyValidationError({"params": "must be PolicyParameters"})

    def to_dict(self) -> dict[str, object]:
        return {"version": self.version, "params": self.params.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Policy:
        if not isinstance(data, Mapping) or set(data) - {"version", "params"}:
            raise PolicyValidationError({"__all__": "expected an object with version and params"})
        params = data.get("params", {})
        if not isinstance(params, Mapping):
            raise PolicyValidationError({"params": "must be a JSON object"})
        return cls(version=str(data.get("version", "")), params=PolicyParameters.from_dict(params))


DEFAULT_POLICY = Policy(version="sop-2026.1", params=PolicyParameters())
