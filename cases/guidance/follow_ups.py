"""Guidance for the pending customer action SOP (pending-customer-action.txt): follow-up
tickets after a cancelled first visit, second appointments, painting orders."""

from __future__ import annotations

from ..catalog import CaseKind
from .base import WRITE_EVERY_ACTION, Guidance

# Sentences several kinds share, so they read the same everywhere.
_FOLLOW_UP_DECLINED = (
    "If the customer no longer wants the service, ask the reason; if there is an issue, try to "
    "solve it with a complaint ticket."
)
_FOLLOW_UP_LATER = (
    "If the customer asks to be followed up later, follow them up as the policy says."
)
_CALL_SCRIPT = (
    "On the call: greet (welcome the customer, give your name and the company's), recap the "
    "order (service, price, other info), set a new appointment at a time that suits the "
    "customer, in working hours, with an available technician, and thank the customer."
)
_CALL_WITHIN_8_HOURS = (
    "Call the customer within 8 hours of operations assigning the ticket to customer support."
)
_CLOSE_IN_7_DAYS = "Close the ticket within 7 days."
_REOPEN_AFTER_30_DAYS = (
    "A ticket left waiting on customer can be reopened 30 days after the appointment day."
)


FOLLOW_UP_GUIDANCE: dict[CaseKind, Guidance] = {
    CaseKind.FOLLOW_UP_FIRST_VISIT: Guidance(
        scenario=(
            "The first visit was cancelled: the customer called to cancel and asked to be "
            "followed up for a new appointment, or the technician reached the address but "
            "could not reach the customer. The customer is called back to set a new "
            "appointment."
        ),
        checks=(
            "Cancel the visit on the dashboard, write the cancellation reason on the ticket "
            "and change the ticket's status; close any duplicate ticket with status waiting on "
            "third party.",
            "Follow the customer up twice after the day of cancellation.",
            "No answer twice during two following days: cancel the order on the dashboard and "
            "set the ticket to waiting on customer.",
            _FOLLOW_UP_DECLINED,
            "If the customer just wants to cancel, ask whether they need any follow-up; if "
            "not, resolve the ticket and cancel the order on the dashboard.",
            _FOLLOW_UP_LATER,
            "New appointment set: create a new visit on the dashboard, write the new date on "
            "the ticket, and resolve the ticket.",
            _CALL_SCRIPT,
            _CLOSE_IN_7_DAYS,
            WRITE_EVERY_ACTION,
        ),
        sop_section="Pending customer action: first appointment cancellation",
    ),
    CaseKind.FOLLOW_UP_SECOND_APPOINTMENT: Guidance(
        scenario=(
            "A second (or later) appointment is needed: after the results of an inspection "
            "visit, or because the service was not completed (missing material or another "
            "reason). Operations sends the pending customer action ticket to customer support."
        ),
        checks=(
            _CALL_WITHIN_8_HOURS,
            "Make sure the customer knows the cost within 48 (hours) at most.",
            "Follow the customer up twice since the inspection was completed.",
            "No answer twice during two following days: send a mail to convert the order "
            "from reschedule to complete on the dashboard, then set the ticket to waiting on "
            "customer.",
            _FOLLOW_UP_DECLINED,
            "If the customer just wants to cancel and needs no further follow-up, resolve the "
            "ticket and send the mail to convert the order from reschedule to complete.",
            _FOLLOW_UP_LATER,
            "New appointment set: create a new visit on the dashboard, write the new date on "
            "the ticket, and assign it to engineering operations with status pending (to Ahmed "
            "Fasial if the order needs material).",
            "No material needed: book any time a technician is available that suits the customer.",
            "Material needed: book 1 day (24 hours) after the customer confirms the material "
            "price, or up to 2 days if operations notes the material takes longer; weekends "
            "and holidays are exceptions.",
            "Change of visit time within an hour and a half of the order's start: cancel the "
            "visit, create a new one, and close the pending customer action tickets.",
            "Order completed wrongly and the customer wants it continued: open a complaint for "
            "EO asking the missing services, follow it there, and ask for the order to be "
            "converted from complete to reschedule.",
            "Escalate any lateness from another team to your direct manager or shift leader.",
            "Keep the services matching between the dashboard and the ticket system.",
            _CALL_SCRIPT,
            _CLOSE_IN_7_DAYS,
            _REOPEN_AFTER_30_DAYS,
        ),
        sop_section="Pending customer action: second appointment creation",
    ),
    CaseKind.FOLLOW_UP_PAINTING: Guidance(
        scenario=(
            "A painting order needs its appointment set: the customer agrees the quotation, "
            "the material and the days of work (a second appointment reason of the SOP)."
        ),
        checks=(
            "Tell the customer we bring all the material after the order, or the technician "
            "brings 50 % of the material before the first day and collects its fees, then "
            "brings the rest the next day and charges for it.",
            "Quote the service price as the total service cost / days of work.",
            "Quote the material at the regular price plus 10 %; if the customer asks for a tax "
            "invoice, add 29 % on.",
            "Check that operations wrote the days of work, the material list and the number "
            "of casual workers on the ticket.",
            "On the call, recap the service, price, material, days of work, material fees and "
            "material quotation (a statement of the order's materials, not a tax invoice).",
            "Order of more than one day: mail operations to block the technician's slots for "
            "all the days of work, and mention it on the ticket.",
            "Write every agreement with the customer on the ticket, then assign it to the "
            "right group.",
            "Follow the customer up once during the painting order.",
            _CALL_WITHIN_8_HOURS,
            "As for any second appointment: follow the customer up twice; no answer twice "
            "during two following days, set the ticket to waiting on customer.",
            _CLOSE_IN_7_DAYS,
        ),
        sop_section="Pending customer action: painting orders",
    ),
}
