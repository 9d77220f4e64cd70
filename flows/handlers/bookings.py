"""Handlers that change bookings: cancel, reschedule, the revisit booking and its SME flag."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from cases import selectors as case_selectors
from cases import services as case_services
from cases.catalog import Team
from cases.models import Booking, BookingStatus, CancellationCode, CancelledBy
from core.errors import InvalidInput, TransitionConflict
from partners import services as partner_services
from partners.models import SlotStatus
from policies.actions import ActionKind
from policies.decision import Action
from policies.sop import followups, oos, revisits

from ..context import original_booking
from ..decision_run import DecisionRun
from ..fills import partner_named

# The SOPs' cancellation codes as the booking's; a customer's own words are the VOC.
CANCELLATION_CODE_OF: dict[str, str] = {
    revisits.PLACED_BY_MISTAKE: CancellationCode.PLACED_REVISIT_BY_MISTAKE,
    revisits.ISSUE_RESOLVED: CancellationCode.ISSUE_RESOLVED,
    oos.CODE_INCORRECT_SERVICE: CancellationCode.INCORRECT_SERVICE_BOOKED,
    oos.CODE_PRO_CANNOT_DELIVER: CancellationCode.PRO_CANNOT_DELIVER,
    oos.CODE_CANT_DELIVER: CancellationCode.CANT_DELIVER,
    "customer_not_reachable": CancellationCode.NO_RESPONSE,
    followups.FIRST_VISIT_CUSTOMER_NOT_FOUND: CancellationCode.NO_RESPONSE,
    **{code: code for code in CancellationCode.values},
}
CANCELLED_BY_OF: dict[str, str] = {
    "customer": CancelledBy.CUSTOMER,
    "partner": CancelledBy.PARTNER,
    "agent": CancelledBy.AGENT,
    "customer_care": CancelledBy.AGENT,
    "system": CancelledBy.SYSTEM,
}


def cancel_booking(run: DecisionRun, action: Action) -> None:
    """Cancel the case's booking with the SOP's code and who cancelled (once)."""
    booking = run.booking()
    raw_code = str(action.param("code") or "")
    code = CANCELLATION_CODE_OF.get(raw_code, CancellationCode.CUSTOMER_VOC)
    cancelled_by = CANCELLED_BY_OF.get(str(action.param("cancelled_by")), CancelledBy.AGENT)
    current = Booking.objects.select_for_update().values_list("status", flat=True)
    if current.get(pk=booking.pk) == BookingStatus.CANCELLED:
        run.done(action, "already_done", booking_id=booking.pk)
        return
    case_services.transition_booking(
        booking_id=booking.pk,
        name="cancel",
        code=code,
        cancelled_by=cancelled_by,
        actor=None if run.role_checked else run.actor,
    )
    booking.refresh_from_db()
    run.done(action, booking_id=booking.pk, cancellation_code=code, sop_code=raw_code or None)


def reschedule_booking(run: DecisionRun, action: Action) -> None:
    """Move the booking to the customer's preferred date or slot (not into the past)."""
    slot = action.param("preferred_slot")
    day = action.param("preferred_date")
    if slot is None and day is None:
        run.add_task(
            action,
            "Get the customer's preferred date and reschedule the booking",
            due_hours=run.policy.params.call_task_due_minutes / 60,
        )
        return
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=run.booking().pk)
    if booking.status not in (BookingStatus.CREATED, BookingStatus.ALLOCATED):
        raise TransitionConflict(
            f"Booking {booking.external_id} is {booking.get_status_display().lower()}: "
            "it can no longer be rescheduled."
        )
    if isinstance(slot, datetime):
        booking_time = slot
        service_date = timezone.localtime(slot, run.zone).date()
    else:
        local = timezone.localtime(booking.booking_time, run.zone)
        booking_time = datetime.combine(day, local.time(), tzinfo=run.zone)
        service_date = day
    if service_date < timezone.localtime(run.now, run.zone).date():
        raise InvalidInput({"preferred_date": "A reschedule date cannot be in the past."})
    before = (booking.booking_time, booking.service_date)
    moved = case_services.reschedule_booking(
        booking_id=booking.pk,
        booking_time=booking_time,
        service_date=service_date,
        actor=run.actor,
        at=run.now,
    )
    if moved is None:
        run.done(action, "already_done", booking_id=booking.pk)
        return
    if run.case.booking is not None:
        run.case.booking.booking_time = booking_time
        run.case.booking.service_date = service_date
    run.done(
        action,
        booking_id=booking.pk,
        booking_time_from=before[0],
        booking_time_to=booking_time,
        service_date_to=service_date,
        **_keep_a_free_partner(run, booking.pk),
    )


def _keep_a_free_partner(run: DecisionRun, booking_id: int) -> dict:
    """The calendar is read at the new slot: when the allocated partner is on leave or busy
    then (and the customer did not ask for someone else, whom another step handles), the
    booking goes to the best free partner; with nobody free, operations find one."""
    booking = Booking.objects.select_related("partner").get(pk=booking_id)
    if booking.status != BookingStatus.ALLOCATED or booking.partner is None:
        return {}
    if run.decision.input("different_pro_requested"):
        return {}
    window = case_selectors.job_window(booking.booking_time)
    busy = case_selectors.busy_reason(booking.partner, *window, exclude=booking)
    if not busy:
        return {}
    free = case_selectors.free_partners(booking, limit=1)
    if not free:
        run.add_task(
            Action.of(ActionKind.ASSIGN_PARTNER, preferred=False),
            f"Rescheduled into a slot where {busy[:-1]}: find a free professional",
            team=Team.OPERATIONS,
            owner_id=run.team_lead(Team.OPERATIONS),
        )
        return {"partner_busy": busy}
    case_services.transition_booking(
        booking_id=booking.pk,
        name="reallocate",
        partner=free[0],
        actor=None if run.role_checked else run.actor,
    )
    return {"partner_busy": busy, "reallocated_to": free[0].external_id}


def create_revisit_booking(run: DecisionRun, action: Action) -> None:
    """The revisit booking of the original job (made by intake, or found, or made now)."""
    revisit = run.made_by_caller.get("revisit_booking")
    status = "applied"
    if revisit is None:
        previous = run.previous_record("revisit_booking_id")
        if previous is not None:
            revisit = Booking.objects.get(pk=previous)
            status = "already_done"
    if revisit is None:
        original = original_booking(run.booking())
        requested_on = run.decision.input("requested_on")
        revisit = case_services.new_revisit_booking(
            original=original,
            sme=run.decision.has_action("mark_sme_revisit"),
            requested_on=requested_on if isinstance(requested_on, date) else None,
            now=run.now,
        )
    run.records["revisit_booking_id"] = revisit.pk
    run.done(action, status, booking_id=revisit.pk, external_id=revisit.external_id)


def mark_sme_revisit(run: DecisionRun, action: Action) -> None:
    """The revisit booking is an SME revisit."""
    booking_id = run.records.get("revisit_booking_id")
    sme = (
        Booking.objects.filter(pk=booking_id, is_sme_revisit=True).exists() if booking_id else False
    )
    if not sme:
        # An earlier run of this decision made the revisit as a regular one; it stays so.
        run.done(action, "not_applicable", booking_id=booking_id)
        return
    run.done(action, "applied", booking_id=booking_id)


def create_visit(run: DecisionRun, action: Action) -> None:
    """The new visit of a follow-up: booked at the appointment the customer agreed (never
    earlier than the policy allows), or a task to book it when no time was set."""
    booking = run.booking()
    at = action.param("at")
    earliest = action.param("earliest_on")
    if not isinstance(at, datetime):
        title = "Book the new visit with the customer"
        if isinstance(earliest, date):
            title += f" (not before {earliest}, business days only)"
        run.add_task(action, title)
        return
    previous = run.previous_record("visit_booking_id")
    if previous is not None:
        run.records["visit_booking_id"] = previous
        run.done(action, "already_done", booking_id=previous)
        return
    visit = case_services.create_visit_booking(
        original=booking,
        at=at,
        earliest_on=earliest if isinstance(earliest, date) else None,
        zone=run.zone,
        now=run.now,
    )
    run.records["visit_booking_id"] = visit.pk
    run.done(action, booking_id=visit.pk, external_id=visit.external_id, at=at)


CONVERSIONS = {
    ("reschedule", "complete"): ("convert_to_complete", BookingStatus.COMPLETED),
    ("complete", "reschedule"): ("convert_to_reschedule", None),
}


def convert_order(run: DecisionRun, action: Action) -> None:
    """Convert the order between reschedule and complete, as the SOP's mail to operations
    asks (the booking's own transition, with its event)."""
    booking = run.booking()
    key = (str(action.param("from_status")), str(action.param("to_status")))
    if key not in CONVERSIONS:
        raise LookupError(f"No order conversion {key}.")
    name, done_when = CONVERSIONS[key]
    current = Booking.objects.values_list("status", flat=True).get(pk=booking.pk)
    if (done_when is not None and current == done_when) or (
        done_when is None and current != BookingStatus.COMPLETED
    ):
        run.done(action, "already_done", booking_id=booking.pk, booking_status=current)
        return
    if current == BookingStatus.CANCELLED:
        run.done(action, "not_applicable", booking_id=booking.pk, booking_status=current)
        return
    moved = case_services.transition_booking(
        booking_id=booking.pk, name=name, actor=None if run.role_checked else run.actor
    )
    run.done(action, booking_id=booking.pk, booking_status=moved.status)


def block_partner_slots(run: DecisionRun, action: Action) -> None:
    """Painting: close the technician's days of work as busy slots from the booking time."""
    booking = run.booking()
    days = int(action.param("days") or 1)
    if booking.partner_id is None:
        run.add_task(
            action,
            f"Assign a painter and block {days} day(s) of work in his calendar",
            team=Team.OPERATIONS,
            owner_id=run.team_lead(Team.OPERATIONS),
        )
        return
    previous = run.previous_record("blocked_slot_id")
    if previous is not None:
        run.records["blocked_slot_id"] = previous
        run.done(action, "already_done", slot_id=previous)
        return
    starts_at = booking.booking_time
    slot = partner_services.mark_slot(
        partner=booking.partner,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=days),
        status=SlotStatus.WORKING,
        actor=run.actor,
        note=f"Painting order {booking.external_id}: {days} day(s) of work.",
        role_checked=True,
    )
    run.records["blocked_slot_id"] = slot.pk
    run.done(action, slot_id=slot.pk, days=days)


def assign_partner(run: DecisionRun, action: Action) -> None:
    """Give the booking to the preferred professional (the agent named him and his calendar
    is free), or to the best free one of the same city and category; with nobody free, a
    task for operations."""
    booking = Booking.objects.select_related("partner").get(pk=run.booking().pk)
    if action.param("preferred"):
        partner = partner_named(run.given.get("preferred_partner"))
    else:
        free = case_selectors.free_partners(booking, limit=1)
        if not free:
            run.add_task(
                action,
                "No professional is free for this booking's slot: find one",
                team=Team.OPERATIONS,
                owner_id=run.team_lead(Team.OPERATIONS),
            )
            return
        partner = free[0]
    if booking.partner_id == partner.pk and booking.status != BookingStatus.CREATED:
        run.done(action, "already_done", partner=partner.external_id)
        return
    name = "allocate" if booking.status == BookingStatus.CREATED else "reallocate"
    case_services.transition_booking(
        booking_id=booking.pk,
        name=name,
        partner=partner,
        actor=None if run.role_checked else run.actor,
    )
    run.records["assigned_partner_id"] = partner.pk
    run.done(action, partner=partner.external_id, booking_id=booking.pk)
