"""The one rounding rule for partner money, and the revisit penalty arithmetic built on it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from partners.models import Currency

# Minor unit per currency: INR has paise, EGP piastres, both 1/100 of the major unit.
MINOR_UNIT: dict[str, Decimal] = {
    Currency.INR: Decimal("0.01"),
    Currency.EGP: Decimal("0.01"),
}

# Money columns are numeric(14, 2): up to 999,999,999,999.99 in the major unit.
MAX_DIGITS = 14
DECIMAL_PLACES = 2


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round an amount to the currency's minor unit, half up (…5 goes away from zero).

    The rule for every computed amount in payouts (penalties first of all): compute with the
    exact Decimal product, round once at the end, never round intermediate values. Half-up is
    what a partner reading a printed statement expects (0.005 → 0.01, -0.005 → -0.01); it is
    the same rule as the house policy's default `money_rounding`.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
    try:
        exponent = MINOR_UNIT[currency]
    except KeyError:
        raise ValueError(f"unknown currency {currency!r}") from None
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def penalty_amount(*, base_amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Revisit penalty (revisit SOP scenario 4): rate x original invoice, rounded once."""
    if not isinstance(base_amount, Decimal) or not isinstance(rate, Decimal):
        raise TypeError("penalty base and rate must be Decimal")
    if base_amount < 0:
        raise ValueError("the original invoice cannot be negative")
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError("the penalty rate must lie between 0 and 1")
    return round_money(base_amount * rate, currency)
