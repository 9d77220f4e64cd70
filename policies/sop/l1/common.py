"""L1 SOP: its name, every Kapture tag it gives, and the answers its scenarios choose from."""

from __future__ import annotations

import re
from datetime import date

from ...actions import ActionKind
from ...decision import Action

SOP = "L1 installation/maintenance SOP"


def normalise_tag_path(raw: str) -> str:
    """Kapture paths with one separator, " >> " (the SOP also writes "> >"), words untouched."""
    parts = re.split(r">\s*>", raw)
    return " >> ".join(part.strip() for part in parts)


# Every Kapture tag path the SOP gives, exactly as written there, normalised.
TAG_ENQUIRY_CANCELLATION = normalise_tag_path(
    "Inbound >> Enquiry >> Enquiry about the cancellation >> Resolved"
)
TAG_FAKE_CLOSURE = normalise_tag_path(
    "Inbound >> Complaint >> Fake closure/ Fake Status >> service not provided / Call closed "
    "without service >> Unresolved >> Remarks"
)
TAG_FAKE_STATUS_BY_TECHNICIAN = normalise_tag_path(
    "Inbound >> Complaint >> Fake status updated by technician >> Unresolved >> Remarks"
)
TAG_CANCELLATION_OF_SERVICE_RESOLVED = normalise_tag_path(
    "Inbound >> Request >> Cancellation of service >> Resolved"
)
TAG_OUT_OF_SPD = normalise_tag_path(
    "Inbound >> Complaint >> Delay in Service >> Out of SPD >> Unresolved >> Remarks"
)
TAG_ENQUIRY_TAT_SPD = normalise_tag_path("Inbound >> Enquiry >> Enquiry About TAT/SPD >> Resolved")
TAG_REOPEN = normalise_tag_path("Inbound >> Request >> Request to reopen ticket >> Resolved")
TAG_IMPROPER_INSTALLATION = normalise_tag_path(
    "Inbound >> Complaint >> Technician Not Aware Of Installation/Improper Installation >> "
    "Unresolved"
)
TAG_POST_POLICY_DENIAL = normalise_tag_path("Inbound >> Enquiry >> Post Policy-Service Denial")
TAG_CHANGE_OF_ADDRESS = normalise_tag_path("Inbound >> Request >> Change of Address")
TAG_CANCELLATION_OF_SERVICE = normalise_tag_path("Inbound >> Request >> Cancellation of Service")
TAG_PROPERTY_DAMAGE = normalise_tag_path(
    "Inbound >> Complaint >> Technician damaged customers property >> Unresolved >> Remarks"
)
TAG_BILL_NOT_GIVEN = normalise_tag_path(
    "Inbound >> Complaint >> Bill Not Given By Technician >> Unresolved >> Remarks"
)
TAG_REFUND_STATUS = normalise_tag_path("Inbound >> Enquiry >> Refund status query >> Resolved")
TAG_DELAY_IN_REFUND = normalise_tag_path("Inbound >> Complaint >> Delay in refund >> Unresolved")
TAG_SERVICE_CHARGES = normalise_tag_path("Inbound >> Enquiry >> Enquiry About Service Charges")
TAG_EXTRA_CASH = normalise_tag_path(
    "Inbound > > Complaint >> Extra Cash Collected By Technician >> Unresolved >> Remarks"
)
TAG_SAFETY = normalise_tag_path(
    "Inbound >> Complaint >> Women & Child Safety Case >> Unresolved >> Remarks"
)

L1_TAGS: tuple[str, ...] = (
    TAG_ENQUIRY_CANCELLATION,
    TAG_FAKE_CLOSURE,
    TAG_FAKE_STATUS_BY_TECHNICIAN,
    TAG_CANCELLATION_OF_SERVICE_RESOLVED,
    TAG_OUT_OF_SPD,
    TAG_ENQUIRY_TAT_SPD,
    TAG_REOPEN,
    TAG_IMPROPER_INSTALLATION,
    TAG_POST_POLICY_DENIAL,
    TAG_CHANGE_OF_ADDRESS,
    TAG_CANCELLATION_OF_SERVICE,
    TAG_PROPERTY_DAMAGE,
    TAG_BILL_NOT_GIVEN,
    TAG_REFUND_STATUS,
    TAG_DELAY_IN_REFUND,
    TAG_SERVICE_CHARGES,
    TAG_EXTRA_CASH,
    TAG_SAFETY,
)

# Sub-states of an open ticket (scenario 1.2), as the order system shows them.
OPEN_CUSTOMER_NOT_RESPONDING = "customer_not_responding"
OPEN_CUSTOMER_RESCHEDULE = "customer_reschedule"
OPEN_CREATED = "created"
OPEN_VENDOR_OFFLOAD = "vendor_offload"
OPEN_ALLOCATED = "allocated"
OPEN_TECHNICIAN_RESCHEDULE = "technician_reschedule"
OPEN_STATUSES: tuple[str, ...] = (
    OPEN_CUSTOMER_NOT_RESPONDING,
    OPEN_CUSTOMER_RESCHEDULE,
    OPEN_CREATED,
    OPEN_VENDOR_OFFLOAD,
    OPEN_ALLOCATED,
    OPEN_TECHNICIAN_RESCHEDULE,
)

# The customer's answer to the status the technician set: agrees, or disagrees / says fake.
CUSTOMER_AGREES = "agrees"
CUSTOMER_DISAGREES = "disagrees"
CUSTOMER_RESPONSES: tuple[str, ...] = (CUSTOMER_AGREES, CUSTOMER_DISAGREES)

# Scenario 1.3 complaint kinds.
COMPLAINT_TECHNICIAN = "technician"  # what the technician did (e.g. improper installation)
COMPLAINT_PRODUCT_ISSUE = "product_issue"  # AC cooling, gas or water leakage after the service
CLOSED_COMPLAINTS: tuple[str, ...] = (COMPLAINT_TECHNICIAN, COMPLAINT_PRODUCT_ISSUE)

OBSERVATION_IMMEDIATE = "immediate"
OBSERVATION_LATE = "late"

PAYMENT_MODES: tuple[str, ...] = ("online", "cash")


def reschedule_action(preferred_date: date | None) -> Action:
    # Reschedule leaves are a button in the order system, not a tag.
    """The reschedule button of the order system, with the preferred date when given."""
    if preferred_date is None:
        return Action.of(ActionKind.RESCHEDULE_BOOKING, remarks="customer preferred date")
    return Action.of(ActionKind.RESCHEDULE_BOOKING, preferred_date=preferred_date)


def complaint_action(tag: str) -> Action:
    # An "Unresolved" complaint stays open for follow-up, so it becomes a complaint ticket.
    """An unresolved complaint stays open for follow-up: a complaint ticket."""
    return Action.of(ActionKind.CREATE_COMPLAINT_TICKET, subject=tag)


# The reschedule leaves are a button in the order system, not a Kapture tag; the taxonomy
# records them under this path.
TAG_RESCHEDULED = "Reschedule >> Preferred date"
# Dispositions for outcomes whose decision carries no tag of its own.
OUTCOME_TAGS: dict[str, str] = {
    "rescheduled": TAG_RESCHEDULED,
    "rescheduled_after_no_response": TAG_RESCHEDULED,
    "rescheduled_after_breach": TAG_RESCHEDULED,
}
