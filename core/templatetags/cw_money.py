"""`{{ amount|money:currency }}` in console templates: "1,234.00 INR" (core.money_text)."""

from __future__ import annotations

from django import template

from core.money_text import money_text

register = template.Library()


@register.filter(name="money")
def money(amount, currency: str = "") -> str:
    """An amount with thousands grouped and its currency after a space; blank stays blank."""
    if amount is None or amount == "":
        return ""
    return money_text(amount, currency)
