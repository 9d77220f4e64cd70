"""Penalty arithmetic and the rounding rule, at the edges (no database)."""

from decimal import Decimal

import pytest

from payouts.money import penalty_amount, round_money

D = Decimal


@pytest.mark.parametrize(
    "base, rate, expected",
    [
        (D("0.01"), D("0.60"), D("0.01")),  # 0.006 rounds up to one paisa
        (D("0.00"), D("0.60"), D("0.00")),
        (D("999.99"), D("0.60"), D("599.99")),  # 599.994
        (D("833.33"), D("0.60"), D("500.00")),  # 499.998
        (D("1000.005"), D("0.60"), D("600.00")),  # 600.003
        (D("10.01"), D("0.50"), D("5.01")),  # 5.005: half up, not half even (5.00)
        (D("0.75"), D("0.60"), D("0.45")),  # exact
        (D("799.00"), D("0.60"), D("479.40")),
        (D("1.00"), D("1"), D("1.00")),
        (D("1.00"), D("0"), D("0.00")),
        (D("999999999999.99"), D("0.60"), D("599999999999.99")),  # 599999999999.994
    ],
)
@pytest.mark.parametrize("currency", ["INR", "EGP"])
def test_penalty_is_rate_times_base_rounded_half_up_to_the_minor_unit(
    base, rate, expected, currency
):
    assert penalty_amount(base_amount=base, rate=rate, currency=currency) == expected
    assert penalty_amount(base_amount=base, rate=rate, currency=currency).as_tuple().exponent == -2


def test_rounding_is_half_up_away_from_zero_for_debits():
    assert round_money(D("-0.005"), "INR") == D("-0.01")
    assert round_money(D("-0.0049"), "INR") == D("0.00")


def test_float_money_is_refused():
    with pytest.raises(TypeError):
        penalty_amount(base_amount=799.0, rate=D("0.6"), currency="INR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        round_money(0.1, "INR")  # type: ignore[arg-type]


@pytest.mark.parametrize("rate", [D("-0.01"), D("1.01")])
def test_rate_outside_0_1_is_refused(rate):
    with pytest.raises(ValueError):
        penalty_amount(base_amount=D("100"), rate=rate, currency="INR")


def test_unknown_currency_is_refused():
    with pytest.raises(ValueError):
        round_money(D("1"), "USD")
