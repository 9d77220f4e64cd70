"""The SOP numbers as people read them: a label per parameter, its source SOP in words, and
its value written out (rates as percentages, lists and pairs as text), for the policy pages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .actions import ActionKind
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
    "reply_reopen_days": "An e-mail reply reopens a resolved case within (days)",
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


# The SOPs' choices as their own words (revisit SOP, scenario 4 check points), for the flow
# forms, the PAF a decision marks and every page that shows one of these codes.
CODE_WORDS: dict[str, str] = {
    "denied_job": "The partner denied the job",
    "no_show": "No show: the partner did not come",
    "no_contact_attempt": "The partner did not try to contact the customer",
    "unresponsive": "The partner was unresponsive to the customer",
    "poor_service": "Poor service offered in the revisit job",
}


def code_in_words(code: str) -> str:
    """A code of the SOPs' choices in words ('no_show' -> 'No show: the partner did not
    come'); any other text is returned as it is (a reason already written as a sentence)."""
    return CODE_WORDS.get(code, code)


# --- decisions in words ------------------------------------------------------------------------

# Letters the SOPs write as capitals inside a code ("paf_reversal_refused" -> "PAF reversal
# refused"), and their shorthand for the people ("cx" -> "customer").
_CAPITALS = {"paf", "sme", "oos", "l1", "bpc", "ob", "tat", "mg", "sop", "voc", "ir", "qa", "ui"}
_SHORTHAND = {"cx": "customer", "px": "partner", "pro": "partner"}

ACTION_WORDS: dict[str, str] = {
    ActionKind.CREATE_REVISIT_BOOKING: "Create the revisit booking",
    ActionKind.MARK_SME_REVISIT: "Mark it an SME revisit",
    ActionKind.MARK_PAF: "Mark the partner at fault (PAF)",
    ActionKind.CREATE_PENALTY: "Put the revisit penalty on the partner",
    ActionKind.NO_PAF: "No PAF or penalty (IR not triggered)",
    ActionKind.REFUSE_REVERSAL: "Tell the partner the PAF cannot be reversed",
    ActionKind.OFFER_REVERSAL_FORM: "Log the PAF and penalty reversal form",
    ActionKind.CREATE_REFUND: "Refund the customer",
    ActionKind.DEDUCT_FROM_PARTNER: "Deduct it from the partner's payout",
    ActionKind.PARTNER_BONUS: "Pay the partner a bonus",
    ActionKind.PARK: "Park the case",
    ActionKind.UNPARK: "Take the case out of parking",
    ActionKind.SET_STATUS: "Set the case's status",
    ActionKind.SET_PRIORITY: "Set the case's priority",
    ActionKind.ASSIGN_TEAM: "Send the case to a team",
    ActionKind.SET_TICKET_VIEW: "Set the ticket view the SOP names",
    ActionKind.CANCEL_BOOKING: "Cancel the booking",
    ActionKind.RESCHEDULE_BOOKING: "Reschedule the booking",
    ActionKind.ASK_CUSTOMER_TO_CANCEL: "Ask the customer to cancel the booking",
    ActionKind.ASK_PARTNER_TO_CANCEL: "Ask the partner to cancel the booking",
    ActionKind.CALL_PARTNER: "Call the partner",
    ActionKind.CALL_CUSTOMER: "Call the customer",
    ActionKind.ESCALATE: "Escalate",
    ActionKind.REQUEST_IMAGES: "Ask for images",
    ActionKind.CLOSE_AT_BPC: "Close the ticket at BPC",
    ActionKind.RATING_REVERSAL_FORM: "Log the rating reversal form",
    ActionKind.EXCLUDE_FROM_MG_PLAN: "Exclude the job from the partner's MG plan",
    ActionKind.SCHEDULE_FOLLOWUP: "Follow up later",
    ActionKind.CREATE_COMPLAINT_TICKET: "Open a complaint ticket",
    ActionKind.SEND_OB_FORM: "Send the OB form",
    ActionKind.RECORD_TAG: "Record a second tag",
    ActionKind.ROUTE_TO_SOP: "Work it by another SOP",
    ActionKind.ASSIGN_PARTNER: "Assign the professional",
    ActionKind.REVERSE_PAF: "Reverse the cancellation's PAF at the review date",
    ActionKind.REOPEN_BOOKING: "Reopen the booking",
    ActionKind.CREATE_VISIT: "Create a new visit",
    ActionKind.CONVERT_ORDER: "Convert the order",
    ActionKind.BLOCK_PARTNER_SLOTS: "Close the technician's days of work as busy",
    ActionKind.START_CLOCK: "Start the SOP's clock",
    "review_paf": "Review the PAF (trainer)",
}

PARAM_WORDS: dict[str, str] = {
    "purpose": "why",
    "reason": "reason",
    "path": "SOP path",
    "rate": "rate",
    "base_amount": "original invoice",
    "amount": "amount",
    "hours": "hours",
    "at_hours": "in hours",
    "due_in_days": "in days",
    "days": "days",
    "until_event": "until",
    "status": "status",
    "priority": "priority",
    "team": "team",
    "code": "cancellation code",
    "cancelled_by": "cancelled by",
    "to": "to",
    "sop": "SOP",
    "clock": "clock",
    "paf": "PAF",
    "tag": "tag",
}


def code_words(value: Any) -> str:
    """Any code of the SOPs' vocabulary as words: a known one in its own words (CODE_WORDS),
    another as its words ('deliver_to_required_address' -> 'Deliver to required address',
    'paf_reversal_refused' -> 'PAF reversal refused'); text that is not a code stays as it is."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text in CODE_WORDS:
        return CODE_WORDS[text]
    if not re.fullmatch(r"[a-z0-9]+(?:[_-][a-z0-9]+)*", text):
        return text
    words = []
    for word in re.split(r"[_-]", text):
        word = _SHORTHAND.get(word, word)
        words.append(word.upper() if word in _CAPITALS else word)
    sentence = " ".join(words)
    return sentence[:1].upper() + sentence[1:]


def outcome_in_words(outcome: str) -> str:
    """A decision's outcome ('revisit_in_warranty') as words ('Revisit in warranty')."""
    return code_words(outcome) if outcome else ""


def action_kind_in_words(kind: str) -> str:
    """What a decision's step (or the task it made) is, in words: 'call_customer' -> 'Call
    the customer'."""
    return ACTION_WORDS.get(kind) or code_words(kind)


def params_in_words(params: dict[str, Any] | None) -> str:
    """A step's parameters as words: {'purpose': 'team_will_connect', 'at_hours': 3} ->
    'why: team will connect; in hours: 3'; rates as percentages."""
    parts = []
    for name, value in (params or {}).items():
        label = PARAM_WORDS.get(name) or code_words(name).lower()
        if name == "rate":
            shown = value_in_words(value, rate=True)
        elif isinstance(value, (list, tuple)):
            shown = ", ".join(code_words(v).lower() for v in value) or "–"
        elif isinstance(value, dict):
            shown = params_in_words(value)
        else:
            words = code_words(value)
            shown = words.lower() if words != str(value) else words
        parts.append(f"{label}: {shown}")
    return "; ".join(parts)


def action_in_words(kind: str, params: dict[str, Any] | None = None) -> str:
    """One step with its parameters: 'Call the customer (why: confirm the address)'."""
    details = params_in_words(params)
    return f"{action_kind_in_words(kind)} ({details})" if details else action_kind_in_words(kind)
