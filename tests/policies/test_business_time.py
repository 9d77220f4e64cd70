"""Business-time arithmetic (policies.business_time): working hours on business days of a
region, in its own time zone; both regions, weekends, holidays, working-hour edges, 24/7."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from policies.business_time import WorkingCalendar, clock_elapsed, clock_end
from policies.calendar import BusinessCalendar, calendar_for

CAIRO = ZoneInfo("Africa/Cairo")
KOLKATA = ZoneInfo("Asia/Kolkata")
EGYPT = WorkingCalendar(zone=CAIRO, days=calendar_for("EG", [2026, 2027]))
INDIA = WorkingCalendar(zone=KOLKATA, days=calendar_for("IN", [2026, 2027]))
HOUR = 3600.0


def cairo(*args) -> datetime:
    return datetime(*args, tzinfo=CAIRO)


def kolkata(*args) -> datetime:
    return datetime(*args, tzinfo=KOLKATA)


@pytest.mark.parametrize(
    "start, hours, due",
    [
        # Inside one working day.
        (kolkata(2026, 3, 10, 9, 0), 8, kolkata(2026, 3, 10, 17, 0)),
        # Ends exactly at closing: due at closing, not at the next opening.
        (kolkata(2026, 3, 10, 10, 0), 8, kolkata(2026, 3, 10, 18, 0)),
        # One minute more spills into the next business day.
        (kolkata(2026, 3, 10, 10, 0), 8 + 1 / 60, kolkata(2026, 3, 11, 9, 1)),
        # Started before opening: counts from 09:00.
        (kolkata(2026, 3, 10, 6, 30), 2, kolkata(2026, 3, 10, 11, 0)),
        # Started after closing: counts from the next opening.
        (kolkata(2026, 3, 10, 21, 0), 2, kolkata(2026, 3, 11, 11, 0)),
        # India's weekend is Sunday: Saturday 17:00 + 2 h is Monday 10:00.
        (kolkata(2026, 3, 14, 17, 0), 2, kolkata(2026, 3, 16, 10, 0)),
        # Opened on Sunday (not a working day): due from Monday's opening.
        (kolkata(2026, 3, 15, 12, 0), 1, kolkata(2026, 3, 16, 10, 0)),
        # Ram Navami, Thursday 26 March 2026, is a public holiday in India.
        (kolkata(2026, 3, 25, 17, 0), 2, kolkata(2026, 3, 27, 10, 0)),
    ],
)
def test_india_working_hours(start, hours, due):
    assert INDIA.add(start, hours * HOUR) == due
    assert INDIA.between(start, due) == pytest.approx(hours * HOUR)


@pytest.mark.parametrize(
    "start, hours, due",
    [
        # Egypt's weekend is Friday and Saturday: Thursday 17:00 + 2 h is Sunday 10:00.
        (cairo(2026, 3, 12, 17, 0), 2, cairo(2026, 3, 15, 10, 0)),
        # A holiday on a Thursday (Revolution Day, 23 July 2026) joins the weekend:
        # Wednesday 17:00 + 2 h is Sunday 10:00.
        (cairo(2026, 7, 22, 17, 0), 2, cairo(2026, 7, 26, 10, 0)),
        # Opened on Friday: nothing counts until Sunday 09:00.
        (cairo(2026, 3, 13, 11, 0), 8, cairo(2026, 3, 15, 17, 0)),
        # Sunday is a working day in Egypt.
        (cairo(2026, 3, 15, 9, 0), 1, cairo(2026, 3, 15, 10, 0)),
    ],
)
def test_egypt_working_hours(start, hours, due):
    assert EGYPT.add(start, hours * HOUR) == due


def test_the_region_zone_is_used_not_the_servers():
    # 03:00 UTC is 08:30 in Kolkata (before opening) and 05:00 in Cairo (before opening):
    # each counts from its own 09:00.
    start = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    assert INDIA.add(start, HOUR) == kolkata(2026, 3, 10, 10, 0)
    assert EGYPT.add(start, HOUR) == cairo(2026, 3, 10, 10, 0)
    assert INDIA.add(start, HOUR).astimezone(UTC) == datetime(2026, 3, 10, 4, 30, tzinfo=UTC)


def test_next_business_day_and_business_days():
    assert EGYPT.next_business_day(date(2026, 7, 22)) == date(2026, 7, 26)
    assert INDIA.next_business_day(date(2026, 3, 14)) == date(2026, 3, 16)
    assert EGYPT.add_business_days(date(2026, 3, 11), 2) == date(2026, 3, 15)


def test_is_open_at_the_edges():
    assert INDIA.is_open(kolkata(2026, 3, 10, 9, 0))
    assert INDIA.is_open(kolkata(2026, 3, 10, 17, 59, 59))
    assert not INDIA.is_open(kolkata(2026, 3, 10, 18, 0))
    assert not INDIA.is_open(kolkata(2026, 3, 15, 12, 0))  # Sunday
    assert INDIA.next_open(kolkata(2026, 3, 10, 18, 0)) == kolkata(2026, 3, 11, 9, 0)


def test_between_skips_nights_weekends_and_holidays():
    # Thursday 12:00 to Sunday 12:00 in Egypt: 6 h Thursday + 3 h Sunday.
    assert EGYPT.between(cairo(2026, 3, 12, 12, 0), cairo(2026, 3, 15, 12, 0)) == 9 * HOUR
    assert EGYPT.between(cairo(2026, 3, 15, 12, 0), cairo(2026, 3, 12, 12, 0)) == 0


ALWAYS = WorkingCalendar(
    zone=CAIRO, days=BusinessCalendar(weekend_days=frozenset()), always_open=True
)


def test_a_24_7_calendar_has_no_gap_at_midnight():
    start = cairo(2026, 3, 12, 23, 30)
    assert ALWAYS.add(start, HOUR) == cairo(2026, 3, 13, 0, 30)
    assert ALWAYS.between(start, cairo(2026, 3, 13, 0, 30)) == HOUR


def test_24_7_over_a_daylight_saving_change_counts_real_seconds():
    # Egypt moves its clocks forward on the last Friday of April (24 April 2026).
    start = cairo(2026, 4, 23, 12, 0)
    due = ALWAYS.add(start, 24 * HOUR)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=24)
    assert ALWAYS.between(start, due) == 24 * HOUR


def test_a_24_7_calendar_with_holidays_still_skips_them():
    calendar = WorkingCalendar(
        zone=CAIRO,
        days=BusinessCalendar(weekend_days=frozenset(), holidays=frozenset({date(2026, 3, 13)})),
        always_open=True,
    )
    assert calendar.add(cairo(2026, 3, 12, 23, 0), 2 * HOUR) == cairo(2026, 3, 14, 1, 0)


def test_wall_clocks_ignore_the_calendar():
    start = cairo(2026, 3, 12, 17, 0)  # Thursday evening
    assert clock_end(EGYPT, start, 2 * HOUR, business=False) == start + timedelta(hours=2)
    assert clock_end(EGYPT, start, 2 * HOUR, business=True) == cairo(2026, 3, 15, 10, 0)
    end = cairo(2026, 3, 15, 10, 0)
    assert clock_elapsed(EGYPT, start, end, business=False) == 65 * HOUR
    assert clock_elapsed(EGYPT, start, end, business=True) == 2 * HOUR


def test_bad_calendars_and_moments_are_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(zone=CAIRO, days=EGYPT.days, opens=time(18), closes=time(9))
    with pytest.raises(ValueError):
        EGYPT.add(datetime(2026, 3, 12, 9, 0), HOUR)  # naive
    with pytest.raises(ValueError):
        EGYPT.add(cairo(2026, 3, 12, 9, 0), -1)
