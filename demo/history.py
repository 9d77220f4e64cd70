"""The demo's past: the days before today lived through the same services, with the clock
moved to each moment (time-machine), so every dashboard chart, home tile and report has a
history, and every stored decision names the policy version it was made under.

What happens, day after day: jobs are booked, done and earned (a few are no-shows); customers
call about them and agents open, work and resolve the cases, most within their SLA and some
not (the SLA sweep, run every hour as beat runs it, marks the breaches); revisits fail and the
partner is marked at fault with a penalty; the trainer reviews the marks; no-shows get
goodwill that finance approves and pays; a changed address earns the partner a bonus. Two
policy versions are drafted and activated on the way (a pilot that lowers the revisit penalty
to 50%, and its end); last month's India and Egypt runs are computed, approved and paid, and
disputes about October's deductions are decided in the middle of November.

Each story is a generator: it acts, then yields the moment it wants to act next; the timeline
runs every story's steps in time order with the clock at that moment. Nothing is written
around the services (a story that finds its record moved on, e.g. a partner busy, lets it go
and the day goes on).
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Generator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from cases import services
from cases.catalog import CaseKind, default_team
from cases.models import (
    Booking,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    Case,
    Channel,
    DispositionTag,
    Priority,
    Reporter,
)
from core.errors import DomainError
from flows import clocks as flow_clocks
from flows import intake
from partners.models import City, Region
from payouts import services as payouts
from payouts.models import (
    PafState,
    PartnerAtFault,
    PayoutRun,
    Penalty,
    PenaltyState,
    Refund,
    ReversalKind,
    RunState,
)
from policies.models import PolicyVersion
from policies.parameters import DEFAULT_POLICY
from policies.selectors import clear_policy_cache
from policies.services import activate_policy_version, draft_policy_version

from .money import MoneyDemoBuilder
from .seed import (
    HISTORY_MARKER_EXTERNAL_ID,
    HISTORY_PREFIX,
    SLA_HOURS,
    VOICE,
    transition_reason,
)

Story = Generator[datetime, None, None]

HISTORY_DAYS = 90
# The sweeps run every SWEEP_EVERY of the day's working hours (India's), where beat runs
# them every minute: a breach is marked up to that late, which a demo can afford.
SWEEP_EVERY = timedelta(hours=2)
SWEEP_HOURS = range(7, 23)

# Jobs done per day, by country, and the share of them the partner does not show up for.
JOBS_PER_DAY = {"IN": 4, "EG": 2}
NO_SHOW_RATE = 0.08
JOB_SKUS = ("AC-SRV-LITE", "RO-SRV", "PLB-TAP", "CLN-KITCHEN", "ELE-SWITCH", "CLN-SOFA")
# No-shows are of jobs worth more than the goodwill (under and over the cart threshold).
NO_SHOW_SKUS = ("AC-SRV-LITE", "AC-SRV-JET", "CLN-SOFA", "CLN-KITCHEN")
# Cases customers open about jobs done in the last days, per day, and what about.
CASES_PER_DAY = 5
CASE_KINDS: dict[str, int] = {
    CaseKind.COMPLAINT: 4,
    CaseKind.POST_SERVICE_COMPLAINT: 4,
    CaseKind.MISSING_INVOICE: 3,
    CaseKind.EXTRA_CHARGES: 2,
    CaseKind.PROPERTY_DAMAGE: 1,
    CaseKind.PRODUCT_PICKUP: 1,
    CaseKind.SERVICE_ENQUIRY: 2,
    CaseKind.UNABLE_TO_BOOK: 1,
}
NO_BOOKING = frozenset({CaseKind.SERVICE_ENQUIRY, CaseKind.UNABLE_TO_BOOK})
# The share of cases resolved after their SLA target (the sweep marks them breached).
LATE_RATE = 0.14
# A failed revisit every REVISIT_EVERY days; a changed address every ADDRESS_EVERY days.
REVISIT_EVERY = 2
ADDRESS_EVERY = 6
# Share of revisit PAFs the trainer finds not genuine.
NOT_GENUINE_RATE = 0.15
# October's deductions disputed in November, and how many of them finance rejects.
DISPUTES = 4
DISPUTES_REJECTED = 1

# The versions the history lives through: (version, days before today it takes effect, its
# change to the SOP defaults, the change note).
VERSIONS: tuple[tuple[str, int, dict[str, object], str], ...] = (
    (
        "sop-2026.2",
        60,
        {"revisit_penalty_rate": "0.50", "goodwill_from_threshold": "200"},
        "Pilot: revisit penalty lowered to 50% of the original invoice, goodwill from the "
        "threshold raised to 200, to see whether partners dispute less.",
    ),
    (
        "sop-2026.3",
        30,
        {},
        "Pilot ended: back to the SOP numbers (penalty 60%, goodwill 150).",
    ),
)

FAILURES = ("denied_job", "no_show", "no_contact_attempt", "unresponsive", "poor_service")


class Timeline:
    """Stories run step by step in time order, the clock moved to each step; the sweeps run
    in between, every SWEEP_EVERY of SWEEP_HOURS (in `zone`). A step past `end` is not run."""

    def __init__(
        self,
        *,
        start: datetime,
        end: datetime,
        zone: ZoneInfo,
        sweeps: list[Callable[[], object]],
    ):
        self.start, self.end, self.zone, self.sweeps = start, end, zone, sweeps
        self.queue: list[tuple[datetime, int, Story]] = []
        self.order = itertools.count()
        self.now = start
        self.steps = 0

    def add(self, story: Story) -> None:
        """Run the story up to its next moment and queue it there."""
        moment = next(story, None)
        if moment is not None and moment < self.end:
            heapq.heappush(self.queue, (max(moment, self.now), next(self.order), story))

    def run(self) -> None:
        next_sweep = self.start
        with time_machine.travel(self.start, tick=False) as traveller:
            while self.queue:
                moment, _, story = heapq.heappop(self.queue)
                while next_sweep <= moment:
                    if next_sweep.astimezone(self.zone).hour in SWEEP_HOURS:
                        traveller.move_to(next_sweep)
                        for sweep in self.sweeps:
                            sweep()
                    next_sweep += SWEEP_EVERY
                self.now = moment
                traveller.move_to(moment)
                self.add(story)
                self.steps += 1


class HistoryBuilder(MoneyDemoBuilder):
    """The demo's past (see the module's text); its first job is its marker."""

    PREFIX = HISTORY_PREFIX

    def __init__(self, *, seed: int, users: dict[str, User], days: int = HISTORY_DAYS) -> None:
        super().__init__(seed=seed + 2, users=users)
        self.admin = users["admin"]
        self.days = days
        self.counts: Counter = Counter()
        self.done_jobs: list[Booking] = []
        self.tags = {
            kind: list(
                DispositionTag.objects.filter(is_selectable=True, kinds__contains=[kind])
                .order_by("path")
                .values_list("path", flat=True)
            )
            for kind in CaseKind.values
        }
        self.ist = ZoneInfo(self.india.timezone)
        self.egypt = Region.objects.get(country="EG")
        self.today = self.now.astimezone(self.ist).date()
        first = self.today - timedelta(days=days)
        self.timeline = Timeline(
            start=datetime.combine(first, time(6), tzinfo=self.ist),
            end=self.now - timedelta(minutes=30),
            zone=self.ist,
            sweeps=[flow_clocks.sweep_all],
        )

    def _partner(self, city: City, lob: str):
        """Any partner of the city for the line (the payouts part prefers fresh ones)."""
        pool = self.partners[city.pk]
        return self.rng.choice([p for p in pool if lob in p.categories] or pool)

    def build(self) -> Counter:
        self.timeline.add(self._days())
        self.timeline.add(self._policy_versions())
        self.timeline.add(self._last_months_runs())
        self.timeline.run()
        self.counts["steps"] = self.timeline.steps
        return self.counts

    # the days

    def _day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def _at(self, city: City, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(city.region.timezone))

    def _days(self) -> Story:
        """Each morning, the day's jobs and cases are planned; each runs as its own story."""
        for days_ago in range(self.days, 0, -1):
            day = self._day(days_ago)
            yield datetime.combine(day, time(6, 30), tzinfo=self.ist)
            for country, n in JOBS_PER_DAY.items():
                for _ in range(n):
                    fate = "no_show" if self.rng.random() < NO_SHOW_RATE else "done"
                    self.timeline.add(self._job_story(country, day, fate))
            if days_ago % ADDRESS_EVERY == 0:
                self.timeline.add(self._job_story("IN", day + timedelta(days=1), "address"))
            for _ in range(CASES_PER_DAY):
                self.timeline.add(self._case_story(day))
            if days_ago % REVISIT_EVERY == 0:
                self.timeline.add(self._revisit_story(day))

    # jobs

    def _job_story(self, country: str, day: date, fate: str) -> Story:
        """Booked the evening before, done (and earned) on the day; or the partner does not
        show up and the customer gets goodwill; or the customer changes the address."""
        city = self._city(country)
        at = self._at(city, day, self.rng.randint(8, 17), self.rng.choice((0, 30)))
        yield at - timedelta(hours=14)
        sku = self.rng.choice(NO_SHOW_SKUS if fate == "no_show" else JOB_SKUS)
        try:
            booking = self._job(city=city, sku=sku, status=BookingStatus.ALLOCATED, at=at)
        except (DomainError, RuntimeError):
            self.counts["jobs not placed (partners busy)"] += 1
            return
        self.counts["jobs"] += 1
        if fate == "address":
            yield booking.booking_time - timedelta(hours=3)
            yield from self._address_change(booking)
        yield booking.booking_time
        if fate == "no_show":
            yield booking.booking_time + timedelta(minutes=45)
            services.transition_booking(
                booking_id=booking.pk,
                name="cancel",
                code=CancellationCode.NO_SHOW,
                cancelled_by=CancelledBy.AGENT,
            )
            self.counts["no-shows"] += 1
            yield from self._goodwill(booking)
            return
        services.transition_booking(booking_id=booking.pk, name="start")
        yield booking.booking_time + timedelta(hours=2)
        services.transition_booking(booking_id=booking.pk, name="complete")
        payouts.record_earning(booking=booking)
        self.done_jobs.append(booking)

    def _recent_done_job(self, *, within_days: int) -> Booking | None:
        since = timezone.now() - timedelta(days=within_days)
        recent = [b for b in self.done_jobs[-60:] if b.booking_time >= since]
        return self.rng.choice(recent) if recent else None

    # cases

    def _resolve_with(self, case_id: int, worker: User, tag: str, reason: str) -> None:
        services.transition_case(
            case_id=case_id,
            name="resolve",
            actor=worker,
            data={"disposition": tag},
            reason=reason,
        )
        self.counts["cases resolved"] += 1

    def _resolve_moment(self, case_id: int) -> datetime:
        """Most cases are resolved within their target; LATE_RATE of them after it."""
        due = Case.objects.values_list("resolution_due_at", flat=True).get(pk=case_id)
        now = timezone.now()
        if due is None or due <= now:
            return now + timedelta(hours=self.rng.randint(1, 6))
        if self.rng.random() < LATE_RATE:
            return due + timedelta(hours=self.rng.randint(3, 30))
        return now + (due - now) * self.rng.uniform(0.05, 0.85)

    def _case_story(self, day: date) -> Story:
        """A customer calls about a recent job (or with a question): the agent takes the case,
        sometimes waits on the customer, resolves it, and it is closed a few days later."""
        kind = self.rng.choices(list(CASE_KINDS), weights=list(CASE_KINDS.values()))[0]
        country = self.rng.choice(("IN", "IN", "EG"))
        city = self._city(country)
        yield self._at(city, day, self.rng.randint(9, 19), self.rng.randint(0, 59))
        booking = None if kind in NO_BOOKING else self._recent_done_job(within_days=10)
        priority = (
            Priority.HIGH
            if kind == CaseKind.PROPERTY_DAMAGE
            else self.rng.choices(Priority.values, weights=(35, 45, 17, 3))[0]
        )
        customer = booking.customer if booking else self.rng.choice(self.customers[city.pk])
        subject = CaseKind(kind).label + (f": {booking.external_id}" if booking else "")
        case = services.create_case(
            actor=self.agent,
            kind=kind,
            channel=self.rng.choices(
                (Channel.INBOUND_CALL, Channel.CHAT, Channel.EMAIL), weights=(6, 3, 1)
            )[0],
            reporter=Reporter.CUSTOMER,
            subject=subject,
            description=VOICE.get(kind, ""),
            booking=booking,
            customer=customer,
            team=default_team(kind),
            priority=priority,
            due_at=timezone.now() + timedelta(hours=SLA_HOURS[priority]),
        )
        self.counts["cases"] += 1
        yield timezone.now() + timedelta(minutes=self.rng.randint(4, 150))
        self._take(case.pk, self.agent)
        if self.rng.random() < 0.25:
            yield timezone.now() + timedelta(hours=self.rng.randint(1, 8))
            services.transition_case(
                case_id=case.pk,
                name="wait_on_customer",
                actor=self.agent,
                reason=transition_reason("wait_on_customer"),
            )
            yield timezone.now() + timedelta(hours=self.rng.randint(2, 40))
            services.transition_case(
                case_id=case.pk,
                name="resume",
                actor=self.agent,
                reason="The customer called back with what was asked.",
            )
        yield self._resolve_moment(case.pk)
        self._resolve_with(
            case.pk, self.agent, self.rng.choice(self.tags[kind]), transition_reason("resolve")
        )
        if self.rng.random() < 0.7:
            yield timezone.now() + timedelta(days=self.rng.randint(2, 5))
            services.transition_case(
                case_id=case.pk, name="close", actor=self.agent, reason=transition_reason("close")
            )

    def _take_and_decide(self, case_id: int, flow: str, inputs: dict) -> Story:
        yield timezone.now() + timedelta(minutes=self.rng.randint(5, 90))
        self._take(case_id, self.agent)
        yield timezone.now() + timedelta(minutes=self.rng.randint(5, 40))
        self._flow(case_id, flow, inputs)
        self.counts[f"decisions {flow}"] += 1
        yield timezone.now() + timedelta(minutes=self.rng.randint(5, 60))
        self._resolve(case_id)

    def _revisit_story(self, day: date) -> Story:
        """A customer asks for a revisit of a job done in the last weeks; the partner fails
        it: PAF and penalty (scenario 4, at the rate of the version in force); the trainer
        reviews the PAF a few days later."""
        yield datetime.combine(day, time(11, self.rng.randint(0, 59)), tzinfo=self.ist)
        original = self._recent_done_job(within_days=20)
        if original is None:
            return
        self.done_jobs.remove(original)  # one revisit per job
        result = intake.create_revisit(
            booking_id=original.pk,
            actor=self.agent,
            issue_note=VOICE[CaseKind.REVISIT_PARTNER_FAULT],
        )
        self.counts["revisits"] += 1
        yield from self._take_and_decide(
            result.case.pk, "revisit.scenario_4", {"partner_failure": self.rng.choice(FAILURES)}
        )
        paf = PartnerAtFault.objects.filter(case_id=result.case.pk).first()
        if paf is None:
            return
        yield timezone.now() + timedelta(days=self.rng.randint(1, 4), hours=self.rng.randint(0, 6))
        paf.refresh_from_db()
        genuine = self.rng.random() >= NOT_GENUINE_RATE
        if paf.state == PafState.GENUINE and genuine:
            self.counts["PAFs genuine"] += 1  # the decision bound it; the review stands
            return
        payouts.review_paf(
            paf_id=paf.pk,
            actor=self.supervisor,
            genuine=genuine,
            reason=(
                "Trainer review: the call recordings confirm the partner failed the revisit."
                if genuine
                else "Trainer review: the customer was not home; not the partner's fault."
            ),
        )
        self.counts["PAFs genuine" if genuine else "PAFs overturned"] += 1

    def _goodwill(self, booking: Booking) -> Story:
        """The customer calls about the no-show: goodwill by the SOP; finance approves and
        pays it the next days."""
        yield timezone.now() + timedelta(minutes=self.rng.randint(10, 120))
        case = self._case(CaseKind.PRE_SERVICE_CANCELLATION, booking, actor=self.agent)
        yield from self._take_and_decide(
            case.pk, "pre_services.goodwill_refund", {"refund_requested": True}
        )
        refund = Refund.objects.filter(booking=booking).first()
        if refund is None:
            return
        yield self._office_hours(timezone.now() + timedelta(days=1))
        payouts.approve_refund(
            refund_id=refund.pk, actor=self.finance, reason="Goodwill as the SOP sets it."
        )
        yield self._office_hours(timezone.now() + timedelta(days=1))
        payouts.mark_refund_paid(
            refund_id=refund.pk, actor=self.finance, payment_reference=f"UTR-H{refund.pk:07d}"
        )
        self.counts["refunds paid"] += 1

    def _address_change(self, booking: Booking) -> Story:
        """The customer asks to move the job to another address: refused, and the partner
        delivers at the new one for the changed-address bonus."""
        case = self._case(CaseKind.CONTACT_EDIT, booking, actor=self.agent)
        yield from self._take_and_decide(
            case.pk,
            "pre_services.personal_details_edit",
            {"detail": "address", "partner_can_deliver_elsewhere": True},
        )

    def _office_hours(self, moment: datetime) -> datetime:
        """The moment, or the next 10:00 in India when it falls outside 9:00-18:00."""
        local = moment.astimezone(self.ist)
        if 9 <= local.hour < 18:
            return moment
        day = local.date() + timedelta(days=1 if local.hour >= 18 else 0)
        return datetime.combine(day, time(10), tzinfo=self.ist)

    # policy versions

    def _policy_versions(self) -> Story:
        """The supervisor drafts each version a few days before it takes effect; the
        administrator (not its author) activates it."""
        for version, days_ago, changes, note in VERSIONS:
            if days_ago >= self.days or PolicyVersion.objects.filter(version=version).exists():
                continue
            effective = datetime.combine(self._day(days_ago), time(0), tzinfo=self.ist)
            yield effective - timedelta(days=5, hours=-11)
            draft = draft_policy_version(
                actor=self.supervisor,
                version=version,
                parameters={**DEFAULT_POLICY.params.to_dict(), **changes},
                effective_from=effective,
                change_note=note,
            )
            yield effective - timedelta(days=3, hours=-15)
            activate_policy_version(version_id=draft.pk, actor=self.admin)
            clear_policy_cache()
            self.counts["policy versions"] += 1

    # payout runs

    def _last_months_runs(self) -> Story:
        """October's runs (the month before last) for India and Egypt, in early November:
        the supervisor computes, finance approves, exports and pays; then partners dispute
        some of October's deductions."""
        month_start = self.today.replace(day=1)
        period_end = (month_start - timedelta(days=1)).replace(day=1) - timedelta(days=1)
        period_start = period_end.replace(day=1)  # may start before the history: fewer jobs
        if period_end < self._day(self.days):
            return
        computed = datetime.combine(period_end + timedelta(days=2), time(10), tzinfo=self.ist)
        yield computed
        runs = []
        for region in (self.india, self.egypt):
            if PayoutRun.objects.filter(region=region, period_end__gte=period_start).exists():
                # A database that had the payouts part before its history: its runs stand.
                self.counts["runs left to the payouts part"] += 1
                continue
            run = payouts.create_payout_run(
                region=region,
                period_start=period_start,
                period_end=period_end,
                actor=self.supervisor,
            )
            payouts.compute_payout_run(run_id=run.pk, actor=self.supervisor)
            runs.append(run)
        yield computed + timedelta(days=1)
        for run in runs:
            payouts.approve_run(run_id=run.pk, actor=self.finance)
            _, rows = payouts.export_run(run_id=run.pk, actor=self.finance)
            for _ in rows:  # the bank file is downloaded
                pass
        yield computed + timedelta(days=2)
        for run in runs:
            payouts.mark_run_paid(run_id=run.pk, actor=self.finance)
            self.counts["payout runs paid"] += 1
        # The disputes come in the last weeks, whatever day of the month today is.
        yield max(computed + timedelta(days=10), self.now - timedelta(days=20))
        yield from self._disputes(runs)

    def _disputes(self, runs: list) -> Story:
        """Partners dispute October's deductions: the trainer overturns the review, partner
        support logs the reversal form, finance approves most and rejects one."""
        deducted = list(
            Penalty.objects.filter(
                state=PenaltyState.DEDUCTED,
                paf__state=PafState.GENUINE,
                booking__external_id__startswith=HISTORY_PREFIX,
                ledger_entries__run_link__run__in=[r.pk for r in runs],
            )
            .select_related("paf__case")
            .distinct()
            .order_by("pk")[:DISPUTES]
        )
        for i, penalty in enumerate(deducted):
            paf = penalty.paf
            yield timezone.now() + timedelta(hours=self.rng.randint(1, 20))
            payouts.review_paf(
                paf_id=paf.pk,
                actor=self.supervisor,
                genuine=False,
                reason="Call recordings heard again on the partner's dispute: not at fault.",
            )
            request = payouts.submit_reversal_request(
                kind=ReversalKind.PAF_PENALTY,
                actor=self.partnersup,
                paf=paf,
                case=paf.case,
                call_recording_ref=f"REC-{paf.booking.external_id}",
                notes="The partner disputes the October deduction with the customer's chat.",
                evidence=[f"demo/reversals/{paf.booking.external_id}-chat.png"],
            )
            yield self._office_hours(timezone.now() + timedelta(days=self.rng.randint(1, 3)))
            if i < DISPUTES_REJECTED:
                payouts.reject_reversal_request(
                    request_id=request.pk,
                    actor=self.finance,
                    reason="The chat is from another job; the recording shows a no-show.",
                )
                self.counts["reversals rejected"] += 1
            else:
                payouts.approve_reversal_request(
                    request_id=request.pk,
                    actor=self.finance,
                    reason="Recordings: not at fault; the deduction is paid back.",
                )
                self.counts["reversals approved"] += 1


def history_loaded() -> bool:
    return Booking.objects.filter(external_id=HISTORY_MARKER_EXTERNAL_ID).exists()


def history_lines(counts: Counter, seconds: float, days: int) -> list[str]:
    shown = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()) if name != "steps")
    return [
        f"History of {days} days added in {seconds:.1f} s ({counts['steps']} steps): {shown}",
        f"  runs: {RunState.PAID} for the month before last in India and Egypt; "
        f"policy versions {', '.join(v for v, _, _, _ in VERSIONS)} lived through",
    ]
