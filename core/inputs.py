"""What people send, read strictly: ids, days, moments and plain decimals (money first of all).

One parser per shape, shared by the API (serializer fields, filters, pagination), the console
forms and the services that take raw input, so the same text is accepted or refused the same
way everywhere. A parser returns the value or raises `BadInput`, whose message says what to
send; the callers turn it into a 400 on their field. The rules (docs/architecture.md, "Input
shapes"): only the ASCII digits 0-9 (Python's `isdigit()` and `int()` also take '²' or '٣'),
ids within PostgreSQL's bigint, real calendar days within years 1900-2999, and decimals
written out plainly (no exponent, sign, separators or NaN) within the column's digits.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

MAX_ID = 2**63 - 1  # PostgreSQL bigint, the type of every primary key
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)
# Real-world UTC offsets lie between -12:00 and +14:00; PostgreSQL refuses beyond ±15:59.
MIN_OFFSET, MAX_OFFSET = timedelta(hours=-12), timedelta(hours=14)
MAX_TEXT = 40  # no id, day, moment or amount is longer: a megabyte of digits is refused unread

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?)?"
    r"(?:Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?",
    re.ASCII,
)
_PLAIN_DECIMAL = re.compile(r"(?P<sign>-?)(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?", re.ASCII)

ID_HINT = "Give an id: the digits 0-9."
DAY_HINT = "Give a date, YYYY-MM-DD."
MOMENT_HINT = "Give a date and time, ISO 8601 (2026-03-01T14:30:00+05:30)."


class BadInput(ValueError):
    """A value of the wrong shape; the message says what to send instead."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise BadInput(f"At most {MAX_TEXT} characters.")
    return text


# --- ids ---------------------------------------------------------------------------------------


def parse_id(value: Any, hint: str = ID_HINT) -> int:
    """A row id: a JSON whole number or a string of ASCII digits, 0 to the bigint maximum."""
    if isinstance(value, bool):
        raise BadInput(hint)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = _text(value)
        if not _DIGITS.fullmatch(text):
            raise BadInput(hint)
        number = int(text)
    else:
        raise BadInput(hint)
    if not 0 <= number <= MAX_ID:
        raise BadInput(f"No id is that large (at most {MAX_ID}).")
    return number


def id_or_none(value: Any) -> int | None:
    """A row id when the value is one (as `parse_id` reads it), None for anything else: for
    links and filters where a wrong value means "no such filter", not an error."""
    try:
        return parse_id(value)
    except (BadInput, TypeError):
        return None


def looks_like_a_number(text: str) -> bool:
    """Digits of any script ('12', '²', '٣', '½'): meant as an id, not as a name."""
    return bool(text) and text.isnumeric()


def id_if_numeric(value: Any, hint: str = ID_HINT) -> int | None:
    """For a field taking an id or a business key (a name, an external id), once the key has
    matched nothing: the id the value gives, None when the value is a name, and `BadInput`
    when it is written as a number but is not an id ('²', '٣', 30 digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_id(value, hint)
    text = value.strip() if isinstance(value, str) else ""
    if not looks_like_a_number(text):
        return None
    return parse_id(text, hint)


# --- days and moments --------------------------------------------------------------------------


def _in_range(day: date) -> None:
    if day > LATEST_DAY:
        raise BadInput(
            f"That is too far in the future: give a date between {EARLIEST_DAY} and {LATEST_DAY}."
        )
    if day < EARLIEST_DAY:
        raise BadInput(f"Give a date between {EARLIEST_DAY} and {LATEST_DAY}.")


def parse_day(value: Any) -> date:
    """A calendar day, YYYY-MM-DD, that exists (no 2026-02-30), within years 1900-2999."""
    if isinstance(value, datetime):
        raise BadInput("Give a date (YYYY-MM-DD), not a date and time.")
    if isinstance(value, date):
        day = value
    else:
        try:
            text = _text(value)
        except TypeError:
            raise BadInput(DAY_HINT) from None
        if not _DAY.fullmatch(text):
            raise BadInput(DAY_HINT)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadInput(f"There is no such day as {text}.") from None
    _in_range(day)
    return day


def parse_moment(value: Any) -> datetime:
    """A moment, ISO 8601, aware (a time without an offset is in the current time zone), with
    an offset a clock can have, on a day that exists within years 1900-2999."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            text = _text(value)
        except TypeError:
            raise BadInput(MOMENT_HINT) from None
        if not _MOMENT.fullmatch(text):
            raise BadInput(MOMENT_HINT)
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise BadInput(f"There is no such moment as {text}.")
    offset = moment.utcoffset()
    if offset is not None and not MIN_OFFSET <= offset <= MAX_OFFSET:
        raise BadInput("The UTC offset must lie between -12:00 and +14:00.")
    _in_range(moment.date())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    _in_range(moment.astimezone(UTC).date())  # in range in both: no overflow on conversion
    return moment


def moment_or_none(value: Any) -> datetime | None:
    """The moment a stored or typed text gives, or None (for reading, never for refusing)."""
    try:
        return parse_moment(value)
    except (BadInput, OverflowError):
        return None


# --- plain decimals (money) --------------------------------------------------------------------


def decimal_hint(decimal_places: int, negative: bool = False) -> str:
    """What a plain decimal looks like, for error messages and the schema."""
    example = "1499.50" if decimal_places else "1499"
    if decimal_places == 0:
        digits = "in the digits 0-9, whole"
    else:
        digits = f"in the digits 0-9 with at most {decimal_places} after the point"
    if negative:
        return f"Write it {digits} (e.g. {example} or -{example}): no exponent or separators."
    return f"Write it {digits} (e.g. {example}): no exponent, sign or separators."


def parse_plain_decimal(
    value: Any,
    *,
    max_digits: int | None = None,
    decimal_places: int | None = 2,
    negative: bool = False,
) -> Decimal:
    """A decimal written out plainly: the ASCII digits, an optional point with at most
    `decimal_places` digits after it, a leading '-' only when `negative` is allowed; no
    exponent (1e3), no separators (1,000.00), no NaN or Infinity, no other scripts' digits
    (٥.٠٠), and at most `max_digits` digits in all (leading zeros not counted).

    A string, a whole number, or a JSON number read with its text (`core.api.parsers`);
    a `Decimal` (from a trusted caller or a form) is held to the same digits."""
    places = 0 if decimal_places is None else decimal_places
    hint = decimal_hint(places, negative)
    if isinstance(value, bool):
        raise BadInput(hint)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise BadInput(hint)
        text = format(value, "f")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # A JSON number keeps the text it was written with; another float has no exact text.
        text = getattr(value, "json_text", None) or repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise BadInput(hint)
    if len(text) > MAX_TEXT:
        raise BadInput(f"At most {MAX_TEXT} characters.")
    match = _PLAIN_DECIMAL.fullmatch(text)
    if match is None:
        raise BadInput(hint)
    if match["sign"] and not negative:
        raise BadInput("Must not be negative.")
    whole, fraction = match["whole"].lstrip("0"), match["fraction"] or ""
    text = f"{match['sign']}{match['whole']}" + (f".{fraction}" if fraction else "")
    if decimal_places is not None and len(fraction) > decimal_places:
        if not (isinstance(value, Decimal) and not fraction[decimal_places:].strip("0")):
            raise BadInput(f"At most {decimal_places} digits after the decimal point.")
        # A Decimal computed elsewhere (12.500000) holds only zeros past the places.
        text = f"{match['sign']}{match['whole']}.{fraction[:decimal_places]}".rstrip(".")
    if max_digits is not None:
        most = max_digits - places
        if len(whole) > most:
            raise BadInput(f"At most {most} digits before the decimal point.")
    return Decimal(text)
