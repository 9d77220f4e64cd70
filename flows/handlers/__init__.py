"""The handler table: what carries out each action kind a decision can name. Every kind in
policies.actions.ActionKind has exactly one entry; an unknown kind fails loudly."""

from __future__ import annotations

from collections.abc import Callable

from policies.actions import ActionKind
from policies.decision import Action

from ..decision_run import DecisionRun
from . import bookings, case_state, money, people

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
    # people
    ActionKind.ASK_CUSTOMER_TO_CANCEL: people.instruct,
    ActionKind.ASK_PARTNER_TO_CANCEL: people.instruct,
    ActionKind.CALL_PARTNER: people.instruct,
    ActionKind.CALL_CUSTOMER: people.instruct,
    ActionKind.ESCALATE: people.instruct,
    ActionKind.REQUEST_IMAGES: people.instruct,
    ActionKind.CLOSE_AT_BPC: people.instruct,
    ActionKind.CREATE_COMPLAINT_TICKET: people.instruct,
    ActionKind.SEND_OB_FORM: people.instruct,
    ActionKind.RECORD_TAG: people.instruct,
    ActionKind.ROUTE_TO_SOP: people.instruct,
    ActionKind.ASSIGN_PARTNER: people.instruct,
    ActionKind.REOPEN_BOOKING: people.instruct,
    ActionKind.CREATE_VISIT: people.instruct,
    ActionKind.CONVERT_ORDER: people.instruct,
    ActionKind.BLOCK_PARTNER_SLOTS: people.instruct,
    ActionKind.REFUSE_REVERSAL: people.instruct,
    ActionKind.EXCLUDE_FROM_MG_PLAN: people.await_service,
    ActionKind.REVERSE_PAF: people.await_service,
}


def carry_out(run: DecisionRun, action: Action) -> None:
    """Carry out one action of the decision; a kind without a handler is a programming error."""
    try:
        handler = HANDLERS[action.kind]
    except KeyError:
        raise LookupError(f"No handler for action kind {action.kind!r}.") from None
    handler(run, action)
