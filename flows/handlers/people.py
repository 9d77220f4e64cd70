"""Actions that ask a person to do something. Said to the party on the line, they are done
by the agent applying the decision (recorded as told on the contact); anything for later, or
for someone else, becomes a task with an owner and a due time."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from cases.catalog import Team
from cases.models import Channel, Reporter
from partners import services as partner_services
from partners.models import SlotStatus
from policies.actions import ActionKind
from policies.calendar import calendar_for
from policies.decision import Action

from ..decision_run import DecisionRun

# Contacts where the customer or the partner is on the line while the agent decides.
LIVE_CHANNELS = (Channel.INBOUND_CALL, Channel.CHAT)
PARTY_OF = {
    ActionKind.CALL_CUSTOMER: Reporter.CUSTOMER,
    ActionKind.ASK_CUSTOMER_TO_CANCEL: Reporter.CUSTOMER,
    ActionKind.CALL_PARTNER: Reporter.PARTNER,
    ActionKind.ASK_PARTNER_TO_CANCEL: Reporter.PARTNER,
    ActionKind.CLOSE_AT_BPC: Reporter.PARTNER,
}
# Calls the SOP makes later, whoever is on the line now ("after 3 hours, we will call").
LATER_CALLS = frozenset({"confirm_issue", "recap_painting_quotation"})


def _words(code: object) -> str:
    return str(code or "").replace("_", " ").strip()


def on_the_line(run: DecisionRun, party: str) -> bool:
    """The party is the one who contacted us, on a live channel: told now, by the agent."""
    return run.case.reporter == party and run.case.channel in LIVE_CHANNELS


def _tell_or_task(run: DecisionRun, action: Action, title: str, *, team: str | None = None):
    party = PARTY_OF[action.kind]
    if on_the_line(run, party) and action.param("purpose") not in LATER_CALLS:
        run.done(action, "told_on_contact", party=party)
        return
    run.add_task(action, title, team=team, due_hours=run.policy.params.call_task_due_minutes / 60)


def call(run: DecisionRun, action: Action) -> None:
    """A call to the customer or the partner: said now if they are on the line, else a call
    task. Asking the partner to mark leave for a slot marks it in his calendar."""
    purpose = str(action.param("purpose") or "")
    if purpose == "mark_leave_for_slot":
        _mark_leave(run, action)
        return
    who = "customer" if action.kind == ActionKind.CALL_CUSTOMER else "partner"
    due_by = action.param("due_by")
    if due_by is not None and not on_the_line(run, PARTY_OF[action.kind]):
        end_of_day = datetime.combine(due_by, time(23, 59), tzinfo=run.zone)
        run.add_task(action, f"Call the {who}: {_words(purpose)}", due_at=end_of_day)
        return
    _tell_or_task(run, action, f"Call the {who}: {_words(purpose)}")


def _mark_leave(run: DecisionRun, action: Action) -> None:
    booking, partner = run.job()
    starts_at = booking.booking_time
    ends_at = starts_at + timedelta(hours=run.policy.params.job_duration_hours)
    slot = partner_services.mark_slot(
        partner=partner,
        starts_at=starts_at,
        ends_at=ends_at,
        status=SlotStatus.ON_LEAVE,
        actor=run.actor,
        note=f"Marked for {booking.external_id} (case #{run.case.pk}): keep off this booking.",
        role_checked=True,
    )
    run.records["leave_slot_id"] = slot.pk
    run.done(action, slot_id=slot.pk, starts_at=starts_at, ends_at=ends_at)


def ask_to_cancel(run: DecisionRun, action: Action) -> None:
    """Ask the customer (or the partner) to cancel the booking under the SOP's code."""
    who = "customer" if action.kind == ActionKind.ASK_CUSTOMER_TO_CANCEL else "partner"
    team = Team.PARTNER_SUPPORT if who == "partner" else None
    code = _words(action.param("code"))
    _tell_or_task(run, action, f"Ask the {who} to cancel the booking ({code})".strip(), team=team)


def close_at_bpc(run: DecisionRun, action: Action) -> None:
    """RWM partners may not cancel through OOS: tell the partner to close the job at BPC."""
    _tell_or_task(
        run, action, "Tell the partner to close the job at BPC", team=Team.PARTNER_SUPPORT
    )


def request_images(run: DecisionRun, action: Action) -> None:
    """Get the proof the SOP asks for: the partner's images, or the customer's screenshot."""
    party = str(action.param("from_party") or "partner")
    what = _words(action.param("what") or "images of the work")
    team = Team.PARTNER_SUPPORT if party == "partner" else None
    run.add_task(action, f"Get {what} from the {party}", team=team)


def send_ob_form(run: DecisionRun, action: Action) -> None:
    """Send the OB form to the customer's confirmed e-mail (the reply TAT is the park)."""
    tat = action.param("tat_hours") or run.policy.params.ob_form_tat_hours
    email = run.case.customer.email if run.case.customer_id else ""
    to = f" ({email})" if email else ""
    run.add_task(action, f"Send the OB form to the customer{to}; reply within {tat} h")


def reopen_booking(run: DecisionRun, action: Action) -> None:
    """Reopen the job in the order system (operations)."""
    reason = _words(action.param("reason"))
    title = "Reopen the job in the order system" + (f" ({reason})" if reason else "")
    run.add_task(action, title, team=Team.OPERATIONS, owner_id=run.team_lead(Team.OPERATIONS))


def route_to_sop(run: DecisionRun, action: Action) -> None:
    """Scenario 5: a revisit payment issue is handled under the revisit payment SOP."""
    sop = _words(action.param("sop")) or "revisit payment SOP"
    run.add_task(
        action,
        f"Check the revisit payment under the {sop}",
        team=Team.FINANCE,
        owner_id=run.team_lead(Team.FINANCE),
    )


def review_oos_paf(run: DecisionRun, action: Action) -> None:
    """OOS step 5: the cancellation against the partner is reviewed on the training or review
    date, a task for the trainer due that day (business days in the region's calendar)."""
    region = run.case.city.region
    today = run.now.astimezone(run.zone).date()
    calendar = calendar_for(
        region.country, range(today.year, today.year + 2), weekend_days=region.weekend_days or None
    )
    day = calendar.add_business_days(today, run.policy.params.training_review_business_days)
    due = datetime.combine(day, time(23, 59), tzinfo=run.zone)
    run.add_task(
        action,
        "Training / review date: reverse the cancellation against the partner if he was not "
        "at fault (OOS step 5)",
        team=Team.TRAINING,
        owner_id=run.team_lead(Team.TRAINING),
        due_at=due,
    )
