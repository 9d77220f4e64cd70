"""The payouts part of the demo: partner money made only through payouts.services and the SOP
flows, added once (its first job is its marker)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from cases import selectors as case_selectors
from cases import services
from cases.catalog import CaseKind
from cases.models import (
    Booking,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    Case,
    CaseStatus,
    Channel,
    Customer,
    PaymentMode,
    Priority,
    Reporter,
)
from flows import runner
from partners.models import (
    City,
    Partner,
    Region,
)
from payouts import services as payouts
from payouts.models import (
    EntryKind,
    PartnerAtFault,
    PayoutRun,
    RunState,
)
from policies.decision import Decision
from policies.selectors import policy_in_force

from .money_scenarios import MoneyScenarios
from .money_summary import (
    BONUS_JOBS,
    DEMO_PREFIX,
    DISPUTE_SKUS,
    FOLLOW_UP_CALLS,
    GOODWILL_SKUS,
    MONEY_PREFIX,
    OOS_JOBS,
    PAF_DISPUTES,
    SCENARIO_4,
    SKU_INDEX,
)
from .seed import (
    HISTORY_PREFIX,
    SLA_HOURS,
    VOICE,
    near,
    profile,
    sku_price,
    transition_reason,
)


class MoneyDemoBuilder(MoneyScenarios):
    """The payouts part of the demo; see the comment above MONEY_PREFIX."""

    PREFIX = MONEY_PREFIX  # the external ids of the jobs this builder pushes

    def __init__(self, *, seed: int, users: dict[str, User]) -> None:
        self.rng = random.Random(seed + 1)
        self.agent = users["agent"]
        self.partnersup = users["partnersup"]
        self.finance = users["finance"]
        self.supervisor = users["supervisor"]
        self.now = timezone.now()
        self.pushed = 0
        self.case_ids: list[int] = []
        self.notes: list[str] = []
        self.india = Region.objects.get(country="IN")
        zone = ZoneInfo(self.india.timezone)
        self.month_start = self.now.astimezone(zone).date().replace(day=1)
        self.last_end = self.month_start - timedelta(days=1)
        self.last_start = self.last_end.replace(day=1)
        self._pools()

    def build(self) -> list[str]:
        disputed = self._disputed_revisits()  # pushed first: holds the marker
        originals = [self._recent_job(country, sku) for country, sku, _ in SCENARIO_4]
        goodwill = [self._goodwill_job(sku) for sku in GOODWILL_SKUS]
        wrong_job = self._job(
            city=self._city("IN"),
            sku="CLN-KITCHEN",
            status=BookingStatus.COMPLETED,
            at=self._local_at("IN", days=-1, hour=10),
        )
        bonus = [
            self._job(
                city=self._city(country),
                sku=sku,
                status=BookingStatus.ALLOCATED,
                at=self._local_at(country, days=1, hour=11),
            )
            for country, sku in BONUS_JOBS
        ]
        oos_jobs = [
            self._job(
                city=self._city("IN"),
                sku=sku,
                status=BookingStatus.STARTED,
                at=(self.now - timedelta(minutes=40)).replace(second=0, microsecond=0),
            )
            for sku, _, _ in OOS_JOBS
        ]
        follow_up = [
            self._job(
                city=self._city(country),
                sku=self.rng.choice(("AC-SRV-LITE", "RO-SRV", "PLB-TAP")),
                status=BookingStatus.CANCELLED,
                at=self._local_at(country, days=-1, hour=15),
                cancel=(CancellationCode.CUSTOMER_VOC, CancelledBy.CUSTOMER),
            )
            for country, _ in FOLLOW_UP_CALLS
        ]
        self._earnings()
        pafs = self._penalties_deducted_last_month(disputed)
        self._paid_run()
        self._paf_disputes(disputed, pafs)
        self._scenario_4(originals)
        self._refunds(goodwill, wrong_job)
        self._bonuses(bonus)
        self._oos_tickets(oos_jobs)
        self._follow_ups(follow_up)
        self._due_dates()
        return self.notes

    # pools and jobs

    def _pools(self) -> None:
        """Active demo partners (no RWM partners, so every job may go through OOS) and demo
        customers, by city; the cities that have both, by country."""
        self.partners: dict[int, list[Partner]] = {}
        partners = Partner.objects.filter(
            external_id__startswith=DEMO_PREFIX, is_active=True
        ).order_by("external_id")
        for partner in partners:
            if not partner.is_rwm:
                self.partners.setdefault(partner.city_id, []).append(partner)
        self.customers: dict[int, list[Customer]] = {}
        customers = Customer.objects.filter(
            external_id__startswith=DEMO_PREFIX, city_id__in=list(self.partners)
        ).order_by("external_id")
        for customer in customers:
            self.customers.setdefault(customer.city_id, []).append(customer)
        cities = City.objects.filter(pk__in=list(self.customers)).select_related("region")
        self.cities: dict[str, list[City]] = {}
        for city in sorted(cities, key=lambda c: (-profile(c.name).weight, c.name)):
            self.cities.setdefault(city.region.country, []).append(city)
        for country in ("IN", "EG"):
            if not self.cities.get(country):
                raise RuntimeError(f"No demo partners and customers in {country} to build on.")
        self.used_partners: set[int] = set()

    def _city(self, country: str) -> City:
        return self.rng.choice(self.cities[country][:6])

    def _local_at(self, country: str, *, days: int, hour: int) -> datetime:
        zone = ZoneInfo(self.cities[country][0].region.timezone)
        day = (self.now + timedelta(days=days)).astimezone(zone).date()
        return datetime.combine(day, time(hour), tzinfo=zone)

    def _partner(self, city: City, lob: str) -> Partner:
        """A partner of the city for the line, preferring one with no money story yet (so each
        partner's payout line tells one story)."""
        pool = self.partners[city.pk]
        fitting = [p for p in pool if lob in p.categories] or pool
        fresh = [p for p in fitting if p.pk not in self.used_partners] or fitting
        partner = self.rng.choice(fresh)
        self.used_partners.add(partner.pk)
        return partner

    def _free_time(self, partner: Partner, at: datetime) -> datetime:
        """The first time from `at`, in 3-hour steps, when the partner's calendar and jobs
        leave him free: allocation refuses a busy partner, as it should."""
        for _ in range(40):
            if not case_selectors.busy_reason(partner, *case_selectors.job_window(at)):
                return at
            at += timedelta(hours=3)
        raise RuntimeError(f"{partner} is busy for days from {at}; no demo slot found.")

    def _job(
        self,
        *,
        city: City,
        sku: str,
        status: str,
        at: datetime,
        cancel: tuple[str, str] | None = None,
        revisit_of: Booking | None = None,
    ) -> Booking:
        """Push a job as the booking platform does (upsert, then its moves)."""
        lob, description, price = SKU_INDEX[sku]
        currency = city.region.currency
        zone = ZoneInfo(city.region.timezone)
        if revisit_of is not None:
            external_id = f"{revisit_of.external_id}-R1"
            customer, partner = revisit_of.customer, revisit_of.partner
            unit_price = Decimal("0.00")
            address, latitude, longitude = (
                revisit_of.address,
                revisit_of.latitude,
                revisit_of.longitude,
            )
        else:
            self.pushed += 1
            external_id = f"{self.PREFIX}{self.pushed:04d}"
            customer = self.rng.choice(self.customers[city.pk])
            partner = self._partner(city, lob)
            unit_price = sku_price(price, currency)
            centre = profile(city.name)
            locality = self.rng.choice(centre.localities)
            address = f"{self.rng.randint(1, 240)}, {locality}, {city.name}"
            latitude = near(self.rng, centre.latitude)
            longitude = near(self.rng, centre.longitude)
        if status != BookingStatus.CREATED:
            at = self._free_time(partner, at)
        local_day = at.astimezone(zone).date()
        booking, _ = services.upsert_booking(
            external_id=external_id,
            fields={
                "customer": customer,
                "city": city,
                "lob": lob,
                "currency": currency,
                "cart_value": unit_price,
                "invoice_amount": unit_price,
                "payment_mode": PaymentMode.ONLINE,
                "booking_time": at,
                "service_date": local_day,
                "spd": local_day,
                "address": address,
                "latitude": latitude,
                "longitude": longitude,
                "revisit_of": revisit_of,
            },
            lines=[
                {"sku": sku, "description": description, "quantity": 1, "unit_price": unit_price}
            ],
        )
        moves = {
            BookingStatus.CREATED: [],
            BookingStatus.ALLOCATED: ["allocate"],
            BookingStatus.STARTED: ["allocate", "start"],
            BookingStatus.COMPLETED: ["allocate", "start", "complete"],
            BookingStatus.CANCELLED: ["allocate"],
        }[status]
        for name in moves:
            services.transition_booking(
                booking_id=booking.pk, name=name, partner=partner if name == "allocate" else None
            )
        if status == BookingStatus.CANCELLED:
            code, cancelled_by = cancel or (CancellationCode.CUSTOMER_VOC, CancelledBy.CUSTOMER)
            services.transition_booking(
                booking_id=booking.pk, name="cancel", code=code, cancelled_by=cancelled_by
            )
        return Booking.objects.select_related("city__region", "partner", "customer").get(
            pk=booking.pk
        )

    def _disputed_revisits(self) -> list[Booking]:
        """Last month: a job, then its revisit, cancelled; one per PAF_DISPUTES row."""
        revisits = []
        zone = ZoneInfo(self.india.timezone)
        for i, (sku, dispute) in enumerate(zip(DISPUTE_SKUS, PAF_DISPUTES, strict=True)):
            _, _, cancelled_by, code, _, _ = dispute
            city = self.cities["IN"][i % len(self.cities["IN"])]
            day = self.last_start + timedelta(days=2 + 3 * i)
            at = datetime.combine(day, time(10 + 2 * i), tzinfo=zone)
            original = self._job(city=city, sku=sku, status=BookingStatus.COMPLETED, at=at)
            revisits.append(
                self._job(
                    city=city,
                    sku=sku,
                    status=BookingStatus.CANCELLED,
                    at=at + timedelta(days=5),
                    cancel=(code, cancelled_by),
                    revisit_of=original,
                )
            )
        return revisits

    def _recent_job(self, country: str, sku: str) -> Booking:
        """A job done a few days ago: inside the revisit warranty."""
        return self._job(
            city=self._city(country),
            sku=sku,
            status=BookingStatus.COMPLETED,
            at=self._local_at(country, days=-self.rng.randint(3, 8), hour=11),
        )

    def _goodwill_job(self, sku: str) -> Booking:
        """Yesterday's job that the partner did not show up for: cancelled on our side."""
        return self._job(
            city=self._city("IN"),
            sku=sku,
            status=BookingStatus.CANCELLED,
            at=self._local_at("IN", days=-1, hour=16),
            cancel=(CancellationCode.NO_SHOW, CancelledBy.AGENT),
        )

    # cases

    def _case(
        self,
        kind: str,
        booking: Booking,
        *,
        actor: User | None,
        reporter: str = Reporter.CUSTOMER,
        channel: str = Channel.INBOUND_CALL,
        subject: str = "",
        priority: str = Priority.MEDIUM,
    ) -> Case:
        case = services.create_case(
            actor=actor,
            kind=kind,
            channel=channel,
            reporter=reporter,
            subject=subject or f"{CaseKind(kind).label}: {booking.external_id}",
            description=VOICE.get(kind, ""),
            booking=booking,
            priority=priority,
            due_at=self.now + timedelta(hours=SLA_HOURS[priority]),
        )
        self.case_ids.append(case.pk)
        return case

    def _take(self, case_id: int, worker: User) -> None:
        """The worker assigns the case to himself and opens it."""
        services.update_case(
            case_id=case_id,
            actor=worker,
            changes={"assignee": worker},
            reason="Assigned from the queue.",
        )
        services.transition_case(
            case_id=case_id, name="open", actor=worker, reason=transition_reason("open")
        )

    def _flow(self, case_id: int, flow: str, inputs: dict[str, Any]) -> Decision:
        return runner.decide_case(
            case_id=case_id, flow=flow, inputs=inputs, actor=self.agent
        ).decision

    def _resolve(self, case_id: int) -> None:
        """Resolve with the tag the flow set, when it set one."""
        case = Case.objects.select_related("disposition").get(pk=case_id)
        if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) or case.disposition is None:
            return
        services.transition_case(
            case_id=case_id,
            name="resolve",
            actor=self.agent,
            data={"disposition": case.disposition.path},
            reason="Decided with the SOP flow; partner and customer informed.",
        )

    # money

    def _earnings(self) -> None:
        """Every completed demo job earns its invoice once (record_earning). A job done before
        this month is dated when it was done, so last month's run takes it; record_earning
        has no date parameter, so that entry is posted first under the same key, and
        record_earning then finds it (checked). The history's jobs earned when they were
        completed (demo.history)."""
        completed = (
            Booking.objects.filter(
                external_id__startswith=DEMO_PREFIX,
                status=BookingStatus.COMPLETED,
                invoice_amount__gt=0,
            )
            .exclude(external_id__startswith=HISTORY_PREFIX)
            .select_related("city__region")
            .order_by("pk")
        )
        for booking in completed:
            zone = ZoneInfo(booking.city.region.timezone)
            month_start = datetime.combine(
                self.now.astimezone(zone).date().replace(day=1), time.min, tzinfo=zone
            )
            backdated = None
            if booking.booking_time < month_start:
                backdated, _ = payouts.post_entry(
                    key=f"booking:{booking.pk}:earning",
                    partner_id=booking.partner_id,
                    currency=booking.currency,
                    kind=EntryKind.EARNING,
                    amount=booking.invoice_amount,
                    occurred_at=booking.booking_time,
                    booking_id=booking.pk,
                    policy_version=policy_in_force(booking.booking_time).version,
                    memo=f"Job {booking.external_id} completed",
                )
            entry = payouts.record_earning(booking=booking)
            if backdated is not None and (entry is None or entry.pk != backdated.pk):
                raise RuntimeError(
                    f"record_earning wrote a second earning for {booking.external_id}: its "
                    "idempotency key changed; update the demo's backdated earnings."
                )

    def _penalties_deducted_last_month(self, revisits: list[Booking]) -> list[PartnerAtFault]:
        """The partner app marked PAF and penalty when each revisit was cancelled (scenarios
        1-3: "notified immediately"), dated then; the trainer (the supervisor) reviewed each
        PAF genuine, so last month's run could deduct the penalty (a penalty whose PAF awaits
        review is held, docs/money.md). create_revisit_penalty and schedule_penalty take no
        date, so the deduction entry is posted first under the penalty's own key, dated when
        the penalty arose, and schedule_penalty then finds it."""
        pafs = []
        for revisit, dispute in zip(revisits, PAF_DISPUTES, strict=True):
            scenario, _, cancelled_by, _, _, _ = dispute
            at = revisit.booking_time - timedelta(hours=2)
            who = "the customer" if cancelled_by == CancelledBy.CUSTOMER else "the partner"
            paf = payouts.mark_paf(
                booking=revisit,
                reason=f"Revisit cancelled by {who} (partner app, revisit SOP scenario {scenario})",
                actor=None,
                at=at,
            )
            penalty = payouts.create_revisit_penalty(
                paf=paf,
                path=f"revisit_scenario_{scenario}",
                note=(
                    f"Notified by the partner app when revisit {revisit.external_id} was "
                    f"cancelled by {who}."
                ),
            )
            payouts.review_paf(
                paf_id=paf.pk,
                actor=self.supervisor,
                genuine=True,
                reason="Trainer review: the partner app's mark stands.",
            )
            payouts.post_entry(
                key=penalty.deduction_key,
                partner_id=penalty.partner_id,
                currency=penalty.currency,
                kind=EntryKind.PENALTY_DEDUCTION,
                amount=-penalty.amount,
                occurred_at=at,
                booking_id=penalty.booking_id,
                penalty_id=penalty.pk,
                policy_version=penalty.policy_version,
                memo=f"Revisit penalty #{penalty.pk}",
            )
            payouts.schedule_penalty(penalty_id=penalty.pk)
            pafs.append(paf)
        return pafs

    def _paid_run(self) -> None:
        """Last month's India run: the supervisor creates and computes it, finance approves,
        exports and marks it paid (the services refuse an approval by whoever computed)."""
        runs = PayoutRun.objects.filter(region=self.india)
        open_run = runs.exclude(state=RunState.PAID).first()
        covered = runs.filter(state=RunState.PAID, period_end__gte=self.last_end).first()
        if open_run is not None or covered is not None:
            blocker = open_run or covered
            self.notes.append(
                f"no paid run made for {self.last_start}..{self.last_end}: run #{blocker.pk} "
                f"({blocker.state}, up to {blocker.period_end}) is in the way"
            )
            return
        run = payouts.create_payout_run(
            region=self.india,
            period_start=self.last_start,
            period_end=self.last_end,
            actor=self.supervisor,
        )
        if payouts.compute_payout_run(run_id=run.pk, actor=self.supervisor) is None:
            raise RuntimeError(f"Payout run #{run.pk} is being computed by someone else.")
        payouts.approve_run(run_id=run.pk, actor=self.finance)
        _, rows = payouts.export_run(run_id=run.pk, actor=self.finance)
        for _ in rows:  # the bank file is downloaded
            pass
        payouts.mark_run_paid(run_id=run.pk, actor=self.finance)
