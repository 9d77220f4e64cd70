"""The handler table: what carries out each action kind a decision can name. Every kind in
policies.actions.ActionKind has exactly one entry; an unknown kind fails loudly. A handler
performs its action in the decision's transaction (a state change, a record, a ledger entry,
a booking change) or turns it into a task with an owner and a due time (DecisionRun.add_task);
nothing is left as a line of text."""

from __future__ import annotations

from collections.abc import Callable

from policies.actions import ActionKind
from policies.decision import Action

from ..decision_run import DecisionRun
from . import bookings, case_state, escalation, money, people, records

Handler = Callable[[DecisionRun, Action], None]

HANDLERS: dict[ActionKind, Handler] = {
    # the case
    ActionKind.SET_STATUS: case_state.set_status,
    ActionKind.SET_PRIORITY: case_state.set_priority,
    ActionKind.ASSIGN_TEAM: case_state.assign_team,
    ActionKind.SET_TICKET_VIEW: case_state.set_ticket_view,
    ActionKind.PARK: case_state.park,
    ActionKind.UNPARK: case_state.unpark,
    ActionKind.SCHEDULE_FOLLOWUP: case_state.schedule_followup,
    # partner money and its records
    ActionKind.NO_PAF: money.no_paf,
    ActionKind.MARK_PAF: money.mark_paf,
    ActionKind.CREATE_PENALTY: money.create_penalty,
    ActionKind.CREATE_REFUND: money.create_refund,
    ActionKind.DEDUCT_FROM_PARTNER: money.deduct_from_partner,
    ActionKind.PARTNER_BONUS: money.partner_bonus,
    ActionKind.OFFER_REVERSAL_FORM: money.offer_reversal_form,
    ActionKind.RATING_REVERSAL_FORM: money.rating_reversal_form,
    # bookings
    ActionKind.CANCEL_BOOKING: bookings.cancel_booking,
    ActionKind.RESCHEDULE_BOOKING: bookings.reschedule_booking,
    ActionKind.CREATE_REVISIT_BOOKING: bookings.create_revisit_booking,
    ActionKind.MARK_SME_REVISIT: bookings.mark_sme_revisit,
    ActionKind.ASSIGN_PARTNER: bookings.assign_partner,
    ActionKind.CREATE_VISIT: bookings.create_visit,
    ActionKind.CONVERT_ORDER: bookings.convert_order,
    ActionKind.BLOCK_PARTNER_SLOTS: bookings.block_partner_slots,
    # records beside the case
    ActionKind.REFUSE_REVERSAL: money.refuse_reversal,
    ActionKind.EXCLUDE_FROM_MG_PLAN: money.exclude_from_mg_plan,
    ActionKind.CREATE_COMPLAINT_TICKET: records.create_complaint_ticket,
    ActionKind.RECORD_TAG: records.record_tag,
    ActionKind.ESCALATE: escalation.escalate,
    # people: told on the contact when they are on the line, else tasks
    ActionKind.CALL_CUSTOMER: people.call,
    ActionKind.CALL_PARTNER: people.call,
    ActionKind.ASK_CUSTOMER_TO_CANCEL: people.ask_to_cancel,
    ActionKind.ASK_PARTNER_TO_CANCEL: people.ask_to_cancel,
    ActionKind.CLOSE_AT_BPC: people.close_at_bpc,
    ActionKind.REQUEST_IMAGES: people.request_images,
    ActionKind.SEND_OB_FORM: people.send_ob_form,
    ActionKind.REOPEN_BOOKING: people.reopen_booking,
    ActionKind.ROUTE_TO_SOP: people.route_to_sop,
    ActionKind.REVERSE_PAF: people.review_oos_paf,
}


def carry_out(run: DecisionRun, action: Action) -> None:
    """Carry out one action of the decision; a kind without a handler is a programming error."""
    try:
        handler = HANDLERS[action.kind]
    except KeyError:
        raise LookupError(f"No handler for action kind {action.kind!r}.") from None
    handler(run, action)
