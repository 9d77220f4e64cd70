"""The demo world's partner calendars and cases: every case kind, moved through the one
transition path to a realistic mix of states."""

from __future__ import annotations

from datetime import date, timedelta

from cases import services
from cases.catalog import CaseKind, Team, default_team
from cases.models import (
    Booking,
    BookingStatus,
    CancelledBy,
    CaseStatus,
    Channel,
    DispositionTag,
    PaymentMode,
    Priority,
    Reporter,
)
from partners.models import (
    CalendarSlot,
    LineOfBusiness,
    SlotStatus,
)

from .seed import (
    FOLLOW_UP_KINDS,
    NO_BOOKING_KINDS,
    PARTNER_KINDS,
    SLA_HOURS,
    VOICE,
    transition_reason,
)


class WorldCases:
    """The demo world's calendars and cases (a part of WorldBuilder)."""

    def _calendar(self) -> None:
        """Working slots for upcoming allocated jobs; a few partners on leave."""
        slots = []
        busy: dict[int, set[date]] = {}
        for booking in self.all_bookings:
            if booking.status != BookingStatus.ALLOCATED or booking.partner is None:
                continue
            slots.append(
                CalendarSlot(
                    partner=booking.partner,
                    starts_at=booking.booking_time,
                    ends_at=booking.booking_time + timedelta(hours=2),
                    status=SlotStatus.WORKING,
                    note=f"Job {booking.external_id}",
                )
            )
            busy.setdefault(booking.partner_id, set()).add(booking.service_date)
        for partner in self.rng.sample(self.partners, len(self.partners) // 5):
            city = partner.city
            today = self.now.astimezone(self._tz(city)).date()
            first = today + timedelta(days=self.rng.randint(0, 8))
            for offset in range(self.rng.randint(1, 3)):
                day = first + timedelta(days=offset)
                if day in busy.get(partner.pk, set()):
                    continue
                slots.append(
                    CalendarSlot(
                        partner=partner,
                        starts_at=self._local(city, day, 8),
                        ends_at=self._local(city, day, 21),
                        status=SlotStatus.ON_LEAVE,
                        note=self.rng.choice(("Family function", "Sick leave", "Festival")),
                    )
                )
        CalendarSlot.objects.bulk_create(slots)
        self.summary.slots = len(slots)

    # cases

    def _booking_for(self, kind: str) -> Booking | None:
        b = BookingStatus
        if kind in NO_BOOKING_KINDS:
            return None
        if kind.startswith("revisit_") or kind == CaseKind.PAF_REVERSAL:
            pool = self.revisit_bookings
            if kind == CaseKind.REVISIT_PAYMENT:
                pool = [r for r in pool if r.is_sme_revisit] or pool
        elif kind in (CaseKind.OUT_OF_SCOPE, CaseKind.OOS_OTP_OR_PAYMENT, CaseKind.RATING_REVERSAL):
            pool = [
                x
                for x in self.bookings
                if x.cancelled_by == CancelledBy.PARTNER or x.status == b.STARTED
            ]
        elif kind == CaseKind.FOLLOW_UP_PAINTING:
            pool = [x for x in self.bookings if x.lob == LineOfBusiness.PAINTING]
        elif kind == CaseKind.FOLLOW_UP_FIRST_VISIT:
            pool = [x for x in self.bookings if x.status == b.CANCELLED]
        elif kind in (CaseKind.REFUND_STATUS,):
            pool = [
                x
                for x in self.bookings
                if x.status == b.CANCELLED and x.payment_mode == PaymentMode.ONLINE
            ]
        elif kind == CaseKind.PAYMENT_NOT_CONFIRMED:
            pool = [
                x
                for x in self.bookings
                if x.status == b.CREATED and x.payment_mode == PaymentMode.ONLINE
            ]
        elif kind in (
            CaseKind.STATUS_CHECK,
            CaseKind.CANCELLATION_REQUEST,
            CaseKind.ADDRESS_CHANGE,
            CaseKind.CHANGE_REQUEST,
            CaseKind.RESCHEDULE,
            CaseKind.PREFERRED_PROFESSIONAL,
            CaseKind.PRE_SERVICE_CANCELLATION,
            CaseKind.CONTACT_EDIT,
            CaseKind.OB_FORM,
        ):
            pool = [x for x in self.bookings if x.status in (b.CREATED, b.ALLOCATED)]
        elif kind == CaseKind.WRONG_JOB_STARTED:
            pool = [x for x in self.bookings if x.status in (b.STARTED, b.COMPLETED)]
        else:  # after service: complaints, damage, invoice, extra charges, second appointment
            pool = [x for x in self.bookings if x.status == b.COMPLETED]
        return self.rng.choice(pool or self.bookings)

    def _status_plan(self) -> list[str]:
        s = CaseStatus
        weights = {
            s.NEW: 10,
            s.OPEN: 18,
            s.PENDING: 10,
            s.PARKED: 8,
            s.WAITING_ON_CUSTOMER: 10,
            s.WAITING_ON_THIRD_PARTY: 6,
            s.RESOLVED: 14,
            s.CLOSED: 24,
        }
        plan = list(weights)  # every status at least once
        plan += self.rng.choices(
            list(weights), weights=list(weights.values()), k=self.N_CASES - len(plan)
        )
        self.rng.shuffle(plan)
        return plan

    def _path(self, kind: str, status: str) -> list[str]:
        """The transitions that take a new case to the status, with some detours."""
        s = CaseStatus
        r = self.rng.random()
        if status == s.NEW:
            return []
        if status == s.OPEN:
            return ["open", "resolve", "reopen"] if r < 0.12 else ["open"]
        if status == s.PENDING:
            return ["open", "mark_pending"]
        if status == s.PARKED:
            return ["park"] if r < 0.25 else ["open", "park"]
        if status == s.WAITING_ON_CUSTOMER:
            return (
                ["open", "mark_pending", "wait_on_customer"]
                if r < 0.3
                else ["open", "wait_on_customer"]
            )
        if status == s.WAITING_ON_THIRD_PARTY:
            return ["open", "wait_on_third_party"]
        if status == s.RESOLVED:
            return ["open", "mark_pending", "resume", "resolve"] if r < 0.3 else ["open", "resolve"]
        return (
            ["open", "resolve", "reopen", "resolve", "close"]
            if r < 0.1
            else ["open", "resolve", "close"]
        )

    def _priority(self, kind: str) -> str:
        if kind == CaseKind.SAFETY_INCIDENT:
            return Priority.URGENT
        if kind == CaseKind.PROPERTY_DAMAGE:
            return Priority.HIGH
        return self.rng.choices(Priority.values, weights=(35, 40, 18, 7))[0]

    def _cases(self) -> None:
        agent, partner_support = self.users["agent"], self.users["partnersup"]
        supervisor = self.users["supervisor"]
        tags = {
            kind: list(
                DispositionTag.objects.filter(
                    is_selectable=True, kinds__contains=[kind]
                ).values_list("path", flat=True)
            )
            for kind in CaseKind.values
        }
        kinds = list(CaseKind.values)
        kinds_seen: set[str] = set()
        for i, status in enumerate(self._status_plan()):
            kind = kinds[i % len(kinds)]
            if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and not tags[kind]:
                status = CaseStatus.OPEN  # nothing to resolve it with
            booking = self._booking_for(kind)
            is_partner = kind in PARTNER_KINDS
            if is_partner:
                channel, reporter, creator = Channel.PARTNER_APP, Reporter.PARTNER, partner_support
            elif kind in FOLLOW_UP_KINDS:
                channel, reporter, creator = Channel.SYSTEM, Reporter.CUSTOMER, None
            else:
                channel = self.rng.choices(
                    (Channel.INBOUND_CALL, Channel.CHAT, Channel.EMAIL), weights=(6, 3, 1)
                )[0]
                reporter, creator = Reporter.CUSTOMER, agent
            team = default_team(kind)
            priority = self._priority(kind)
            if priority == Priority.URGENT and self.rng.random() < 0.5:
                team = Team.ESCALATIONS
            elif kind in (CaseKind.FOLLOW_UP_SECOND_APPOINTMENT, CaseKind.FOLLOW_UP_PAINTING):
                team = self.rng.choice((team, Team.ENGINEERING_OPS))
            due_at = self.now + timedelta(hours=SLA_HOURS[priority])
            overdue = status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and (
                self.rng.random() < 0.2
            )
            if overdue:
                due_at = self.now - timedelta(hours=self.rng.randint(1, 72))
                self.summary.overdue += 1
            customer = booking.customer if booking else self.rng.choice(self.customers)
            subject = CaseKind(kind).label
            if booking is not None:
                subject = f"{subject}: {booking.external_id}"
            case = services.create_case(
                actor=creator,
                kind=kind,
                channel=channel,
                reporter=reporter,
                subject=subject,
                description=VOICE.get(kind, ""),
                booking=booking,
                customer=customer,
                team=team,
                priority=priority,
                due_at=due_at,
            )
            worker = {
                Team.PARTNER_SUPPORT: partner_support,
                Team.ESCALATIONS: supervisor,
            }.get(team, agent)
            if status != CaseStatus.NEW or self.rng.random() < 0.3:
                services.update_case(
                    case_id=case.pk,
                    actor=worker,
                    changes={"assignee": worker},
                    reason="Assigned from the queue.",
                )
            for name in self._path(kind, status):
                data = {}
                if name == "park":
                    hours = 3 if kind == CaseKind.OUT_OF_SCOPE else self.rng.randint(2, 72)
                    data["parked_until"] = self.now + timedelta(hours=hours)
                elif name == "resolve":
                    data["disposition"] = self.rng.choice(tags[kind])
                actor = supervisor if name == "reopen" else worker
                case = services.transition_case(
                    case_id=case.pk,
                    name=name,
                    actor=actor,
                    data=data,
                    reason=transition_reason(name),
                )
                self.summary.transitions += 1
            self.summary.cases[case.status] += 1
            kinds_seen.add(kind)
        self.summary.kinds = len(kinds_seen)
