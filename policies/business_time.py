"""Business-time arithmetic: working hours on business days of a region, in its time zone.

"8 working hours after assignment", "next business day", "2 business days": pure functions over
a WorkingCalendar (weekend days, public holidays and closures, opening hours, or open around
the clock). No database and no clock: the caller passes every moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .calendar import BusinessCalendar

_DAY = timedelta(days=1)


def _span(begin: datetime, end: datetime) -> float:
    """Real seconds between two aware moments (Python subtracts same-zone datetimes as wall
    times, which is an hour off on a daylight-saving day)."""
    return (end.astimezone(UTC) - begin.astimezone(UTC)).total_seconds()


# A calendar with no open time for this long is a configuration error, not a long wait.
_MAX_DAYS = 3660


@dataclass(frozen=True)
class WorkingCalendar:
    """When a region works: business days (weekend and holidays off) between `opens` and
    `closes` local time, or around the clock when `always_open` (no gap at midnight)."""

    zone: ZoneInfo
    days: BusinessCalendar
    opens: time = time(9)
    closes: time = time(18)
    always_open: bool = False
    version: str = ""

    def __post_init__(self) -> None:
        if not self.always_open and self.closes <= self.opens:
            raise ValueError("a working day must close after it opens")

    # --- the working day --------------------------------------------------------------------

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """The open time of a local day, or None when it is not a business day."""
        if not self.days.is_business_day(day):
            return None
        if self.always_open:
            start = datetime.combine(day, time.min, tzinfo=self.zone)
            return start, datetime.combine(day + _DAY, time.min, tzinfo=self.zone)
        return (
            datetime.combine(day, self.opens, tzinfo=self.zone),
            datetime.combine(day, self.closes, tzinfo=self.zone),
        )

    def local(self, moment: datetime) -> datetime:
        """The moment in the region's time zone."""
        if moment.tzinfo is None:
            raise ValueError("business time needs aware datetimes")
        return moment.astimezone(self.zone)

    def is_open(self, moment: datetime) -> bool:
        """Whether the moment falls in working time."""
        local = self.local(moment)
        window = self._window(local.date())
        return window is not None and window[0] <= local < window[1]

    def next_open(self, moment: datetime) -> datetime:
        """The moment itself when open, else the next opening."""
        return self.add(moment, 0)

    # --- arithmetic -------------------------------------------------------------------------

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of working time after `start` (a start outside working time
        counts from the next opening)."""
        if seconds < 0:
            raise ValueError("business time only moves forward")
        if self.always_open and not self.days.holidays and not self.days.weekend_days:
            # In UTC: a same-zone addition is wall time, an hour off across a clock change.
            self.local(start)  # refuses a naive moment
            return (start.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(self.zone)
        moment = self.local(start)
        day = moment.date()
        remaining = float(seconds)
        for _ in range(_MAX_DAYS):
            window = self._window(day)
            if window is not None:
                begin = max(moment, window[0])
                if begin < window[1]:
                    available = _span(begin, window[1])
                    if remaining <= available:
                        at = begin.astimezone(UTC) + timedelta(seconds=remaining)
                        return at.astimezone(self.zone)
                    remaining -= available
            day += _DAY
            moment = datetime.combine(day, time.min, tzinfo=self.zone)
        raise ValueError("no working time in ten years: check the calendar")

    def between(self, start: datetime, end: datetime) -> float:
        """Seconds of working time in [start, end) (0 when end is not after start)."""
        if end <= start:
            return 0.0
        if self.always_open and not self.days.holidays and not self.days.weekend_days:
            return _span(start, end)
        first, last = self.local(start), self.local(end)
        total = 0.0
        day = first.date()
        while day <= last.date():
            window = self._window(day)
            if window is not None:
                begin, finish = max(first, window[0]), min(last, window[1])
                if finish > begin:
                    total += _span(begin, finish)
            day += _DAY
        return total

    def add_business_days(self, day: date, count: int) -> date:
        """`count` business days after `day` (the day itself never counts)."""
        return self.days.add_business_days(day, count)

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        return self.days.next_business_day(day)


def clock_end(
    calendar: WorkingCalendar, start: datetime, seconds: float, *, business: bool
) -> datetime:
    """When a clock of `seconds` started at `start` runs out: in working time for a clock
    that counts business time, in wall time otherwise (the policy says which)."""
    if business:
        return calendar.add(start, seconds)
    return (start.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(start.tzinfo)


def clock_elapsed(
    calendar: WorkingCalendar, start: datetime, end: datetime, *, business: bool
) -> float:
    """How much of a clock ran between two moments (business or wall seconds)."""
    if business:
        return calendar.between(start, end)
    return max(_span(start, end), 0.0)
