"""Painting quotations (pending-customer-action.txt, painting orders): exact Decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal

from ..actions import ActionKind
from ..decision import Action, Decision, make_decision, require_money
from ..parameters import Policy

SOP = "Pending customer action SOP (painting orders)"


def material_quote(*, material_cost: Decimal, tax_invoice: bool, policy: Policy) -> Decimal:
    """Quoted material price: the regular price plus the markup and, when the customer asks
    for a tax invoice, the surcharge on top of the marked-up price ("will add 29 % on").

    The factors compound (1.10 x 1.29 = 1.419 with the defaults), and the product is rounded
    once, at the end, so the order of the two multiplications cannot change the result.
    """
    require_money(material_cost, "material_cost")
    params = policy.params
    amount = material_cost * (1 + params.painting_material_markup_rate)
    if tax_invoice:
        amount *= 1 + params.painting_tax_invoice_surcharge_rate
    return params.round_money(amount)


def service_price_per_day(*, total_service_cost: Decimal, days: int, policy: Policy) -> Decimal:
    """ "We will collect service price as total service cost / days of works", rounded."""
    require_money(total_service_cost, "total_service_cost")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError("days must be an integer")
    if days <= 0:
        raise ValueError(f"days of work must be positive, got {days}")
    return policy.params.round_money(total_service_cost / days)


def material_advance(*, quoted_material: Decimal, policy: Policy) -> tuple[Decimal, Decimal]:
    """(collected before the first day, collected with the rest of the material): the
    technician brings the advance share first; the rest is the exact remainder so the two
    always add up to the quote."""
    require_money(quoted_material, "quoted_material")
    advance = policy.params.round_money(
        quoted_material * policy.params.painting_material_advance_rate
    )
    return advance, quoted_material - advance


def decide_painting_quotation(
    *,
    material_cost: Decimal,
    total_service_cost: Decimal,
    days: int,
    tax_invoice: bool,
    policy: Policy,
) -> Decision:
    """The painting order call: recap the quotation (a material statement, not a tax invoice
    unless asked), block the technician's days when the job is longer than a day, and plan
    the follow-up(s) during the job."""
    params = policy.params
    quote = material_quote(material_cost=material_cost, tax_invoice=tax_invoice, policy=policy)
    per_day = service_price_per_day(total_service_cost=total_service_cost, days=days, policy=policy)
    advance, rest = material_advance(quoted_material=quote, policy=policy)
    surcharge = (
        f" + {params.painting_tax_invoice_surcharge_rate} tax invoice surcharge"
        if tax_invoice
        else ""
    )
    actions = [
        Action.of(
            ActionKind.CALL_CUSTOMER,
            purpose="recap_painting_quotation",
            material_quote=quote,
            material_advance=advance,
            material_rest=rest,
            service_price_per_day=per_day,
            days=days,
        )
    ]
    if days > 1:
        actions.append(Action.of(ActionKind.BLOCK_PARTNER_SLOTS, days=days))
    actions.append(
        Action.of(
            ActionKind.SCHEDULE_FOLLOWUP,
            count=params.painting_followups_during_order,
            during="painting_order",
        )
    )
    return make_decision(
        policy,
        sop=SOP,
        outcome="painting_quotation",
        reason=(
            f"material {material_cost} + {params.painting_material_markup_rate} markup{surcharge} "
            f"= {quote} ({advance} before the first day, {rest} with the rest); service "
            f"{total_service_cost} over {days} day(s) = {per_day} per day"
        ),
        actions=actions,
        inputs={
            "material_cost": material_cost,
            "total_service_cost": total_service_cost,
            "days": days,
            "tax_invoice": tax_invoice,
        },
    )
