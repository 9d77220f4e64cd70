"""The SOP clocks carried out without an agent asking: each is a sweep over an indexed due
column that decides with the SOP's pure function (a system flow of the table) and applies the
decision through the flow engine, once.

- SOP clocks set on a case by a decision (START_CLOCK): the follow-up ticket's 7-day close.
- The service promise date (SPD) passing on a live booking: its case is tagged Out of SPD and
  raised (a complaint ticket is opened when the booking has no open case).
- A refund unpaid after its TAT: the post-TAT "Delay in refund" complaint, escalated to
  finance.

SLA clocks, task alerts and unparking are the cases app's own sweeps (cases.services.timers);
the health report covers them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from cases import services as case_services
from cases.catalog import CaseKind, Team
from cases.models import (
    Booking,
    BookingStatus,
    Case,
    CaseClock,
    CaseClockState,
    CaseStatus,
    Channel,
    Reporter,
    Task,
    TaskState,
)
from cases.services.case_clocks import case_clock_batch, record_firings
from partners.models import Region
from payouts import services as payout_services
from payouts.models import PayoutRun, Refund, RefundState, RunState
from policies.sop import followups
from sweeps.engine import BATCH, SweepResult, run_sweep
from sweeps.models import SweepStatus
from sweeps.queues import QUEUES, SWEEPS

from .context import FlowContext
from .loading import lock_case_with_records
from .runner import CLOSED_STATES, _decide, apply_decision
from .table import flow_named

logger = logging.getLogger(__name__)

# Which system flow decides each SOP clock set on a case.
CLOCK_FLOWS: dict[str, str] = {followups.CLOCK_CLOSE: "follow_up.close_due"}
LIVE_BOOKING = (BookingStatus.CREATED, BookingStatus.ALLOCATED, BookingStatus.STARTED)
UNPAID_REFUND = (RefundState.REQUESTED, RefundState.APPROVED, RefundState.FAILED)


def run_system_flow(
    case_id: int, flow_name: str, *, now: datetime, inputs: Mapping[str, Any] | None = None
) -> str:
    """Decide the case with a clock's flow at `now` and carry the decision out (no actor: the
    system). A resolved or closed case needs nothing; an outcome with nothing to do writes
    nothing. Returns what happened, in words."""
    flow = flow_named(flow_name)
    if flow is None or not flow.system:
        raise LookupError(f"No system flow named {flow_name!r}.")
    case = lock_case_with_records(case_id)
    if case.status in CLOSED_STATES:
        return f"case already {case.get_status_display().lower()}"
    ctx = FlowContext(case, now=now)
    prepared, policy, decision = _decide(flow, ctx, inputs)
    if not decision.actions and not decision.tag and flow.disposition_path(decision) is None:
        return decision.outcome
    apply_decision(
        case,
        decision,
        None,
        policy=policy,
        flow=flow,
        prepared=prepared,
        now=now,
        role_checked=True,
    )
    return decision.outcome


# --- SOP clocks on cases -------------------------------------------------------------------


def fire_case_clock(clock: CaseClock, now: datetime) -> str:
    flow = CLOCK_FLOWS.get(clock.kind)
    if flow is None:
        raise LookupError(f"No flow for the clock {clock.kind!r}.")
    return run_system_flow(clock.case_id, flow, now=now)


def sweep_case_clocks(*, now: datetime | None = None, **options) -> SweepResult:
    return run_sweep("case_clocks", case_clock_batch(fire_case_clock), now=now, **options)


# --- dates that pass in a region: SPD and refund TAT ------------------------------------------


def _regions() -> list[tuple[int, ZoneInfo]]:
    return [(pk, ZoneInfo(tz)) for pk, tz in Region.objects.values_list("pk", "timezone")]


def _open_case_of(booking_id: int, kinds: tuple[str, ...]) -> int | None:
    return (
        Case.objects.filter(booking_id=booking_id, kind__in=kinds)
        .exclude(status__in=CLOSED_STATES)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )


def _complaint(booking: Booking, *, subject: str, related_to: int | None = None) -> Case:
    return case_services.create_case(
        actor=None,
        kind=CaseKind.COMPLAINT,
        channel=Channel.SYSTEM,
        reporter=Reporter.CUSTOMER,
        subject=subject[:200],
        booking=booking,
        team=Team.CUSTOMER_CARE,
        related_to=Case.objects.get(pk=related_to) if related_to else None,
    )


def spd_batch(now: datetime, limit: int) -> int:
    """One batch per region: live bookings whose promise date is before the region's today."""
    done = 0
    for region_id, zone in _regions():
        today = now.astimezone(zone).date()
        with transaction.atomic():
            bookings = list(
                Booking.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    spd__lt=today,
                    spd__isnull=False,
                    spd_breached_at__isnull=True,
                    status__in=LIVE_BOOKING,
                    city__region_id=region_id,
                )
                .order_by("spd")[:limit]
            )
            marked = [b.pk for b in bookings if _each(_spd_breached, booking=b, now=now)]
            Booking.objects.filter(pk__in=marked).update(spd_breached_at=now)
        done += len(bookings)
    return done


def _each(step: Callable[..., None], **kwargs: Any) -> bool:
    """Carry out one row's step in its own savepoint: a failure is logged and rolled back
    alone (the row stays due for the next sweep)."""
    try:
        with transaction.atomic():
            step(**kwargs)
        return True
    except Exception:
        logger.exception("clock step %s failed for %s", step.__name__, kwargs)
        return False


def _spd_breached(*, booking: Booking, now: datetime) -> None:
    case_id = _open_case_of(booking.pk, (CaseKind.STATUS_CHECK, CaseKind.COMPLAINT))
    if case_id is None:
        case_id = _complaint(
            booking, subject=f"Service promise date {booking.spd} passed: {booking.external_id}"
        ).pk
    due = datetime.combine(booking.spd, time.min, tzinfo=UTC)
    if record_firings([(case_id, "spd", due)], at=now):
        run_system_flow(case_id, "l1.spd_breached", now=now)


def sweep_spd(*, now: datetime | None = None, **options) -> SweepResult:
    return run_sweep("spd", spd_batch, now=now, **options)


def refund_tat_batch(now: datetime, limit: int) -> int:
    """One batch per region: unpaid refunds whose TAT day is before the region's today."""
    done = 0
    for region_id, zone in _regions():
        today = now.astimezone(zone).date()
        with transaction.atomic():
            refunds = list(
                Refund.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    tat_due_on__lt=today,
                    post_tat_case__isnull=True,
                    state__in=UNPAID_REFUND,
                    booking__city__region_id=region_id,
                )
                .select_related("booking")
                .order_by("tat_due_on")[:limit]
            )
            for refund in refunds:
                _each(_refund_past_tat, refund=refund, now=now)
        done += len(refunds)
    return done


def _refund_past_tat(*, refund: Refund, now: datetime) -> None:
    complaint = _complaint(
        refund.booking,
        subject=f"Refund #{refund.pk} ({refund.amount} {refund.currency}) past its TAT "
        f"{refund.tat_due_on}",
        related_to=refund.case_id,
    )
    run_system_flow(
        complaint.pk, "l1.refund_past_tat", now=now, inputs={"tat_due_on": refund.tat_due_on}
    )
    Refund.objects.filter(pk=refund.pk).update(post_tat_case=complaint)


def sweep_refund_tat(*, now: datetime | None = None, **options) -> SweepResult:
    return run_sweep("refund_tat", refund_tat_batch, now=now, **options)


# --- health -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueHealth:
    """One sweep's queue: how many rows are due now (counted up to a cap), since when the
    oldest has waited, and the sweep's last run."""

    name: str
    due: int
    due_capped: bool
    oldest_due_at: datetime | None
    oldest_age_seconds: float | None
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_processed: int
    last_error: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "due": self.due,
            "due_capped": self.due_capped,
            "oldest_due_at": self.oldest_due_at.isoformat() if self.oldest_due_at else None,
            "oldest_age_seconds": self.oldest_age_seconds,
            "last_started_at": self.last_started_at.isoformat() if self.last_started_at else None,
            "last_finished_at": (
                self.last_finished_at.isoformat() if self.last_finished_at else None
            ),
            "last_processed": self.last_processed,
            "last_error": self.last_error,
        }


DUE_CAP = 100_000  # counting stops here: an index range scan, never a full-table count


def _queues(now: datetime) -> dict[str, tuple[Any, str, Q]]:
    latest_today = (now + timedelta(hours=14)).date()  # the furthest-ahead local date
    return {
        "sla": (Case.objects, "next_deadline_at", Q(next_deadline_at__lte=now)),
        "tasks": (
            Task.objects,
            "next_alert_at",
            Q(next_alert_at__lte=now, state=TaskState.OPEN),
        ),
        "unpark": (
            Case.objects,
            "parked_until",
            Q(status=CaseStatus.PARKED, parked_until__lte=now),
        ),
        "case_clocks": (
            CaseClock.objects,
            "due_at",
            Q(state=CaseClockState.PENDING, due_at__lte=now),
        ),
        "spd": (
            Booking.objects,
            "spd",
            Q(
                spd__lt=latest_today,
                spd__isnull=False,
                spd_breached_at__isnull=True,
                status__in=LIVE_BOOKING,
            ),
        ),
        "payout_leases": (
            PayoutRun.objects,
            "lease_expires_at",
            Q(state=RunState.COMPUTING, lease_expires_at__lte=now),
        ),
        "refund_tat": (
            Refund.objects,
            "tat_due_on",
            Q(tat_due_on__lt=latest_today, post_tat_case__isnull=True, state__in=UNPAID_REFUND),
        ),
    }


def clock_health(*, now: datetime | None = None) -> list[QueueHealth]:
    """Queue depth, oldest due item and last sweep of every clock (a few index scans), the
    registered queues of the apps above included (sweeps.queues)."""
    now = now or timezone.now()
    statuses = {s.name: s for s in SweepStatus.objects.all()}
    queues = _queues(now) | {name: build(now) for name, build in QUEUES.items()}
    out = []
    for name, (manager, column, due) in queues.items():
        rows = manager.filter(due)
        count = rows.order_by().values("pk")[: DUE_CAP + 1].count()
        oldest = rows.aggregate(oldest=Min(column))["oldest"]
        if isinstance(oldest, date) and not isinstance(oldest, datetime):
            # A date passes at the end of its day (UTC here: the regions differ by hours).
            oldest = datetime.combine(oldest + timedelta(days=1), time.min, tzinfo=UTC)
        status = statuses.get(name)
        out.append(
            QueueHealth(
                name=name,
                due=min(count, DUE_CAP),
                due_capped=count > DUE_CAP,
                oldest_due_at=oldest,
                oldest_age_seconds=(now - oldest).total_seconds() if oldest else None,
                last_started_at=status.last_started_at if status else None,
                last_finished_at=status.last_finished_at if status else None,
                last_processed=status.last_processed if status else 0,
                last_error=status.last_error if status else "",
            )
        )
    return out


def sweep_all(*, now: datetime | None = None, batch: int = BATCH) -> list[SweepResult]:
    """Every sweep once, in order (the management command and tests; beat runs them apart)."""
    return [
        case_services.sweep_unpark(now=now, batch=batch),
        case_services.sweep_sla(now=now, batch=batch),
        case_services.sweep_tasks(now=now, batch=batch),
        sweep_case_clocks(now=now, batch=batch),
        sweep_spd(now=now, batch=batch),
        sweep_refund_tat(now=now, batch=batch),
        payout_services.sweep_payout_leases(now=now),
        *(sweep(now=now) for sweep in SWEEPS.values()),
    ]
