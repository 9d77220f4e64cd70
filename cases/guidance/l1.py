"""Guidance for the L1 installation & maintenance SOP (l1-installation-maintenance.txt):
scenarios 1-10 with their Kapture tags, and the complaint tickets the system opens."""

from __future__ import annotations

from ..catalog import CaseKind
from .base import WRITE_EVERY_ACTION, Guidance

# Sentences several kinds share, so they read the same everywhere.
_SPD_BREACHED_TAG = (
    "Inbound >> Complaint >> Delay in Service >> Out of SPD >> Unresolved >> Remarks"
)
_DELAY_IN_REFUND_TAG = "Inbound >> Complaint >> Delay in refund >> Unresolved"
_RESCHEDULE = "reschedule to the customer's preferred date, with remarks"


L1_GUIDANCE: dict[CaseKind, Guidance] = {
    CaseKind.STATUS_CHECK: Guidance(
        scenario=(
            "The customer asks about the status of the service. What to do depends on the "
            "ticket's state: cancelled, open (created / vendor-offload, or allocated), or "
            "cancelled / completed."
        ),
        checks=(
            "Check the ticket's state.",
            "Cancelled: tag Inbound >> Enquiry >> Enquiry about the cancellation >> Resolved.",
            "Open and marked customer not responding: ask the customer for an alternative "
            "number so the issue does not happen again; if the customer says the update is "
            "fake, tag Inbound >> Complaint >> Fake closure/ Fake Status >> service not "
            "provided / Call closed without service >> Unresolved >> Remarks.",
            f"Open and rescheduled: if the customer agrees, {_RESCHEDULE}; if the customer "
            "says the update is fake, tag Inbound >> Complaint >> Fake status updated by "
            "technician >> Unresolved >> Remarks.",
            "The customer wants to cancel the installation or maintenance: tag Inbound >> "
            "Request >> Cancellation of service >> Resolved.",
            f"Created / vendor-offload or allocated: check whether the SPD is breached; if it "
            f"is, tag {_SPD_BREACHED_TAG}.",
            "Created / vendor-offload, SPD not breached: if the customer accepts the "
            "rescheduled date, tag Inbound >> Enquiry >> Enquiry About TAT/SPD >> Resolved; "
            f"if they want a new date, {_RESCHEDULE}.",
            f"Allocated, SPD not breached: {_RESCHEDULE}.",
            f"Rescheduled by the technician: tag {_SPD_BREACHED_TAG}.",
            "Cancelled or completed, with a complaint about the service: follow scenario 1.3 "
            "(the 30-day service warranty).",
        ),
        sop_section="L1 installation & maintenance, scenario 1 (status check)",
    ),
    CaseKind.POST_SERVICE_COMPLAINT: Guidance(
        scenario=(
            "The ticket is cancelled or completed and the customer complains about the "
            "technician's work, or about issues with the product after the installation, "
            "maintenance or repair (AC cooling, gas leakage, water leakage...)."
        ),
        checks=(
            "Check whether the day of service is within 30 days (the service warranty period, "
            "counted from the day of service).",
            "Within 30 days, if the customer agrees: tag Inbound >> Request >> Request to "
            "reopen ticket >> Resolved.",
            "Within 30 days, if the customer disagrees: tag Inbound >> Complaint >> Technician "
            "Not Aware Of Installation/Improper Installation >> Unresolved.",
            "Post 30 days from the day of service: tag Inbound >> Enquiry >> Post "
            "Policy-Service Denial.",
        ),
        sop_section="L1 installation & maintenance, scenario 1.3",
    ),
    CaseKind.CANCELLATION_REQUEST: Guidance(
        scenario="The customer asks to cancel the order.",
        checks=(
            "Tell the customer they can cancel the booking themselves through My Booking.",
            "Tag: Inbound >> Enquiry >> Enquiry about the cancellation >> Resolved.",
        ),
        sop_section="L1 installation & maintenance, scenario 2",
    ),
    CaseKind.ADDRESS_CHANGE: Guidance(
        scenario="The customer wants to change the installation address.",
        checks=(
            "Ask whether the customer agrees to cancel this service, and whether they can "
            "cancel it from their end.",
            "Agrees and can cancel from their end: tag Inbound >> Request >> Change of Address.",
            "Agrees but cannot cancel from their end: tag Inbound >> Request >> Cancellation "
            "of Service; this tag disposes the ticket automatically.",
            "Disputes and refuses to cancel: tag Inbound >> Request >> Cancellation of Service.",
        ),
        sop_section="L1 installation & maintenance, scenario 3",
    ),
    CaseKind.PROPERTY_DAMAGE: Guidance(
        scenario=(
            "The customer complains that the technician damaged their property, or that "
            "something has been stolen."
        ),
        checks=(
            "Find out when the customer noticed it: at once, or later.",
            "Immediate observation (the technician is still at home, or has committed to come "
            "back the next day to fix it): tag Inbound >> Complaint >> Technician damaged "
            "customers property >> Unresolved >> Remarks.",
            "Late observation (the technician did not come back the next day, or the customer "
            "found later that something was stolen or damaged): write what the customer "
            "reports on the case; the SOP names no separate step.",
        ),
        sop_section="L1 installation & maintenance, scenario 4",
    ),
    CaseKind.MISSING_INVOICE: Guidance(
        scenario=(
            "The customer needs an invoice for the product or service, or for an extra part "
            "the technician used."
        ),
        checks=(
            "Check whether the invoice is available.",
            "Invoice unavailable: tag Inbound >> Complaint >> Bill Not Given By Technician >> "
            "Unresolved >> Remarks.",
        ),
        sop_section="L1 installation & maintenance, scenario 5",
    ),
    CaseKind.PAYMENT_NOT_CONFIRMED: Guidance(
        scenario=(
            "The amount was debited from the customer's account, but the booking was not confirmed."
        ),
        checks=(
            "Check whether the service details are available in the system.",
            "Details available: share the TAT/SPD; tag Inbound >> Enquiry >> Enquiry About "
            "TAT/SPD >> Resolved.",
            "Details not available: check whether the customer contacts within the refund TAT "
            "or after it.",
            f"Post refund TAT: tag {_DELAY_IN_REFUND_TAG}.",
        ),
        sop_section="L1 installation & maintenance, scenario 6",
    ),
    CaseKind.REFUND_STATUS: Guidance(
        scenario="The customer wants to know the status of a refund.",
        checks=(
            "Check whether the refund status is available.",
            "Status available: share it; tag Inbound >> Enquiry >> Refund status query >> "
            "Resolved.",
            "Status unavailable: check whether the customer contacts within the refund TAT or "
            "after it.",
            "Within refund TAT: tag Inbound >> Enquiry >> Refund status query >> Resolved.",
            f"Post refund TAT: tag {_DELAY_IN_REFUND_TAG}.",
        ),
        sop_section="L1 installation & maintenance, scenario 7",
    ),
    CaseKind.EXTRA_CHARGES: Guidance(
        scenario="The customer complains that the technician collected extra charges.",
        checks=(
            "Compare the amount charged with the invoice.",
            "Amount matches the invoice: explain the service charges; tag Inbound >> Enquiry "
            ">> Enquiry About Service Charges.",
            "Amount does not match: check whether it was a prepaid or a cash transaction.",
            "Cash transaction: tag Inbound >> Complaint >> Extra Cash Collected By Technician "
            ">> Unresolved >> Remarks.",
        ),
        sop_section="L1 installation & maintenance, scenario 8",
    ),
    CaseKind.SAFETY_INCIDENT: Guidance(
        scenario="The customer reports harassment, or abuse of a woman or a child.",
        checks=(
            "Tag: Inbound >> Complaint >> Women & Child Safety Case >> Unresolved >> Remarks.",
            "Write what the customer reports in the remarks.",
        ),
        sop_section="L1 installation & maintenance, scenario 9",
    ),
    CaseKind.PRODUCT_PICKUP: Guidance(
        scenario=(
            "The technician took the product away for repair and promised to return it "
            "within 4-5 days, but there has been no update since."
        ),
        checks=(
            "Check whether an update is available in the system.",
            "Update available: share it; tag Inbound >> Enquiry >> Enquiry About TAT/SPD >> "
            "Resolved.",
            "No update available: write what the customer reports on the case; the SOP names "
            "no further step.",
        ),
        sop_section="L1 installation & maintenance, scenario 10",
    ),
    CaseKind.COMPLAINT: Guidance(
        scenario=(
            "A complaint ticket the system opened: when a booking's SPD passed with no case "
            "open on it, when a refund passed its TAT unpaid, or from a decision on another "
            "case whose SOP asks for a complaint ticket (its subject and linked case say "
            "which)."
        ),
        checks=(
            "Read the subject and the linked case to see why the ticket was opened.",
            f"SPD breached: tag {_SPD_BREACHED_TAG}.",
            f"Refund past its TAT: tag {_DELAY_IN_REFUND_TAG}.",
            "Issue raised on a follow-up call: try to solve the customer's problem.",
            "Order completed by mistake: ask engineering operations (EO) for the missing "
            "services, ask for the order to be converted from complete to reschedule, and "
            "follow the case on this ticket.",
            WRITE_EVERY_ACTION,
        ),
        sop_section="L1 installation & maintenance: complaint ticket",
    ),
}
