"""The closed vocabulary of what a decision asks the system to do.

Every kind is carried out by the flow engine: a handler performs it in the decision's
transaction or turns it into a task with an owner and a due time (a test walks the enum).
"""

from __future__ import annotations

from enum import StrEnum


class ActionKind(StrEnum):
    """One thing an SOP decision tells the system to do; its parameters travel on the Action."""

    CREATE_REVISIT_BOOKING = "create_revisit_booking"  # revisit inside warranty
    MARK_SME_REVISIT = "mark_sme_revisit"  # second revisit on the same issue
    MARK_PAF = "mark_paf"  # partner at fault (params: reason)
    CREATE_PENALTY = "create_penalty"  # params: path (the SOP path), rate, base_amount, amount
    NO_PAF = "no_paf"  # record that no PAF / penalty applies (IR not triggered)
    REFUSE_REVERSAL = "refuse_reversal"  # PAF stands (params: reason)
    OFFER_REVERSAL_FORM = "offer_reversal_form"  # fill the PAF and penalty reversal form
    CREATE_REFUND = "create_refund"  # params: amount, reason
    DEDUCT_FROM_PARTNER = "deduct_from_partner"  # params: amount
    PARTNER_BONUS = "partner_bonus"  # params: amount
    PARK = "park"  # params: hours or until_event
    UNPARK = "unpark"
    SET_STATUS = "set_status"  # params: status
    SET_PRIORITY = "set_priority"  # params: priority
    ASSIGN_TEAM = "assign_team"  # params: team
    SET_TICKET_VIEW = (
        "set_ticket_view"  # category, sub_category, type, status, area, priority, team
    )
    CANCEL_BOOKING = "cancel_booking"  # params: code, cancelled_by
    RESCHEDULE_BOOKING = "reschedule_booking"
    ASK_CUSTOMER_TO_CANCEL = "ask_customer_to_cancel"  # params: code
    ASK_PARTNER_TO_CANCEL = "ask_partner_to_cancel"  # params: code
    CALL_PARTNER = "call_partner"  # params: purpose
    CALL_CUSTOMER = "call_customer"  # params: purpose
    ESCALATE = "escalate"  # params: to, reason
    REQUEST_IMAGES = "request_images"
    CLOSE_AT_BPC = "close_at_bpc"
    RATING_REVERSAL_FORM = "rating_reversal_form"
    EXCLUDE_FROM_MG_PLAN = "exclude_from_mg_plan"
    SCHEDULE_FOLLOWUP = "schedule_followup"  # params: at_hours or due_in_days
    CREATE_COMPLAINT_TICKET = "create_complaint_ticket"
    SEND_OB_FORM = "send_ob_form"
    RECORD_TAG = "record_tag"  # a second disposition; the primary one is Decision.tag
    ROUTE_TO_SOP = "route_to_sop"  # params: sop
    ASSIGN_PARTNER = (
        "assign_partner"  # pre-services: assign the preferred or a different professional
    )
    REVERSE_PAF = (
        "reverse_paf"  # OOS step 5: cancellation/PAF reversed at the training or review date
    )
    REOPEN_BOOKING = (
        "reopen_booking"  # L1 1.3 "Request to reopen ticket"; pending-customer-action F
    )
    CREATE_VISIT = "create_visit"  # pending-customer-action: "create a new visit on dash board"
    CONVERT_ORDER = "convert_order"  # pending-customer-action: reschedule <-> complete, by mail
    BLOCK_PARTNER_SLOTS = (
        "block_partner_slots"  # painting: close the technician's days of work as busy slots
    )
    START_CLOCK = "start_clock"  # an SOP clock the system keeps (params: clock, days/hours)
