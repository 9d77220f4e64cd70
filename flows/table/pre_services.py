"""Pre-services SOP flows: changes, reschedules, cancellations, refunds, enquiries, OB form."""

from __future__ import annotations

from cases.catalog import CaseKind, Sop
from cases.models import CancellationCode
from policies.sop import pre_services

from .. import fills as from_records
from ..flow import Flow

FLOWS: list[Flow] = [
    Flow(
        "pre_services.change_request",
        "Make changes in an existing request",
        Sop.PRE_SERVICES,
        (CaseKind.CHANGE_REQUEST,),
        pre_services.decide_change_request,
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.reschedule_request",
        "Reschedule / different professional",
        Sop.PRE_SERVICES,
        (CaseKind.RESCHEDULE,),
        pre_services.decide_reschedule_request,
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.preferred_professional",
        "Preferred professional",
        Sop.PRE_SERVICES,
        (CaseKind.PREFERRED_PROFESSIONAL,),
        pre_services.decide_preferred_professional,
        fills={"calendar_status": from_records.PREFERRED_PARTNER_CALENDAR},
        choices={"calendar_status": pre_services.CALENDAR_STATUSES},
        help={"calendar_status": "Green = working, red = on leave, blank = free."},
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.cancellation_request",
        "Cancellation request: reschedule first",
        Sop.PRE_SERVICES,
        (CaseKind.PRE_SERVICE_CANCELLATION,),
        pre_services.decide_cancellation_request,
        fills={"payment_mode": from_records.PAYMENT_MODE, "amount_paid": from_records.INVOICE},
        labels={"voc": "Customer's reason (VOC)"},
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.goodwill_refund",
        "Goodwill refund after a no-show / no-response cancellation",
        Sop.PRE_SERVICES,
        (CaseKind.PRE_SERVICE_CANCELLATION,),
        pre_services.decide_goodwill_refund,
        fills={
            "cart_value": from_records.CART_VALUE,
            "cancellation_cause": from_records.CANCELLATION_CAUSE,
        },
        choices={"cancellation_cause": tuple(CancellationCode.values)},
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.wrong_job_started",
        "Wrong job started",
        Sop.PRE_SERVICES,
        (CaseKind.WRONG_JOB_STARTED,),
        pre_services.decide_wrong_job_started,
        fills={"payment_mode": from_records.PAYMENT_MODE, "fraud_score": from_records.FRAUD_SCORE},
        choices={"payment_mode": pre_services.PAYMENT_MODES},
        help={
            "amount_paid": "What the customer paid for the wrong job.",
            "unanswered_attempts": "Calls to the professional that went unanswered.",
        },
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.personal_details_edit",
        "Edit address / name / e-mail / number",
        Sop.PRE_SERVICES,
        (CaseKind.CONTACT_EDIT,),
        pre_services.decide_personal_details_edit,
        fills={"booking_placed": from_records.HAS_BOOKING},
        choices={"detail": pre_services.PERSONAL_DETAILS},
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.service_enquiry",
        "Enquiry on services",
        Sop.PRE_SERVICES,
        (CaseKind.SERVICE_ENQUIRY,),
        pre_services.decide_service_enquiry,
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.unable_to_book",
        "Unable to place a booking",
        Sop.PRE_SERVICES,
        (CaseKind.UNABLE_TO_BOOK,),
        pre_services.decide_unable_to_book,
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
    Flow(
        "pre_services.ob_form",
        "OB form: reply TAT, park until the e-mail arrives",
        Sop.PRE_SERVICES,
        (CaseKind.OB_FORM,),
        pre_services.decide_ob_form,
        outcome_tags=pre_services.OUTCOME_TAGS,
    ),
]
