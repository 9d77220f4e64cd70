"""Guidance for the pre-services SOP (pre-services.txt): changes, reschedules, preferred
professionals, cancellations, wrong jobs, edits, enquiries, booking trouble, OB forms."""

from __future__ import annotations

from ..catalog import CaseKind
from .base import Guidance

PRE_SERVICES_GUIDANCE: dict[CaseKind, Guidance] = {
    CaseKind.CHANGE_REQUEST: Guidance(
        scenario="Before the service, the customer wants to make changes in an existing request.",
        checks=(
            "Call the professional and confirm he has the material to provide the service.",
            "If the professional agrees, ask him to deliver the service, and park the case "
            "until the job is delivered.",
            "If the professional is not responding, ask the customer to place a fresh booking.",
        ),
        sop_section="Pre-services: make changes in existing request",
    ),
    CaseKind.RESCHEDULE: Guidance(
        scenario="The customer wants to reschedule, or wants a different professional.",
        checks=(
            "Confirm the customer's preferred time slot.",
            "Reschedule as the customer asks.",
            "Call the partner and tell him not to pick up this customer's booking; if it is "
            "auto-accepted, ask him to mark leave for that time slot.",
        ),
        sop_section="Pre-services: request for rescheduling / different pro",
    ),
    CaseKind.PREFERRED_PROFESSIONAL: Guidance(
        scenario="The customer wants a particular professional for the booking.",
        checks=(
            "Ask for the professional's name and the date of the last booking he delivered.",
            "Check the professional's availability in his calendar (profile, Edit details, "
            "calendar): green is working on a job, red is on leave, blank is available.",
            "Check the hub area of the professional and of the customer; raise any tech "
            "issue (to Sajan/Karuna in the SOP).",
            "If the professional agrees, notify him, ask him to accept the booking, and follow "
            "up until he is assigned.",
            "If the professional is not responding, assign a different professional, "
            "depending on availability.",
        ),
        sop_section="Pre-services: preferred professional",
    ),
    CaseKind.PRE_SERVICE_CANCELLATION: Guidance(
        scenario="The customer asks to cancel the booking before the service.",
        checks=(
            "Confirm the reason for the cancellation.",
            "Try to reschedule; if the customer does not agree, cancel on the customer's VOC.",
            "Cancelled because of a no show or no response on our end, and the customer asks "
            "for a refund: refund a goodwill amount by cart value, Rs 100 for a cart value "
            "below 500 and Rs 150 for a cart value above 500.",
        ),
        sop_section="Pre-services: request for cancellation",
    ),
    CaseKind.WRONG_JOB_STARTED: Guidance(
        scenario="The professional wrongly started and ended the job.",
        checks=(
            "Confirm whether any amount was paid to the professional.",
            "Online payment: refund the full amount and deduct it from the professional.",
            "If the professional is not responding after 2 attempts, deduct the amount from "
            "him and refund up to Rs 3000, following the fraud score.",
        ),
        sop_section="Pre-services: wrong job started",
    ),
    CaseKind.CONTACT_EDIT: Guidance(
        scenario=("The customer wants to edit the address, name, e-mail address or phone number."),
        checks=(
            "Tell the customer that personal details such as the number and the delivery "
            "address cannot be edited.",
            "If the booking is already placed, tell them the same; you may ask the "
            "professional to deliver at the required address if possible, and pay the "
            "professional Rs 100 extra.",
        ),
        sop_section="Pre-services: edit address / name / e-mail / number",
    ),
    CaseKind.SERVICE_ENQUIRY: Guidance(
        scenario="The customer enquires about the services.",
        checks=(
            "Ask whether the customer wants to place the booking now or later.",
            "Now: help the customer until the booking is placed, and guide them to the "
            "running offers.",
            "Later: guide the customer the same way.",
        ),
        sop_section="Pre-services: enquiry on services",
    ),
    CaseKind.UNABLE_TO_BOOK: Guidance(
        scenario="The customer is unable to place a booking (blocked users excluded).",
        checks=(
            "Check the service availability yourself, on the website and in the app.",
            "If the service is available, ask the customer to update the app and try again.",
            "If the issue persists and no professionals are available, suggest an alternate "
            "service.",
            "If the issue still persists, ask the customer for a screenshot and escalate the "
            "case (to Sajan/Karuna in the SOP), with your AM, TL and QA in cc.",
        ),
        sop_section="Pre-services: unable to place booking",
    ),
    CaseKind.OB_FORM: Guidance(
        scenario="A concern needs an OB (outbound) form filled for the customer.",
        checks=(
            "Confirm the customer's e-mail address.",
            "Tell the customer the TAT is 24 hrs.",
            "Park the case until the customer has received the e-mail.",
        ),
        sop_section="Pre-services: OB form",
    ),
}
