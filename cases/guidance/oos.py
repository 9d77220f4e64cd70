"""Guidance for the out-of-scope / visited cancellations SOP (out-of-scope-cancellations.txt)."""

from __future__ import annotations

from ..catalog import CaseKind
from .base import Guidance

# Sentences several kinds share, so they read the same everywhere.
_OOS_TICKET_PATH = "Help >> Need Help with Job >> This Job is out of scope"


OOS_GUIDANCE: dict[CaseKind, Guidance] = {
    CaseKind.OUT_OF_SCOPE: Guidance(
        scenario=(
            "The partner says the job is out of scope: work that no provider of that category "
            "can deliver (visited cancellation)."
        ),
        checks=(
            "If the partner belongs to RWM in Delhi or Mumbai, no cancellation through this "
            "flow is allowed: advise him to close the job at BPC.",
            "Check that the partner is at the customer's location (or within 500 meters).",
            "If the partner refuses to visit the location, tell him the cancellation will be "
            "marked against him and hurt his profile metrics, and guide him to update the "
            "status to 'Can't Deliver'.",
            f"If the partner confirms the work is out of scope, ask him to create a ticket: "
            f"{_OOS_TICKET_PATH}.",
            "Ask the partner for images of the work he cannot deliver (Help > Profile > App "
            "Issue > Upload Media > Select Image > Submit): proof by image is required.",
            "Once the ticket is created, tell the partner the concerned team will connect with "
            "him and park the ticket for 3 hours; then call the partner and close the ticket "
            "once the issue is confirmed resolved.",
            "If the partner agrees the work can be done, he continues the service.",
            "If the work cannot be done, call the customer and ask them to cancel from their "
            "end under 'Incorrect service booked'.",
            "If the customer refuses to cancel, ask the partner to cancel under 'Pro Cannot "
            "Deliver' (Help > Pro Cannot Deliver > Watch the video > Cancel Job).",
            "Commercial place: appliances are served there, commercial appliances are not; "
            "the rules differ in Delhi, Mumbai, Hyderabad, Bangalore, Ahmedabad, Pune, Kolkata "
            "and Chennai (RO excluded). If the partner is comfortable, guide him to provide "
            "the service; otherwise call the customer to cancel, and if they refuse, ask the "
            "partner to provide it.",
            "Check whether the cancellation was marked against the partner; if so, follow the "
            "Genuine PAF SOP: if he is not at fault, it is reversed at the training or review "
            "date.",
            "A validated OOS booking is cancelled without PAF and does not count in the "
            "partner's MG plan.",
            "Tag: 4.2 On job - Partner led Cancellation < Out of scope.",
        ),
        sop_section="Out-of-scope cancellations: out of scope / visited cancellation",
    ),
    CaseKind.OOS_OTP_OR_PAYMENT: Guidance(
        scenario=(
            "The partner says the customer will not share the start-job OTP, or will not pay."
        ),
        checks=(
            f"Ask the partner to create an OOS ticket: {_OOS_TICKET_PATH}.",
            "Validate the ticket; the job is cancelled only after validation.",
        ),
        sop_section="Out-of-scope cancellations, scenario 2",
    ),
    CaseKind.RATING_REVERSAL: Guidance(
        scenario=(
            "The partner asks for a rating reversal on a genuine out-of-scope job closed at BPC."
        ),
        checks=(
            "Verify the OOS ticket the partner created for the job.",
            "If it is a genuine OOS case closed at BPC, fill the rating reversal form.",
        ),
        sop_section="Out-of-scope cancellations, scenario 1",
    ),
}
