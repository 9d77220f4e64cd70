"""What a flow asks the agent: one InputSpec per keyword parameter of its decision function,
derived from the type hints (bool, Decimal, date, datetime, int, str with choices, lists of str),
and the coercion of JSON or form data into those types (400 with field errors when bad)."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.inputs import BadInput, parse_day, parse_moment, parse_plain_decimal

MAX_WHOLE_DIGITS = 15  # the largest amount any SOP input may name, in digits


class _Missing:
    """The records cannot answer a parameter: ask the agent instead."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


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


class FieldError(Exception):
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
            raise FieldError("This field may not be empty.")
        handler = getattr(self, f"_coerce_{self.type}")
        return handler(raw)

    def _coerce_bool(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise FieldError("Must be true or false.")

    def _coerce_decimal(self, raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, Decimal | int | float | str):
            raise FieldError("Must be a decimal number.")
        try:
            # Written out plainly (no 1e30, no ٥.٠٠), at most 15 digits before the point: a
            # JSON 499.99 (a float) reads as the text it was written with.
            number = parse_plain_decimal(
                raw,
                max_digits=MAX_WHOLE_DIGITS,
                decimal_places=None,
                negative=self.minimum is None or self.minimum < 0,
            )
        except BadInput as exc:
            raise FieldError(exc.message) from None
        if self.minimum is not None and number < self.minimum:
            raise FieldError(f"Must be at least {self.minimum}.")
        if self.maximum is not None and number > self.maximum:
            raise FieldError(f"Must be at most {self.maximum}.")
        return float(number) if self.floating else number

    def _coerce_int(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise FieldError("Must be a whole number.")
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int):
            raise FieldError("Must be a whole number.")
        if raw < 0:
            raise FieldError("Must not be negative.")
        return raw

    def _coerce_date(self, raw: Any) -> date:
        if isinstance(raw, datetime):
            raise FieldError("Give a date (YYYY-MM-DD), not a date and time.")
        if isinstance(raw, date):
            return raw
        try:
            return parse_day(raw)  # a day that exists (no 2026-02-30), years 1900-2999
        except BadInput as exc:
            raise FieldError(exc.message) from None

    def _coerce_datetime(self, raw: Any) -> datetime:
        try:
            return parse_moment(raw)  # aware, a real offset, years 1900-2999
        except (BadInput, OverflowError) as exc:
            raise FieldError(getattr(exc, "message", "Give a date and time, ISO 8601.")) from None

    def _coerce_choice(self, raw: Any) -> str:
        if not isinstance(raw, str) or raw not in self.choices:
            raise FieldError(f"Must be one of: {', '.join(self.choices)}.")
        return raw

    def _coerce_str(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise FieldError("Must be text.")
        if len(raw) > MAX_TEXT:
            raise FieldError(f"At most {MAX_TEXT} characters.")
        return raw.strip()

    def _coerce_list(self, raw: Any) -> tuple[str, ...]:
        if isinstance(raw, str):
            raw = [part for line in raw.splitlines() for part in line.split(",")]
        if not isinstance(raw, list | tuple) or not all(isinstance(i, str) for i in raw):
            raise FieldError("Must be a list of texts.")
        return tuple(item.strip() for item in raw if item.strip())


def input_from_hint(
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
