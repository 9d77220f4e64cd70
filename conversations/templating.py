"""Reply templates filled from the case: a closed vocabulary of placeholders ("{case_id}",
"{customer_name}", "{refund_amount}", "{policy.ob_form_tat_hours}"...), each read from the
case, its booking, partner, latest decision, refund or penalty and the policy in force,
dates in the region's time zone. Filling is one pass: a value is inserted as text and
never read for placeholders again. A template naming an unknown placeholder is refused when
it is saved, with the names it may use."""

from __future__ import annotations

import re
from dataclasses import fields
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from cases.models import Case, CaseEvent, EventType
from cases.services.transitions import transition_names
from core.roles import User
from core.times import when
from payouts.models import Penalty, Refund
from policies.parameters import PRIORITIES, PolicyParameters
from policies.selectors import policy_in_force

PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)?)\}")

FIXED: dict[str, str] = {
    "case_id": "The case's number",
    "case_subject": "The case's subject",
    "customer_name": "The customer's name",
    "partner_name": "The partner's name",
    "booking_id": "The booking's id",
    "booking_time": "When the booking starts, in the region's time",
    "service_date": "The booking's service date",
    "agent_name": "The agent sending the message",
    "support_email": "The support address",
    "today": "Today's date in the region",
    "policy_version": "The policy version in force",
    "decision_outcome": "The latest SOP decision's outcome, in words",
    "refund_amount": "The case's latest refund, with its currency",
    "refund_tat_days": "The refund TAT in days for the booking's payment mode",
    "penalty_amount": "The latest penalty on the booking, with its currency",
    "cancellation_code": "The cancellation reason the SOP step names",
}


def policy_placeholders() -> set[str]:
    return {
        f"policy.{f.name}"
        for f in fields(PolicyParameters)
        if f.type in ("int", "str", "Decimal", "bool")
    }


def known_placeholders() -> set[str]:
    return set(FIXED) | policy_placeholders()


def placeholders_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text or "")


def template_errors(template: Any) -> dict[str, str]:
    """What is wrong with a template before it is saved: unknown placeholders, a transition
    or priority that does not exist."""
    errors: dict[str, str] = {}
    known = known_placeholders()
    for field in ("subject", "body"):
        unknown = sorted(set(placeholders_in(getattr(template, field))) - known)
        if unknown:
            errors[field] = (
                f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: "
                f"{', '.join('{' + u + '}' for u in unknown)}. Known: "
                f"{', '.join('{' + k + '}' for k in sorted(FIXED))}, and {{policy.<name>}}."
            )
    if template.then_transition and template.then_transition not in transition_names():
        errors["then_transition"] = (
            f"No transition {template.then_transition!r}; known: {', '.join(transition_names())}."
        )
    if template.then_transition == "resolve" and not template.then_tag:
        errors["then_tag"] = "A template that resolves the case names the tag to resolve with."
    if template.then_priority and template.then_priority not in PRIORITIES:
        errors["then_priority"] = f"Choose one of {', '.join(PRIORITIES)}."
    return errors


def _money(amount: Decimal | None, currency: str) -> str:
    return f"{currency} {amount:,.2f}" if amount is not None else ""


def facts(case: Case, *, actor: User | None, task_params: dict | None = None) -> dict[str, str]:
    """Every placeholder's value for this case (a few queries, whatever the template)."""
    case = Case.objects.select_related("customer", "partner", "booking", "city__region").get(
        pk=case.pk
    )
    zone = case.city.region.timezone if case.city_id else None
    booking = case.booking
    policy = policy_in_force()
    decision = (
        CaseEvent.objects.filter(case=case, type=EventType.DECISION)
        .order_by("-at", "-id")
        .values_list("payload", flat=True)
        .first()
    )
    refund = Refund.objects.filter(case=case).order_by("-id").first()
    penalty = (
        Penalty.objects.filter(booking_id=case.booking_id).order_by("-id").first()
        if booking
        else None
    )
    name = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        name = actor.get_full_name() or actor.get_username()
    values = {
        "case_id": str(case.pk),
        "case_subject": case.subject,
        "customer_name": case.customer.name if case.customer_id else "",
        "partner_name": case.partner.name if case.partner_id else "",
        "booking_id": booking.external_id if booking else "",
        "booking_time": when(booking.booking_time, zone) if booking else "",
        "service_date": booking.service_date.strftime("%-d %b %Y") if booking else "",
        "agent_name": name,
        "support_email": settings.SUPPORT_EMAIL,
        "today": timezone.localtime(timezone.now(), _zone(zone)).strftime("%-d %b %Y"),
        "policy_version": policy.version,
        "decision_outcome": str((decision or {}).get("outcome", "")).replace("_", " "),
        "refund_amount": _money(refund.amount, refund.currency) if refund else "",
        "refund_tat_days": _tat(policy, booking.payment_mode) if booking else "",
        "penalty_amount": _money(penalty.amount, penalty.currency) if penalty else "",
        "cancellation_code": str((task_params or {}).get("code", "")),
    }
    for placeholder in policy_placeholders():
        values[placeholder] = str(getattr(policy.params, placeholder.split(".", 1)[1]))
    return values


def _zone(name: str | None) -> ZoneInfo | None:
    return ZoneInfo(name) if name else None


def _tat(policy: Any, payment_mode: str) -> str:
    try:
        return str(policy.params.refund_tat_days_for(payment_mode))
    except ValueError:
        return ""


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each placeholder replaced by its value, in one pass."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")
