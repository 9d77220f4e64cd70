"""core.csv: cells as text, and text a spreadsheet would run as a formula defused."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.csv import csv_cell


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'],
)
def test_text_a_spreadsheet_would_run_is_quoted(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["+919812345678", "plain", "a=b", "", "'=already"])
def test_other_text_and_phone_numbers_stay_as_they_are(text):
    assert csv_cell(text) == text


@pytest.mark.parametrize(
    "value, cell",
    [
        (Decimal("-50.00"), "-50.00"),
        (-3, "-3"),
        (-1.5, "-1.5"),
        (True, "yes"),
        (False, "no"),
        (None, ""),
        (date(2026, 12, 1), "2026-12-01"),
    ],
)
def test_numbers_dates_and_yes_no_are_values_not_formulas(value, cell):
    assert csv_cell(value) == cell


def test_a_moment_is_iso_in_the_current_time_zone():
    with timezone.override("Asia/Kolkata"):
        assert csv_cell(datetime(2026, 12, 1, 6, 30, tzinfo=UTC)) == "2026-12-01T12:00:00+05:30"
