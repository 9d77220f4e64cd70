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
    ActionKind.START_CLOCK: case_state.start_clock,
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


# What the system does with each kind, in words (docs/sop-coverage.md is generated from it).
CALL = (
    "said on the contact by the agent applying the decision when that party is on the line "
    "(an inbound call or chat they started); otherwise a call task for the case's team, owned "
    "by the acting agent, due `call_task_due_minutes` (60 min) after the decision"
)
PARTNER_SUPPORT_CALL = (
    "said on the contact when the partner is on the line; otherwise a call task in partner "
    "support's queue, due `call_task_due_minutes` (60 min) after the decision"
)
CARRIED_OUT: dict[ActionKind, str] = {
    ActionKind.SET_STATUS: "performed: the case moves to the SOP's ticket status through the one "
    "transition path (duplicates of a follow-up ticket: those cases move)",
    ActionKind.SET_PRIORITY: "performed: the case's priority",
    ActionKind.ASSIGN_TEAM: "performed: the case goes to the team the SOP names",
    ActionKind.SET_TICKET_VIEW: "performed: status, priority and team of the SOP's ticket view",
    ActionKind.PARK: "performed: parked for the SOP's hours or until its event's time (a timer "
    "unparks it); an event with no time left: a task to check on it",
    ActionKind.UNPARK: "performed: back to the open queue",
    ActionKind.SCHEDULE_FOLLOWUP: "performed: the case's due time, and a follow-up call task "
    "due then (until a partner is assigned / during a painting order: a task)",
    ActionKind.START_CLOCK: "performed: an SOP clock on the case (the follow-up ticket's "
    "7-day close); the clock sweep carries out the SOP's step when it runs out",
    ActionKind.NO_PAF: "performed: recorded (no PAF, no penalty, IR not triggered)",
    ActionKind.MARK_PAF: "performed: a PAF on the job's partner (one per job and partner)",
    ActionKind.CREATE_PENALTY: "performed: the revisit penalty by the decision's SOP path "
    "(revisit jobs only), deducted by the first payout run once its PAF is genuine",
    ActionKind.CREATE_REFUND: "performed: a refund record with its refund TAT due date, for "
    "finance to approve",
    ActionKind.DEDUCT_FROM_PARTNER: "performed by the refund (approving it debits the partner "
    "once); without a refund, a task for finance's lead, due `task_due_hours` (4 h)",
    ActionKind.PARTNER_BONUS: "performed: one bonus ledger entry for the partner",
    ActionKind.OFFER_REVERSAL_FORM: "performed: the PAF and penalty reversal form logged (by "
    "partner support or a supervisor); run by an agent: a task for partner support, due 4 h",
    ActionKind.RATING_REVERSAL_FORM: "performed: the rating reversal form logged",
    ActionKind.CANCEL_BOOKING: "performed: the booking cancelled with the SOP's code and who",
    ActionKind.RESCHEDULE_BOOKING: "performed: the booking moved to the customer's date or "
    "slot; with no date yet, a task to get it (due 60 min)",
    ActionKind.CREATE_REVISIT_BOOKING: "performed: the revisit booking (SME: left for an SME "
    "partner)",
    ActionKind.MARK_SME_REVISIT: "performed: the revisit booking is an SME revisit; allocation "
    "then refuses a non-SME partner (422)",
    ActionKind.ASSIGN_PARTNER: "performed: the booking allocated to the preferred professional "
    "(his calendar read) or to the best free partner of the city and category; nobody free: a "
    "task for operations' lead, due 4 h",
    ActionKind.CREATE_VISIT: "performed: the new visit booking at the agreed time, never before "
    "the material rule's day (400); no time agreed: a task to book it, due 4 h",
    ActionKind.CONVERT_ORDER: "performed: the booking's convert-to-complete or "
    "convert-to-reschedule transition",
    ActionKind.BLOCK_PARTNER_SLOTS: "performed: the painter's days of work blocked as a working "
    "slot of his calendar; no painter yet: a task for operations' lead, due 4 h",
    ActionKind.REFUSE_REVERSAL: "performed: the job's PAF becomes genuine with the decision's "
    "reason, so reversal requests for it are refused (422); a supervisor may overturn it",
    ActionKind.EXCLUDE_FROM_MG_PLAN: "performed: the booking excluded from the partner's MG plan "
    "count, once (partners on the MG plan)",
    ActionKind.CREATE_COMPLAINT_TICKET: "performed: on an L1 contact the case itself stays open "
    "as the complaint; elsewhere a complaint case linked to this one, for the team named",
    ActionKind.RECORD_TAG: "performed: a second tag recorded on the decision",
    ActionKind.ESCALATE: "performed: the case goes to the target team, assigned to its lead (or "
    "its queue), priority raised to `escalation_priority` (safety: "
    "`safety_escalation_priority`), the lead notified in the app and by e-mail",
    ActionKind.CALL_CUSTOMER: CALL,
    ActionKind.CALL_PARTNER: CALL + "; asking him to mark leave for a slot marks it",
    ActionKind.ASK_CUSTOMER_TO_CANCEL: CALL,
    ActionKind.ASK_PARTNER_TO_CANCEL: PARTNER_SUPPORT_CALL,
    ActionKind.CLOSE_AT_BPC: PARTNER_SUPPORT_CALL,
    ActionKind.REQUEST_IMAGES: "task: get the images (partner support) or the screenshot (the "
    "case's team), due `task_due_hours` (4 h)",
    ActionKind.SEND_OB_FORM: "task: send the OB form to the customer's confirmed e-mail, due 4 h "
    "(the case is parked for the reply TAT)",
    ActionKind.ROUTE_TO_SOP: "task for finance's lead: check the revisit payout under the "
    "revisit payment SOP, due 4 h",
    ActionKind.REOPEN_BOOKING: "task for operations' lead: reopen the job in the order system, "
    "due 4 h",
    ActionKind.REVERSE_PAF: "task for the trainer (training lead), due on the training / review "
    "date (`training_review_business_days` business days); closing it with the finding reviews "
    "the PAF and, not at fault, logs the reversal form for finance",
}
