"""Money as people read it: "1,234.00 INR", thousands grouped, two decimals, the currency after
a space. One function for console pages, their tables and messages."""

from __future__ import annotations

from decimal import Decimal


def money_text(amount: Decimal | int | None, currency: str = "") -> str:
    """1234.5, "INR" -> "1,234.50 INR"; None reads as 0.00 (an empty sum is nothing owed)."""
    value = Decimal(amount if amount is not None else 0)
    text = f"{value:,.2f}"
    return f"{text} {currency}" if currency else text
