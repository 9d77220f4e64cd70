"""Business calendars: which days count as working days in a case's country."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

# Weekly rest days by ISO country code (Monday = 0 ... Sunday = 6).
COUNTRY_WEEKENDS: dict[str, frozenset[int]] = {
    "IN": frozenset({6}),  # India: Sunday
    "EG": frozenset({4, 5}),  # Egypt: Friday and Saturday
}

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekend days plus public holidays; everything else is a business day."""

    weekend_days: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        weekend = frozenset(self.weekend_days)
        if not weekend <= frozenset(range(7)):
            raise ValueError("weekend days are weekday numbers 0 (Monday) to 6 (Sunday)")
        if len(weekend) == 7:
            raise ValueError("a calendar needs at least one working weekday")
        object.__setattr__(self, "weekend_days", weekend)
        object.__setattr__(self, "holidays", frozenset(self.holidays))

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend_days and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        return self.add_business_days(day, 1)

    def add_business_days(self, day: date, count: int) -> date:
        """Move `count` business days from `day` (backwards when negative).

        `day` itself never counts, so a Thursday confirmation in Egypt plus one business day
        is Sunday. With count 0 the day is returned unchanged, business day or not.
        """
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        remaining = abs(count)
        current = day
        while remaining:
            current += step
            if self.is_business_day(current):
                remaining -= 1
        return current

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += _ONE_DAY
            if self.is_business_day(current):
                count += 1
        return count


def calendar_for(
    country_code: str,
    years: Iterable[int],
    weekend_days: Iterable[int] | None = None,
    *,
    subdivision: str | None = None,
) -> BusinessCalendar:
    """A calendar with the `holidays` library's public holidays for a country ("IN", "EG").

    The weekend defaults to the country's (COUNTRY_WEEKENDS); pass `weekend_days` to override.
    """
    code = country_code.upper()
    if weekend_days is None:
        if code not in COUNTRY_WEEKENDS:
            raise ValueError(f"no default weekend for {country_code!r}; pass weekend_days")
        weekend = COUNTRY_WEEKENDS[code]
    else:
        weekend = frozenset(weekend_days)
    public = holidays.country_holidays(code, subdiv=subdivision, years=list(years))
    return BusinessCalendar(weekend_days=weekend, holidays=frozenset(public.keys()))
