"""BusinessCalendar: weekends and public holidays in India and Egypt."""

from datetime import date

import pytest

from policies.calendar import BusinessCalendar, calendar_for

INDIA = calendar_for("IN", range(2026, 2028))
EGYPT = calendar_for("EG", range(2026, 2028))
CALENDARS = {"IN": INDIA, "EG": EGYPT}

# 2026-01-26 Republic Day (IN), 2026-01-07 Coptic Christmas (EG): fixed-date holidays.


@pytest.mark.parametrize(
    "country, day, expected",
    [
        ("IN", date(2026, 2, 1), False),  # Sunday
        ("IN", date(2026, 1, 31), True),  # Saturday works in India
        ("IN", date(2026, 2, 2), True),  # Monday
        ("IN", date(2026, 1, 26), False),  # Republic Day, a Monday
        ("EG", date(2026, 1, 16), False),  # Friday
        ("EG", date(2026, 1, 17), False),  # Saturday
        ("EG", date(2026, 1, 18), True),  # Sunday works in Egypt
        ("EG", date(2026, 1, 7), False),  # Coptic Christmas, a Wednesday
    ],
)
def test_is_business_day(country, day, expected):
    assert CALENDARS[country].is_business_day(day) is expected


@pytest.mark.parametrize(
    "country, start, count, expected",
    [
        ("IN", date(2026, 2, 10), 1, date(2026, 2, 11)),  # Tue -> Wed
        ("IN", date(2026, 2, 7), 1, date(2026, 2, 9)),  # Sat -> Mon, Sunday skipped
        ("IN", date(2026, 1, 24), 1, date(2026, 1, 27)),  # Sat -> Tue: Sunday + Republic Day
        ("IN", date(2026, 1, 23), 2, date(2026, 1, 27)),  # Fri + 2 -> Sat, Tue
        ("EG", date(2026, 1, 15), 1, date(2026, 1, 18)),  # Thu -> Sun, Fri + Sat skipped
        ("EG", date(2026, 1, 6), 1, date(2026, 1, 8)),  # Tue -> Thu, Coptic Christmas skipped
        ("EG", date(2026, 1, 14), 2, date(2026, 1, 18)),  # Wed + 2 -> Thu, Sun
        ("EG", date(2026, 1, 18), -1, date(2026, 1, 15)),  # backwards over the weekend
        ("EG", date(2026, 1, 16), 0, date(2026, 1, 16)),  # zero: unchanged even on a Friday
    ],
)
def test_add_business_days(country, start, count, expected):
    assert CALENDARS[country].add_business_days(start, count) == expected


def test_next_business_day_is_strictly_after():
    assert EGYPT.next_business_day(date(2026, 1, 18)) == date(2026, 1, 19)
    assert INDIA.next_business_day(date(2026, 1, 25)) == date(2026, 1, 27)


def test_business_days_between():
    assert EGYPT.business_days_between(date(2026, 1, 15), date(2026, 1, 18)) == 1
    assert EGYPT.business_days_between(date(2026, 1, 18), date(2026, 1, 15)) == -1
    assert INDIA.business_days_between(date(2026, 1, 24), date(2026, 1, 27)) == 1


def test_country_weekends():
    assert INDIA.weekend_days == frozenset({6})
    assert EGYPT.weekend_days == frozenset({4, 5})


def test_weekend_can_be_overridden_and_unknown_countries_need_one():
    custom = calendar_for("EG", [2026], weekend_days=[4])
    assert custom.is_business_day(date(2026, 1, 17))  # Saturday
    with pytest.raises(ValueError):
        calendar_for("FR", [2026])
    assert calendar_for("FR", [2026], weekend_days={5, 6}).is_business_day(date(2026, 1, 2))


@pytest.mark.parametrize("weekend", [{7}, {-1}, set(range(7))])
def test_invalid_weekends_are_refused(weekend):
    with pytest.raises(ValueError):
        BusinessCalendar(weekend_days=frozenset(weekend))


def test_plain_calendar_without_holidays():
    calendar = BusinessCalendar(weekend_days=frozenset({5, 6}))
    assert calendar.add_business_days(date(2026, 1, 2), 1) == date(2026, 1, 5)
