"""Guidance for the revisit work SOP (revisit-work.txt): scenarios 1-5, the PAF and penalty
reversal form, and the escalation after the SME revisit."""

from __future__ import annotations

from ..catalog import CaseKind
from .base import Guidance

# Sentences several kinds share, so they read the same everywhere.
_TAG_REVISIT_WORK = "Tag: 1.3 Money-revisit issue : revisit work related info."
_PAF_GENUINE = (
    "If the PAF is genuine, tell the partner it cannot be reversed because the customer had a "
    "bad experience due to the partner."
)
_PAF_NOT_GENUINE = "If the PAF is not genuine, fill the PAF and penalty reversal form."
_PAF_AFTER_PARTNER_CANCELS = (
    "If a PAF or penalty is marked after the partner cancels and it is not genuine, fill the "
    "PAF and penalty reversal form."
)
_NOTIFIED_ON_CANCEL = "When the partner cancels, PAF and penalty are notified immediately."


REVISIT_GUIDANCE: dict[CaseKind, Guidance] = {
    CaseKind.REVISIT_CUSTOMER_CANCELLED: Guidance(
        scenario=(
            "A revisit was created inside the warranty period, but the customer cancelled it: "
            "either after the partner reached the customer's location, or before the booking "
            "time (BT)."
        ),
        checks=(
            "Check whether the partner discussed the job with the customer and then denied it, "
            "or shared his personal number with the customer: if so, the partner is at fault.",
            "If neither PAF nor penalty is marked, no IR is triggered: tell the partner this "
            "will not affect him in any case and close the ticket.",
            "If PAF and revisit penalty are both marked, check the call recordings and speak "
            "to the customer to decide whether the PAF is genuine.",
            _PAF_GENUINE,
            _PAF_NOT_GENUINE,
            _TAG_REVISIT_WORK,
        ),
        sop_section="Revisit work, scenario 1",
    ),
    CaseKind.REVISIT_WORK_NOT_REQUIRED: Guidance(
        scenario=f"A revisit was created, but no work is required. {_NOTIFIED_ON_CANCEL}",
        checks=(
            "Speak to the customer and ask them to cancel the booking with the reason "
            '"Placed Revisit by Mistake"; if they agree, close the ticket.',
            "If the customer does not respond or does not agree to cancel, ask the partner to "
            "cancel the booking at his end.",
            _PAF_AFTER_PARTNER_CANCELS,
            _TAG_REVISIT_WORK,
        ),
        sop_section="Revisit work, scenario 2",
    ),
    CaseKind.REVISIT_NEW_WORK_DENIED: Guidance(
        scenario=(
            "A revisit was created and new work is required, but the customer refused the new "
            f"work. {_NOTIFIED_ON_CANCEL}"
        ),
        checks=(
            "Ask the partner to create an estimate; it goes to the trainer, who speaks to the "
            "partner and the customer and explains why new work is required.",
            "If the customer will not add the new SKU, ask them to cancel the booking with the "
            'reason "Issue resolved"; if they agree, close the ticket.',
            "If the customer will not cancel, ask the partner to cancel the booking at his end.",
            _PAF_AFTER_PARTNER_CANCELS,
            _TAG_REVISIT_WORK,
        ),
        sop_section="Revisit work, scenario 3",
    ),
    CaseKind.REVISIT_PARTNER_FAULT: Guidance(
        scenario=(
            "A revisit was created, but the partner denied the job, did not show up, or gave "
            "poor service."
        ),
        checks=(
            "Check whether the partner did not try to contact the customer.",
            "Check whether the partner was unresponsive to the customer.",
            "Check whether the service offered in the revisit job was poor.",
            "If so, the partner is marked PAF and a penalty of 60% of the total original "
            "invoice is deducted from his next payout.",
            "Tell the partner this cannot be reversed because the customer had a bad "
            "experience due to the partner.",
            _TAG_REVISIT_WORK,
        ),
        sop_section="Revisit work, scenario 4",
    ),
    CaseKind.REVISIT_PAYMENT: Guidance(
        scenario="Any issue about payment for a revisit job, such as a missed revisit payout.",
        checks=(
            "Refer to the Revisit Payment SOP and follow the tagging it gives.",
            "Missed SME revisit payment: tag 1.3 Money-revisit issue : SME Revisit - Payout issue.",
            "Missed non-SME revisit payment: tag 1.3 Money-revisit issue : Non-SME Revisit - "
            "Payout issue.",
        ),
        sop_section="Revisit work, scenario 5",
    ),
    CaseKind.PAF_REVERSAL: Guidance(
        scenario=(
            "A partner asks to reverse a PAF and/or revisit penalty marked on a revisit job "
            "that he says was not genuine."
        ),
        checks=(
            "Find which revisit scenario the job falls under (1 to 4) and follow its checks.",
            "Check whether the PAF is genuine; on a cancelled revisit, check the call "
            "recordings and speak to the customer.",
            _PAF_GENUINE,
            _PAF_NOT_GENUINE,
            "A PAF for denying the job, not showing up or poor service (scenario 4) cannot be "
            "reversed.",
            _TAG_REVISIT_WORK,
        ),
        sop_section="Revisit work: PAF and penalty reversal form",
    ),
    CaseKind.REVISIT_ESCALATION: Guidance(
        scenario=(
            "Opened by the system when the customer asks for another revisit on the same "
            "issue after the SME revisit. The SOP names only the revisit and the SME revisit "
            "(the second one, delivered by an SME partner), so no further revisit booking is "
            "made and a supervisor takes the case."
        ),
        checks=(
            "Read the revisit history in the case description: each revisit, its partner and "
            "its status.",
            "Speak to the customer to understand why the issue is still not resolved.",
            "If the SME partner denied the job, did not show up or gave poor service, "
            "scenario 4 applies: PAF and a penalty of 60% of the total original invoice, "
            "deducted from his next payout.",
            "Decide the resolution with the customer and write it on the case.",
            _TAG_REVISIT_WORK,
        ),
        sop_section="Revisit work: beyond the SME revisit",
    ),
}
