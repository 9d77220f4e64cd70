"""Intake: a customer asks for a revisit, a partner raises an out-of-scope ticket. Each opens
the case that follows and applies the SOP's gate decision to it (422 when the SOP refuses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.catalog import CaseKind
from cases.models import Booking, BookingStatus, Case, Channel, Reporter
from core import roles
from core.errors import InvalidInput, NotFoundError, NotPermitted, TransitionConflict
from core.moments import refuse_future
from core.roles import User
from partners.models import Partner
from policies.decision import Decision
from policies.selectors import policy_in_force
from policies.sop import oos, revisits

from .context import original_booking, prior_revisits_of, service_day_start
from .fills import measured_distance_m
from .flow import PreparedCall
from .loading import lock_case_with_records
from .refusals import keeping_refusals, refused
from .runner import CLOSED_STATES, apply_decision

# A case opened for a revisit: the customer says the work was not done properly. The catalog
# has no neutral "revisit requested" kind; the scenario flows run on every revisit kind.
REVISIT_CASE_KIND = CaseKind.REVISIT_PARTNER_FAULT
BEYOND_SME = "revisit_beyond_sme_escalated"


@dataclass(frozen=True)
class RevisitResult:
    """A revisit made: its booking, the case that follows it, the warranty decision."""

    booking: Booking | None  # None: escalated instead (a revisit after the SME one)
    case: Case
    decision: Decision


@dataclass(frozen=True)
class OosTicketResult:
    """An out-of-scope ticket: its case, the eligibility decision (None when an open ticket
    was returned), whether it was created now."""

    case: Case
    decision: Decision | None
    created: bool


def _may_request_revisits(actor: User | None) -> bool:
    # Case workers, and the customer app / booking platform (allowed to push bookings).
    return roles.has_role(actor, roles.CASE_WORKERS) or roles.may_add(actor, Booking)


def create_revisit(
    *,
    booking_id: int,
    actor: User | None,
    requested_on: date | None = None,
    issue_note: str = "",
) -> RevisitResult:
    """A customer asks for a revisit of a job: allowed inside the warranty of the version in
    force on the service date (422 outside it); the second revisit on the issue is an SME
    revisit. Creates the revisit booking and the case that follows it."""
    if not _may_request_revisits(actor):
        raise NotPermitted("Your role may not create revisits.")
    with keeping_refusals(), transaction.atomic():
        try:
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("city__region", "revisit_of")
                .get(pk=booking_id)
            )
        except Booking.DoesNotExist:
            raise NotFoundError(f"Booking {booking_id} does not exist.") from None
        original = original_booking(booking)
        if original.pk != booking.pk:
            original = Booking.objects.select_for_update(of=("self",)).get(pk=original.pk)
        if original.status != BookingStatus.COMPLETED:
            raise TransitionConflict(
                f"Booking {original.external_id} is {original.get_status_display().lower()}: "
                "only completed jobs can be revisited.",
                code="not_completed",
            )
        zone = ZoneInfo(original.city.region.timezone)
        # The day the customer asked has happened: a day after today (region time) is a 400.
        refuse_future(requested_on, "requested_on", zone=zone)
        requested_on = requested_on or timezone.localtime(timezone.now(), zone).date()
        policy = policy_in_force(service_day_start(original))
        prior = prior_revisits_of(original)
        try:
            decision = revisits.may_create_revisit(
                service_date=original.service_date,
                requested_on=requested_on,
                prior_revisits_on_issue=prior,
                policy=policy,
            )
        except ValueError as exc:
            raise InvalidInput({"requested_on": str(exc)}) from exc
        now = timezone.now()
        if decision.outcome == BEYOND_SME:
            return _escalate_revisit(original, decision, actor, policy, now, issue_note)
        if decision.refused:
            raise refused(decision, booking=original, actor=actor, zone=zone)
        revisit = case_services.new_revisit_booking(
            original=original,
            sme=decision.has_action("mark_sme_revisit"),
            requested_on=requested_on,
            now=now,
        )
        staff = roles.has_role(actor, roles.CASE_WORKERS)
        case = case_services.create_case(
            actor=actor,
            kind=REVISIT_CASE_KIND,
            channel=Channel.INBOUND_CALL if staff else Channel.SYSTEM,
            reporter=Reporter.CUSTOMER,
            subject=f"Revisit of {original.external_id}"
            + (" (SME)" if revisit.is_sme_revisit else ""),
            description=issue_note.strip(),
            booking=revisit,
        )
        case = lock_case_with_records(case.pk)
        apply_decision(
            case,
            decision,
            actor,
            policy=policy,
            now=now,
            role_checked=True,
            made_by_caller={"revisit_booking": revisit},
        )
    return RevisitResult(booking=revisit, case=case, decision=decision)


def _escalate_revisit(
    original: Booking, decision: Decision, actor: User | None, policy, now, issue_note: str
) -> RevisitResult:
    """A revisit after the SME one: no booking; a case for a supervisor with the history."""
    history = [
        f"{revisit.external_id}: {revisit.service_date}, "
        f"{revisit.partner or 'no partner yet'}{' (SME)' if revisit.is_sme_revisit else ''}, "
        f"{revisit.get_status_display().lower()}"
        for revisit in Booking.objects.filter(revisit_of=original)
        .select_related("partner")
        .order_by("booking_time", "id")
    ]
    case = case_services.create_case(
        actor=actor,
        kind=CaseKind.REVISIT_ESCALATION,
        channel=Channel.SYSTEM,
        reporter=Reporter.CUSTOMER,
        subject=f"Another revisit asked for {original.external_id} after the SME revisit",
        description="\n".join(
            [*(["Customer: " + issue_note.strip()] if issue_note.strip() else []), *history]
        ),
        booking=original,
    )
    case = lock_case_with_records(case.pk)
    apply_decision(case, decision, actor, policy=policy, now=now, role_checked=True)
    case.refresh_from_db()
    return RevisitResult(booking=None, case=case, decision=decision)


# --- out-of-scope tickets --------------------------------------------------------------------


def _oos_partner(booking: Booking, who: User | Partner | None) -> tuple[User | None, bool]:
    """(the actor to record, raised by the partner himself). A partner login raises only for
    its own jobs; partner support and supervisors raise on a partner's behalf."""
    if isinstance(who, Partner):
        if booking.partner_id != who.pk:
            raise NotPermitted("A partner may raise out-of-scope tickets only for own jobs.")
        return who.user, True
    if roles.has_role(who, roles.REVERSAL_LOGGERS):
        return who, False
    partner = getattr(who, "partner", None) if who is not None and who.is_authenticated else None
    if partner is None or not partner.is_active:
        raise NotPermitted("Only partners, partner support and supervisors raise OOS tickets.")
    if booking.partner_id != partner.pk:
        raise NotPermitted("A partner may raise out-of-scope tickets only for own jobs.")
    return who, True


def _coordinate(value: Any, name: str, limit: int) -> Decimal:
    try:
        number = Decimal(str(value))
    except Exception:
        raise InvalidInput({name: "Must be a number of degrees."}) from None
    if not number.is_finite() or abs(number) > limit:
        raise InvalidInput({name: f"Must be between -{limit} and {limit} degrees."})
    return number


def raise_oos_ticket(
    *,
    booking_id: int,
    partner_actor_or_partner: User | Partner | None,
    latitude: Decimal | float | str,
    longitude: Decimal | float | str,
    images: list[str],
    note: str = "",
) -> OosTicketResult:
    """A partner at the job says the work is out of scope: RWM partners in RWM cities may not
    (422 oos_refused_rwm_partner), he must be within the radius of the customer (422
    oos_refused_too_far) and share images (422 oos_images_required). Otherwise an
    out-of-scope case is opened, tagged, and parked for the validation call. Raising again
    while the ticket is open returns it."""
    lat = _coordinate(latitude, "latitude", 90)
    lng = _coordinate(longitude, "longitude", 180)
    images = [str(ref).strip() for ref in images or [] if str(ref).strip()]
    with keeping_refusals(), transaction.atomic():
        try:
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("partner", "city__region")
                .get(pk=booking_id)
            )
        except Booking.DoesNotExist:
            raise NotFoundError(f"Booking {booking_id} does not exist.") from None
        actor, by_partner = _oos_partner(booking, partner_actor_or_partner)
        if booking.partner is None:
            raise InvalidInput({"booking": "The job has no partner."})
        if booking.status in (BookingStatus.COMPLETED, BookingStatus.CANCELLED):
            raise TransitionConflict(
                f"Booking {booking.external_id} is {booking.get_status_display().lower()}.",
                code="booking_closed",
            )
        if booking.latitude is None or booking.longitude is None:
            raise InvalidInput({"booking": "The job has no customer location to measure from."})
        existing = (
            Case.objects.filter(booking=booking, kind=CaseKind.OUT_OF_SCOPE)
            .exclude(status__in=CLOSED_STATES)
            .order_by("-id")
            .first()
        )
        if existing is not None:
            return OosTicketResult(case=existing, decision=None, created=False)
        distance = measured_distance_m(booking.latitude, booking.longitude, lat, lng)
        now = timezone.now()
        policy = policy_in_force(now)
        decision = oos.decide_oos_eligibility(
            partner_is_rwm=booking.partner.is_rwm,
            city=booking.city.name,
            distance_m=distance,
            images_shared=bool(images),
            policy=policy,
        )
        if decision.refused or decision.outcome == "oos_images_required":
            raise refused(
                decision,
                booking=booking,
                actor=actor,
                zone=ZoneInfo(booking.city.region.timezone),
                given={"images": images, "on_behalf": not by_partner},
                filled={"distance_m": distance},
            )
        case = case_services.create_case(
            actor=actor,
            kind=CaseKind.OUT_OF_SCOPE,
            channel=Channel.PARTNER_APP if by_partner else Channel.INBOUND_CALL,
            reporter=Reporter.PARTNER,
            subject=f"Out of scope: {booking.external_id}",
            description=note.strip(),
            booking=booking,
        )
        case = lock_case_with_records(case.pk)
        prepared = PreparedCall(
            kwargs={},
            given={
                "latitude": lat,
                "longitude": lng,
                "images": images,
                "note": note.strip(),
                "on_behalf": not by_partner,
            },
            filled={"distance_m": distance},
        )
        apply_decision(
            case, decision, actor, policy=policy, prepared=prepared, now=now, role_checked=True
        )
        case.refresh_from_db()
    return OosTicketResult(case=case, decision=decision, created=True)
