"""The SOP numbers as people read them: a label per parameter, its source SOP in words, and
its value written out (rates as percentages, lists and pairs as text), for the policy pages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .parameters import HOUSE, L1, OOS, PCA, PRE, REVISIT

SOP_TITLES: dict[str, str] = {
    REVISIT: "Revisit work SOP",
    PRE: "Pre-services SOP",
    L1: "L1 installation and maintenance SOP",
    OOS: "Out-of-scope cancellations SOP",
    PCA: "Pending customer action SOP",
    HOUSE: "House rule (the SOPs give no number)",
}

LABELS: dict[str, str] = {
    "warranty_days": "Revisit warranty (days after the job)",
    "sme_revisit_number": "Revisit count that makes it an SME revisit",
    "revisit_penalty_rate": "Revisit penalty (share of the original invoice)",
    "goodwill_threshold_cart_value": "Goodwill threshold (cart value)",
    "goodwill_below_threshold": "Goodwill below the threshold",
    "goodwill_from_threshold": "Goodwill from the threshold up",
    "wrong_job_refund_cap": "Wrong job: refund cap",
    "wrong_job_unanswered_attempts": "Wrong job: unanswered calls before closing",
    "wrong_job_fraud_score_max": "Wrong job: highest fraud score refunded without review",
    "changed_address_partner_bonus": "Changed address: partner bonus",
    "ob_form_tat_hours": "Outbound form turnaround (hours)",
    "escalation_contacts": "Escalation contacts",
    "escalation_cc": "Escalation copied to",
    "refund_tat_days": "Refund turnaround by payment mode (days)",
    "product_pickup_return_days": "Product pickup and return (days)",
    "oos_radius_m": "Out-of-scope radius (metres)",
    "oos_park_hours": "Out-of-scope case parked for (hours)",
    "metro_cities": "Metro cities",
    "rwm_cities": "RWM cities",
    "followup_max_attempts": "Follow-up: call attempts",
    "followup_close_within_days": "Follow-up: close within (days)",
    "followup_first_call_within_hours": "Follow-up: first call within (hours)",
    "costing_known_within_hours": "Costing known within (hours)",
    "material_booking_delay_hours": "Material booking delay (hours)",
    "material_booking_max_days": "Material booking: longest wait (days)",
    "waiting_on_customer_reopen_days": "Waiting on the customer: reopen within (days)",
    "operations_handover_hours": "Hand-over to operations (hours)",
    "reschedule_change_window_minutes": "Reschedule: change window (minutes)",
    "followup_areas": "Follow-up areas",
    "material_orders_eo_contact": "Material orders: EO contact",
    "painting_material_markup_rate": "Painting: material markup",
    "painting_tax_invoice_surcharge_rate": "Painting: tax invoice surcharge",
    "painting_material_advance_rate": "Painting: material advance",
    "painting_followups_during_order": "Painting: follow-ups while the order is open",
    "call_task_due_minutes": "A call task is due within (minutes)",
    "task_due_hours": "Another task is due within (hours)",
    "escalation_priority": "Priority of an escalated case",
    "safety_escalation_priority": "Priority of a safety escalation",
    "job_duration_hours": "A job's length (hours)",
    "training_review_business_days": "PAF review by the trainer within (business days)",
    "sla_first_response_minutes": "SLA first response by priority (minutes)",
    "sla_resolution_minutes": "SLA resolution by priority (minutes)",
    "sla_resolution_minutes_by_kind": "SLA resolution by case kind (minutes)",
    "sla_warn_rate": "SLA warning at (share of the target used)",
    "sla_breach_priority_steps": "Priority steps raised on an SLA breach",
    "business_time_clocks": "Clocks that count business hours only",
    "clock_speedup": "Clock speed-up (demo only; 1 in production)",
    "money_decimal_places": "Money: decimal places",
    "money_rounding": "Money: rounding",
}

_ROUNDING = {
    "ROUND_HALF_UP": "half up",
    "ROUND_HALF_EVEN": "half to even",
    "ROUND_HALF_DOWN": "half down",
    "ROUND_UP": "up",
    "ROUND_DOWN": "down",
    "ROUND_CEILING": "ceiling",
    "ROUND_FLOOR": "floor",
    "ROUND_05UP": "05 up",
}


def label_of(name: str) -> str:
    """A parameter's label; a parameter added without one still reads as words."""
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def source_in_words(sop: str) -> str:
    """'revisit-work.txt; l1-installation-maintenance.txt 1.3' -> 'Revisit work SOP; L1
    installation and maintenance SOP, section 1.3'."""
    parts = []
    for part in filter(None, (p.strip() for p in sop.split(";"))):
        key = next((k for k in SOP_TITLES if part.startswith(k)), None)
        if key is None:
            parts.append(part)
            continue
        rest = part[len(key) :].strip()
        note = ""
        if match := re.search(r"\(([^)]*)\)", rest):
            note = f" ({match.group(1)})"
            rest = (rest[: match.start()] + rest[match.end() :]).strip()
        where = ""
        if rest:
            where = f", {rest}" if rest.startswith("step ") else f", section {rest}"
        parts.append(f"{SOP_TITLES[key]}{where}{note}")
    return "; ".join(parts)


def value_in_words(value: Any, *, rate: bool = False) -> str:
    """A parameter's value as people read it: 0.60 -> '60%', lists and pairs as text."""
    if value is None or value == "":
        return "–"
    if rate:
        percent = (Decimal(str(value)) * 100).normalize()
        return f"{percent:f}%"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {number}" for key, number in value.items()) or "–"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "–"
    if isinstance(value, str) and value in _ROUNDING:
        return _ROUNDING[value]
    return str(value)
