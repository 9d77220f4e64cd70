"""Pre-services SOP (pre-services.txt): changes, reschedules, preferred professionals,
cancellations and refunds, personal-detail edits, enquiries, unable to book, the OB form. One
module per part; this package names them all."""

from .cancellations import (
    decide_cancellation_request,
    decide_goodwill_refund,
    decide_wrong_job_started,
)
from .changes import (
    decide_change_request,
    decide_preferred_professional,
    decide_reschedule_request,
)
from .common import (
    CALENDAR_FREE,
    CALENDAR_ON_LEAVE,
    CALENDAR_STATUSES,
    CALENDAR_WORKING,
    GOODWILL_CAUSES,
    OUTCOME_TAGS,
    PAYMENT_MODES,
    PERSONAL_DETAILS,
    SOP,
    TAG_PREFIX,
    goodwill_amount,
    ob_form_reply_due,
    wrong_job_refund_amount,
)
from .enquiries import (
    decide_ob_form,
    decide_personal_details_edit,
    decide_service_enquiry,
    decide_unable_to_book,
)

__all__ = [
    "SOP",
    "CALENDAR_WORKING",
    "CALENDAR_ON_LEAVE",
    "CALENDAR_FREE",
    "CALENDAR_STATUSES",
    "GOODWILL_CAUSES",
    "PERSONAL_DETAILS",
    "PAYMENT_MODES",
    "goodwill_amount",
    "wrong_job_refund_amount",
    "ob_form_reply_due",
    "TAG_PREFIX",
    "OUTCOME_TAGS",
    "decide_change_request",
    "decide_reschedule_request",
    "decide_preferred_professional",
    "decide_cancellation_request",
    "decide_goodwill_refund",
    "decide_wrong_job_started",
    "decide_personal_details_edit",
    "decide_service_enquiry",
    "decide_unable_to_book",
    "decide_ob_form",
]
