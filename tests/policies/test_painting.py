"""Painting quotations: markup, tax-invoice surcharge, price per day, material advance."""

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.parameters import DEFAULT_POLICY, Policy, PolicyParameters
from policies.sop import painting

P = DEFAULT_POLICY


def policy_with(**changes) -> Policy:
    return Policy(version="test-modified", params=replace(PolicyParameters(), **changes))


@pytest.mark.parametrize(
    "cost, tax_invoice, quote",
    [
        ("1000", False, "1100.00"),  # +10%
        ("1000", True, "1419.00"),  # +10%, then +29% on top: 1000 x 1.10 x 1.29
        ("0", True, "0.00"),
        ("0.05", False, "0.06"),  # 0.055 rounds half up
        # 333.33 x 1.419 = 472.99527 -> 473.00; rounding after each step would give 472.99.
        ("333.33", True, "473.00"),
    ],
)
def test_material_quote(cost, tax_invoice, quote):
    assert painting.material_quote(
        material_cost=Decimal(cost), tax_invoice=tax_invoice, policy=P
    ) == Decimal(quote)


def test_markup_and_surcharge_are_parameters():
    policy = policy_with(
        painting_material_markup_rate=Decimal("0.20"),
        painting_tax_invoice_surcharge_rate=Decimal("0.14"),
    )
    assert painting.material_quote(
        material_cost=Decimal("1000"), tax_invoice=True, policy=policy
    ) == Decimal("1368.00")


@pytest.mark.parametrize(
    "total, days, per_day",
    [("3000", 3, "1000.00"), ("1000", 3, "333.33"), ("2000", 3, "666.67"), ("999.99", 1, "999.99")],
)
def test_service_price_per_day(total, days, per_day):
    assert painting.service_price_per_day(
        total_service_cost=Decimal(total), days=days, policy=P
    ) == Decimal(per_day)


@pytest.mark.parametrize("days", [0, -1])
def test_price_per_day_needs_positive_days(days):
    with pytest.raises(ValueError):
        painting.service_price_per_day(total_service_cost=Decimal("1000"), days=days, policy=P)


def test_price_per_day_refuses_floats_and_non_integer_days():
    with pytest.raises(TypeError):
        painting.service_price_per_day(total_service_cost=1000.0, days=2, policy=P)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        painting.service_price_per_day(total_service_cost=Decimal("1000"), days=2.5, policy=P)  # type: ignore[arg-type]


def test_material_advance_splits_the_quote():
    assert painting.material_advance(quoted_material=Decimal("1419.00"), policy=P) == (
        Decimal("709.50"),
        Decimal("709.50"),
    )
    assert painting.material_advance(quoted_material=Decimal("0.05"), policy=P) == (
        Decimal("0.03"),
        Decimal("0.02"),
    )


@pytest.mark.parametrize("days, blocks", [(1, False), (4, True)])
def test_painting_quotation_decision(days, blocks):
    decision = painting.decide_painting_quotation(
        material_cost=Decimal("1000"),
        total_service_cost=Decimal("4000"),
        days=days,
        tax_invoice=True,
        policy=P,
    )
    recap = decision.action("call_customer")
    assert recap.param("material_quote") == Decimal("1419.00")
    assert recap.param("service_price_per_day") == Decimal("4000") / days
    assert decision.has_action("block_partner_slots") is blocks
    assert decision.action("schedule_followup").param("count") == 1
    assert "1419.00" in decision.reason


money = st.decimals(min_value=0, max_value=10**7, places=2)


@given(cost=money, tax_invoice=st.booleans())
def test_quote_is_the_once_rounded_exact_product(cost, tax_invoice):
    quote = painting.material_quote(material_cost=cost, tax_invoice=tax_invoice, policy=P)
    factor = Decimal("1.10") * (Decimal("1.29") if tax_invoice else 1)
    assert quote == (cost * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert quote >= cost
    assert quote.as_tuple().exponent == -2


@given(total=money, days=st.integers(min_value=1, max_value=60))
def test_price_per_day_times_days_is_within_rounding_of_total(total, days):
    per_day = painting.service_price_per_day(total_service_cost=total, days=days, policy=P)
    assert abs(per_day * days - total) <= Decimal("0.005") * days


@given(quote=money)
def test_advance_and_rest_add_up_to_the_quote(quote):
    advance, rest = painting.material_advance(quoted_material=quote, policy=P)
    assert advance + rest == quote
    assert abs(advance - rest) <= Decimal("0.01")
