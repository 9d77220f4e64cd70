"""Handlers that change bookings: cancel, reschedule, the revisit booking and its SME flag."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from cases import services as case_services
from cases.models import Booking, BookingStatus, CancellationCode, CancelledBy
from core.errors import InvalidInput, TransitionConflict
from policies.decision import Action
from policies.sop import followups, oos, revisits

from ..context import original_booking
from ..decision_run import DecisionRun

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
        run.next_step(action, awaiting="a date from the customer")
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
    if before == (booking_time, service_date):
        run.done(action, "already_done", booking_id=booking.pk)
        return
    Booking.objects.filter(pk=booking.pk).update(
        booking_time=booking_time, service_date=service_date, updated_at=run.now
    )
    if run.case.booking is not None:
        run.case.booking.booking_time = booking_time
        run.case.booking.service_date = service_date
    run.done(
        action,
        booking_id=booking.pk,
        booking_time_from=before[0],
        booking_time_to=booking_time,
        service_date_to=service_date,
    )


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
    if sme:
        run.done(action, "applied", booking_id=booking_id)
    else:
        run.next_step(action, awaiting="a revisit booking to mark")
