"""Pending-customer-action SOP flows: open the ticket, the calls, reopen, special cases."""

from __future__ import annotations

from cases.catalog import FOLLOW_UP_KINDS, SECOND_APPOINTMENT_KINDS, CaseKind, Sop
from policies.sop import followups, painting

from .. import fills as from_records
from ..flow import Flow

FLOWS: list[Flow] = [
    Flow(
        "follow_up.open_first_visit_ticket",
        "Open the follow-up ticket: first visit cancelled",
        Sop.FOLLOW_UP,
        (CaseKind.FOLLOW_UP_FIRST_VISIT,),
        followups.decide_open_followup_ticket,
        fills={
            "flow": from_records.FOLLOWUP_FLOW,
            "customer_has_order": from_records.HAS_BOOKING,
            "area": from_records.AREA,
            "opened_at": from_records.CASE_OPENED_AT,
        },
        choices={"reason": followups.FIRST_VISIT_REASONS},
        help={"reason": "Case one: the customer cancelled; case two: not found at home."},
        happened=("order_completed_at",),
    ),
    Flow(
        "follow_up.open_second_appointment_ticket",
        "Open the follow-up ticket: second appointment",
        Sop.FOLLOW_UP,
        SECOND_APPOINTMENT_KINDS,
        followups.decide_open_followup_ticket,
        fills={
            "flow": from_records.FOLLOWUP_FLOW,
            "customer_has_order": from_records.HAS_BOOKING,
            "area": from_records.AREA,
            "opened_at": from_records.CASE_OPENED_AT,
            "order_completed_at": from_records.ORDER_COMPLETED_AT,
        },
        choices={"reason": followups.SECOND_APPOINTMENT_REASONS},
    ),
    Flow(
        "follow_up.call_attempt",
        "Follow-up call",
        Sop.FOLLOW_UP,
        FOLLOW_UP_KINDS,
        followups.after_call_attempt,
        fills={
            "flow": from_records.FOLLOWUP_FLOW,
            "attempts": from_records.ATTEMPTS,
            "calendar": from_records.CALENDAR,
            "area": from_records.AREA,
            "at": from_records.NOW_OVERRIDABLE,
            "material_needed": from_records.NO_MATERIAL_ON_FIRST_VISIT,
        },
        choices={"outcome": followups.CALL_OUTCOMES},
        labels={"at": "Called at"},
        help={
            "material_needed": "Second appointment: the order needs material.",
            "operations_note_days": "Days operations asked for to bring the material.",
        },
        outcome_tags=followups.OUTCOME_TAGS,
        records_call_attempt=True,
        happened=("at",),
    ),
    Flow(
        "follow_up.reopen",
        "Reopen after the waiting-on-customer period",
        Sop.FOLLOW_UP,
        FOLLOW_UP_KINDS,
        followups.may_reopen,
        fills={
            "ticket_status": from_records.TICKET_STATUS,
            "appointment_day": from_records.APPOINTMENT_DAY,
            "today": from_records.TODAY,
        },
    ),
    Flow(
        "follow_up.completed_wrongly",
        "Special case A: order completed wrongly",
        Sop.FOLLOW_UP,
        FOLLOW_UP_KINDS,
        followups.decide_completed_wrongly,
        help={"missing_services": "One per line."},
    ),
    Flow(
        "follow_up.visit_time_change",
        "Special case C: visit time change close to the start",
        Sop.FOLLOW_UP,
        FOLLOW_UP_KINDS,
        followups.decide_visit_time_change,
        fills={
            "visit_start": from_records.VISIT_START,
            "change_requested_at": from_records.NOW_OVERRIDABLE,
        },
        outcome_tags=followups.OUTCOME_TAGS,
        happened=("change_requested_at",),
    ),
    Flow(
        "follow_up.deadline_check",
        "Policy 14: lateness of another team",
        Sop.FOLLOW_UP,
        FOLLOW_UP_KINDS,
        followups.decide_deadline_check,
        fills={"now": from_records.NOW},
        choices={"what": followups.DEADLINES},
    ),
    Flow(
        "follow_up.close_due",
        "The 7-day close of a follow-up ticket (a clock)",
        Sop.FOLLOW_UP,
        FOLLOW_UP_KINDS,
        followups.decide_close_due,
        fills={"ticket_status": from_records.TICKET_STATUS},
        outcome_tags=followups.OUTCOME_TAGS,
        system=True,
    ),
    Flow(
        "painting.quotation",
        "Painting order: quotation, days of work, follow-up",
        Sop.FOLLOW_UP,
        (CaseKind.FOLLOW_UP_PAINTING,),
        painting.decide_painting_quotation,
        help={"material_cost": "Regular material price, before the markup."},
    ),
]
