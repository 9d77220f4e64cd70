"""Out-of-scope SOP flows: the eligibility gate, the validation call, PAF review, ratings."""

from __future__ import annotations

from cases.catalog import CaseKind, Sop
from policies.sop import oos

from .. import fills as from_records
from ..flow import Flow

FLOWS: list[Flow] = [
    Flow(
        "oos.eligibility",
        "OOS ticket: RWM, radius and image checks",
        Sop.OOS,
        (CaseKind.OUT_OF_SCOPE,),
        oos.decide_oos_eligibility,
        fills={
            "partner_is_rwm": from_records.PARTNER_IS_RWM,
            "city": from_records.CITY,
            "distance_m": from_records.DISTANCE,
        },
        labels={"distance_m": "Distance to the customer (m)"},
        gate=True,
    ),
    Flow(
        "oos.partner_visit",
        "Partner not at the location: visit or Can't Deliver",
        Sop.OOS,
        (CaseKind.OUT_OF_SCOPE,),
        oos.decide_partner_visit,
    ),
    Flow(
        "oos.after_park",
        "After the park: call the partner",
        Sop.OOS,
        (CaseKind.OUT_OF_SCOPE,),
        oos.decide_after_park,
        fills={"ticket_created_at": from_records.CASE_OPENED_AT, "now": from_records.NOW},
        help={"customer_agrees_to_cancel": "Leave unknown until the customer is called."},
    ),
    Flow(
        "oos.paf_review",
        "Step 5: cancellation marked against the partner",
        Sop.OOS,
        (CaseKind.OUT_OF_SCOPE,),
        oos.decide_oos_paf_review,
    ),
    Flow(
        "oos.commercial_location",
        "Commercial location",
        Sop.OOS,
        (CaseKind.OUT_OF_SCOPE,),
        oos.decide_commercial_location,
        fills={"city": from_records.CITY, "appliance_is_ro": from_records.APPLIANCE_IS_RO},
    ),
    Flow(
        "oos.rating_reversal",
        "Scenario 1: rating reversal for a genuine OOS closed at BPC",
        Sop.OOS,
        (CaseKind.RATING_REVERSAL,),
        oos.decide_rating_reversal,
    ),
    Flow(
        "oos.start_otp_or_non_payment",
        "Scenario 2: no start-job OTP / customer not paying",
        Sop.OOS,
        (CaseKind.OOS_OTP_OR_PAYMENT,),
        oos.decide_start_otp_or_non_payment,
        help={"validated": "Leave unknown until the team has validated the ticket."},
    ),
]
