"""Payout runs: create, compute in set-based batches on a worker, approve, mark paid, discard."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from core import roles
from core.errors import (
    InvalidInput,
    NotPermitted,
    TransitionConflict,
)
from core.locks import lock_row
from core.roles import User, actor_or_none, require_role
from partners.models import Partner, Region
from sweeps.engine import run_sweep

from .. import events, selectors, signals
from ..models import (
    PayoutLine,
    PayoutRun,
    PayoutRunEntry,
    Penalty,
    RunState,
)
from .common import fsm_move, policy_now

RUN_LOCK_NAMESPACE = 0x5041


def create_payout_run(
    *, region: Region, period_start: date, period_end: date, actor: User
) -> PayoutRun:
    """Open a run for a region. Runs are sequential: one open (unpaid) run per region."""
    require_role(actor, roles.RUN_OPERATORS, doing="create payout runs")
    if period_end < period_start:
        raise InvalidInput({"period_end": "The period cannot end before it starts."})
    last = (
        PayoutRun.objects.filter(region=region, state=RunState.PAID)
        .order_by("-period_end", "-id")
        .first()
    )
    if last is not None and period_end <= last.period_end:
        raise InvalidInput({"period_end": f"Run #{last.pk} already paid up to {last.period_end}."})
    try:
        with transaction.atomic():
            return PayoutRun.objects.create(
                region=region,
                currency=region.currency,
                period_start=period_start,
                period_end=period_end,
                created_by=actor_or_none(actor),
            )
    except IntegrityError:
        raise TransitionConflict(
            f"{region.name} already has an open payout run; pay or discard it first.",
            code="open_run_exists",
        ) from None


@contextmanager
def _run_lock(run_id: int) -> Iterator[bool]:
    """A session advisory lock on the run: held by the one worker computing it."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_NAMESPACE, run_id])
        acquired = bool(cur.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_NAMESPACE, run_id])


class RunBusy(Exception):
    """Another connection is computing the run right now: the task tries again shortly."""


class LeaseLost(Exception):
    """The run's lease went to a newer computation while this one was working."""


def lease_seconds() -> float:
    return float(settings.PAYOUT_LEASE_SECONDS)


def _lease_until() -> datetime:
    return timezone.now() + timedelta(seconds=lease_seconds())


def _queue(run: PayoutRun) -> None:
    """Give the run to a new task (a fresh lease) and send the task once this commits."""
    fsm_move(run, "start_compute")
    run.task_id = uuid.uuid4().hex
    run.lease_expires_at = _lease_until()
    run.save()
    run_id, task_id = run.pk, run.task_id
    transaction.on_commit(
        lambda: signals.run_queued.send(sender=PayoutRun, run_id=run_id, task_id=task_id)
    )


def _run_is_busy(run_id: int) -> bool:
    with _run_lock(run_id) as acquired:
        return not acquired


def request_compute(*, run_id: int, actor: User) -> PayoutRun:
    """Queue a (re)computation: the run turns `computing` under a lease held by a new task,
    sent after commit. While a lease is alive a second request is a 409 (it never leaves
    both sides idle); a run whose lease expired (a dead worker) may be queued again, and the
    lease sweep does that by itself."""
    require_role(actor, roles.RUN_OPERATORS, doing="compute payout runs")
    with transaction.atomic():
        run = lock_row(PayoutRun, run_id)
        if (
            run.state == RunState.COMPUTING
            and run.lease_expires_at is not None
            and run.lease_expires_at > timezone.now()
        ):
            raise TransitionConflict(
                f"Run #{run_id} is being computed (its lease runs until "
                f"{timezone.localtime(run.lease_expires_at):%H:%M:%S}); wait for it to finish.",
                code="busy",
            )
        run.computed_by = actor_or_none(actor)
        _queue(run)
    return run


def requeue_expired_leases(*, now: datetime | None = None, limit: int = 50) -> list[int]:
    """The lease sweep: a run still `computing` whose lease passed (its worker died, or its
    message waits in the broker) goes to a new task. Returns the runs queued again."""
    now = now or timezone.now()
    with transaction.atomic():
        runs = list(
            PayoutRun.objects.select_for_update(skip_locked=True)
            .filter(state=RunState.COMPUTING, lease_expires_at__lte=now)
            .order_by("lease_expires_at")[:limit]
        )
        for run in runs:
            expired = run.lease_expires_at
            _queue(run)
            PayoutRun.objects.filter(pk=run.pk).update(
                last_error=f"Lease of the previous computation expired at "
                f"{expired.isoformat(timespec='seconds')}; queued again."
            )
    return [run.pk for run in runs]


def sweep_payout_leases(*, now: datetime | None = None):
    """The lease sweep as a recorded sweep (its last run shows in the clock health)."""
    return run_sweep(
        "payout_leases",
        lambda at, limit: len(requeue_expired_leases(now=at, limit=limit)),
        now=now,
        batch=50,
    )


def _renew(run_id: int, token: str) -> None:
    """Renew the lease as a batch commits; a lease taken over by a newer computation stops
    this one (its batch rolls back)."""
    renewed = PayoutRun.objects.filter(pk=run_id, task_id=token, state=RunState.COMPUTING).update(
        lease_expires_at=_lease_until()
    )
    if not renewed:
        raise LeaseLost(f"Run #{run_id} was given to a newer computation.")


@dataclass(frozen=True)
class _Scope:
    run_id: int
    region_id: int
    currency: str
    cutoff: datetime
    previous_run_id: int | None


def compute_payout_run(
    *,
    run_id: int,
    actor: User | None = None,
    task_id: str | None = None,
    batch_size: int | None = None,
) -> PayoutRun | None:
    """Compute (or recompute) a run, set-based in SQL, in committed partner batches.

    Steps: schedule the region's deductible pending penalties (their deduction entries are
    written once; those held because their PAF awaits review are counted on the run);
    then per batch of partners, one statement links every entry up to the cutoff that no run
    holds yet (INSERT ... SELECT ... ON CONFLICT (entry) DO NOTHING) and inserts one line per
    partner with sums by kind plus the previous run's carried-forward negative net.

    Safe to repeat and to race: a task (task_id given) computes only a run whose lease it
    holds; one superseded by a newer request, or whose computation already finished, returns
    None and writes nothing. An advisory lock lets one connection compute a run at a time: a
    task that finds it taken raises RunBusy (it is retried), a direct call returns None. The
    lease is renewed as each batch commits; a recompute first deletes the run's lines and
    entry links (never ledger entries).
    """
    batch_size = batch_size or settings.PAYOUT_PARTNER_BATCH
    with _run_lock(run_id) as acquired:
        if not acquired:
            if task_id is not None:
                raise RunBusy(f"Run #{run_id} is being computed by another connection.")
            return None
        with transaction.atomic():
            run = lock_row(PayoutRun, run_id, "region")
            if task_id is not None:
                if run.task_id and run.task_id != task_id:
                    return None  # a newer request owns the run
                if run.task_id == task_id and run.state != RunState.COMPUTING:
                    return None  # this task already finished (a redelivery)
            if run.state not in (RunState.DRAFT, RunState.COMPUTED, RunState.COMPUTING):
                raise TransitionConflict(
                    f"Run #{run.pk} is {run.state}: only draft or computed runs are computed."
                )
            if actor is not None:
                require_role(actor, roles.RUN_OPERATORS, doing="compute payout runs")
            PayoutLine.objects.filter(run_id=run.pk).delete()
            PayoutRunEntry.objects.filter(run_id=run.pk).delete()
            fsm_move(run, "start_compute")
            run.task_id = task_id or uuid.uuid4().hex
            run.lease_expires_at = _lease_until()
            token = run.task_id
            if actor_or_none(actor) is not None:
                run.computed_by = actor_or_none(actor)
            previous = (
                PayoutRun.objects.filter(region_id=run.region_id, state=RunState.PAID)
                .exclude(pk=run.pk)
                .order_by("-period_end", "-id")
                .values_list("pk", flat=True)
                .first()
            )
            scope = _Scope(run.pk, run.region_id, run.currency, run.cutoff, previous)
            bounds = _partner_batches(run.region_id, batch_size)
            # Progress counts partners (the page says "12 of 33 partners"), not batches.
            run.progress_total = sum(size for _, _, size in bounds)
            run.save()
        try:
            with transaction.atomic():
                _renew(run.pk, token)
                _schedule_pending_penalties(scope)
            for low, high, size in bounds:
                with transaction.atomic():
                    _renew(run.pk, token)
                    _take_batch(scope, low, high)
                    _advance(run.pk, size)
            with transaction.atomic():
                run = lock_row(PayoutRun, run_id)
                fsm_move(run, "finish_compute")
                run.save()
        except LeaseLost:
            return None  # the newer computation owns the run now
        except Exception as exc:
            PayoutRun.objects.filter(pk=run_id).update(last_error=f"{type(exc).__name__}: {exc}")
            raise
    return run


def _partner_batches(region_id: int, batch_size: int) -> list[tuple[int, int | None, int]]:
    """(low, high] id ranges covering every partner id, each with the number of the region's
    partners in it (up to batch_size). The last range is open-ended."""
    ids = list(
        Partner.objects.filter(city__region_id=region_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    bounds: list[tuple[int, int | None, int]] = []
    low = 0
    for i in range(batch_size - 1, len(ids) - 1, batch_size):
        bounds.append((low, ids[i], batch_size))
        low = ids[i]
    bounds.append((low, None, len(ids) - batch_size * len(bounds)))
    return bounds


def _advance(run_id: int, partners: int) -> None:
    """Count a committed batch's partners as done."""
    PayoutRun.objects.filter(pk=run_id).update(progress_done=F("progress_done") + partners)


def _schedule_pending_penalties(scope: _Scope) -> None:
    """Every deductible pending penalty of the region's partners that arose before the cutoff
    gets its deduction entry (ON CONFLICT on the key: at most once) and turns scheduled, in one
    statement; the held ones (PAF awaiting review, or a reversal request open: the money rule
    of selectors.deductible_penalties) stay pending and are counted on the run.

    The entry is dated when the penalty became deductible, and no later than the run's last
    moment: a penalty held past the end of the period goes into the first run computed once
    it may be deducted, inside that run's period."""
    pending = Penalty.objects.filter(
        partner__city__region_id=scope.region_id,
        currency=scope.currency,
        created_at__lt=scope.cutoff,
    )
    chosen = (
        selectors.deductible_penalties(pending)
        .annotate(since=selectors.deductible_since())
        .values("pk", "since")
    )
    chosen_sql, chosen_params = chosen.query.sql_with_params()
    last_moment = scope.cutoff - timedelta(microseconds=1)
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH chosen (id, since) AS ({chosen_sql}), scheduled AS (
                UPDATE payouts_penalty p
                   SET state = 'scheduled', scheduled_at = now()
                  FROM chosen
                 WHERE p.id = chosen.id AND p.state = 'pending'
             RETURNING p.id, p.partner_id, p.booking_id, p.currency, p.amount,
                       LEAST(chosen.since, %s) AS occurred_at, p.policy_version
            )
            INSERT INTO payouts_ledgerentry
                (partner_id, currency, kind, amount, booking_id, penalty_id, occurred_at,
                 idempotency_key, policy_version, memo, created_at)
            SELECT partner_id, currency, 'penalty_deduction', -amount, booking_id, id,
                   occurred_at, 'penalty:' || id || ':deduction', policy_version,
                   'Revisit penalty #' || id, now()
              FROM scheduled
             WHERE amount > 0
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            [*chosen_params, last_moment],
        )
    held = selectors.held_penalties(pending).aggregate(
        count=Count("id"), total=Sum("amount", default=Decimal("0.00"))
    )
    PayoutRun.objects.filter(pk=scope.run_id).update(
        held_penalty_count=held["count"], held_penalty_total=held["total"]
    )


def _range_sql(column: str, high: int | None) -> str:
    return f"{column} > %(low)s" + ("" if high is None else f" AND {column} <= %(high)s")


def _take_batch(scope: _Scope, low: int, high: int | None) -> None:
    """One statement per batch of partners: link every free entry up to the cutoff to the run
    (ON CONFLICT (entry) DO NOTHING: an entry another run took meanwhile stays there), then
    insert one line per partner from what was actually linked (RETURNING), plus what the
    previous paid run carried forward (a partner with only a carried debt gets a line too).
    """
    with connection.cursor() as cur:
        # The anti-join probes the unique index on entry_id. Without this the planner, when
        # the link table's statistics are stale (a first run, a big batch since the last
        # ANALYZE), may rescan the table per ledger row while this very statement grows it:
        # quadratic. Index probes cost the same at any table size. Scoped to this transaction.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(
            f"""
            WITH candidates AS MATERIALIZED (
                SELECT e.id, e.partner_id, e.kind, e.amount
                  FROM payouts_ledgerentry e
                  JOIN partners_partner pa ON pa.id = e.partner_id
                  JOIN partners_city c ON c.id = pa.city_id
                 WHERE c.region_id = %(region)s
                   AND {_range_sql("pa.id", high)}
                   AND {_range_sql("e.partner_id", high)}
                   AND e.currency = %(currency)s
                   AND e.kind <> 'payout'
                   AND e.occurred_at < %(cutoff)s
                   AND NOT EXISTS (
                       SELECT 1 FROM payouts_payoutrunentry taken WHERE taken.entry_id = e.id)
            ), linked AS (
                INSERT INTO payouts_payoutrunentry (run_id, entry_id)
                SELECT %(run)s, id FROM candidates
                ON CONFLICT (entry_id) DO NOTHING
                RETURNING entry_id
            ), sums AS (
                SELECT c.partner_id,
                       COALESCE(SUM(c.amount) FILTER (WHERE c.kind = 'earning'), 0) AS earnings,
                       COALESCE(SUM(c.amount) FILTER (
                           WHERE c.kind IN ('penalty_deduction', 'recovery')), 0) AS deductions,
                       COALESCE(SUM(c.amount) FILTER (WHERE c.kind = 'bonus'), 0) AS bonuses,
                       COALESCE(SUM(c.amount) FILTER (WHERE c.kind = 'reversal'), 0) AS reversals,
                       COUNT(*) AS entry_count
                  FROM candidates c JOIN linked l ON l.entry_id = c.id
                 GROUP BY c.partner_id
            ), carried AS (
                SELECT partner_id, carried_forward_out AS amount
                  FROM payouts_payoutline
                 WHERE run_id = %(previous)s AND carried_forward_out < 0
                   AND {_range_sql("partner_id", high)}
            ), totals AS (
                SELECT COALESCE(s.partner_id, c.partner_id) AS partner_id,
                       COALESCE(s.earnings, 0) AS earnings,
                       COALESCE(s.deductions, 0) AS deductions,
                       COALESCE(s.bonuses, 0) AS bonuses,
                       COALESCE(s.reversals, 0) AS reversals,
                       COALESCE(c.amount, 0) AS carried_in,
                       COALESCE(s.entry_count, 0) AS entry_count
                  FROM sums s FULL OUTER JOIN carried c ON c.partner_id = s.partner_id
            )
            INSERT INTO payouts_payoutline
                (run_id, partner_id, earnings, deductions, bonuses, reversals,
                 carried_forward_in, net, carried_forward_out, entry_count)
            SELECT %(run)s, partner_id, earnings, deductions, bonuses, reversals, carried_in,
                   earnings + deductions + bonuses + reversals + carried_in,
                   LEAST(earnings + deductions + bonuses + reversals + carried_in, 0),
                   entry_count
              FROM totals
            """,
            {
                "run": scope.run_id,
                "region": scope.region_id,
                "currency": scope.currency,
                "cutoff": scope.cutoff,
                "previous": scope.previous_run_id,
                "low": low,
                "high": high,
            },
        )
        cur.execute("SET LOCAL enable_seqscan TO DEFAULT")


def approve_run(*, run_id: int, actor: User) -> PayoutRun:
    """Finance approves a computed run; never the person who computed it."""
    require_role(actor, roles.RUN_APPROVERS, doing="approve payout runs")
    with transaction.atomic():
        run = lock_row(PayoutRun, run_id)
        if run.computed_by_id is not None and run.computed_by_id == getattr(actor, "pk", None):
            raise NotPermitted("Nobody may approve a payout run they computed themselves.")
        fsm_move(run, "approve")
        run.approved_by = actor_or_none(actor)
        run.save()
        events.payout_run_approved(run)
    return run


def mark_run_paid(*, run_id: int, actor: User) -> PayoutRun:
    """The bank paid the exported file: one `payout` entry of -net per paid partner (key
    run:{run}:payout:{partner}), linked to this run so no later run takes it, and the run's
    scheduled penalties become deducted."""
    require_role(actor, roles.RUN_APPROVERS, doing="mark payout runs paid")
    with transaction.atomic():
        run = lock_row(PayoutRun, run_id)
        fsm_move(run, "mark_paid")
        run.paid_by = actor_or_none(actor)
        run.save()
        events.payout_run_paid(run)
        params = {
            "run": run.pk,
            "currency": run.currency,
            "version": policy_now().version,
            "memo": f"Payout run #{run.pk} ({run.period_start}..{run.period_end})",
        }
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO payouts_ledgerentry
                    (partner_id, currency, kind, amount, occurred_at, idempotency_key,
                     policy_version, memo, created_at)
                SELECT l.partner_id, %(currency)s, 'payout', -l.net, now(),
                       'run:' || l.run_id || ':payout:' || l.partner_id, %(version)s,
                       %(memo)s, now()
                  FROM payouts_payoutline l
                 WHERE l.run_id = %(run)s AND l.net > 0
                ON CONFLICT (idempotency_key) DO NOTHING
                """,
                params,
            )
            cur.execute(
                """
                INSERT INTO payouts_payoutrunentry (run_id, entry_id)
                SELECT %(run)s, e.id
                  FROM payouts_payoutline l
                  JOIN payouts_ledgerentry e
                    ON e.idempotency_key = 'run:' || l.run_id || ':payout:' || l.partner_id
                 WHERE l.run_id = %(run)s AND l.net > 0
                ON CONFLICT (entry_id) DO NOTHING
                """,
                params,
            )
            cur.execute(
                """
                UPDATE payouts_penalty p
                   SET state = 'deducted', deducted_at = now()
                  FROM payouts_payoutrunentry re
                  JOIN payouts_ledgerentry e ON e.id = re.entry_id
                 WHERE re.run_id = %(run)s AND e.kind = 'penalty_deduction'
                   AND p.id = e.penalty_id AND p.state = 'scheduled'
                """,
                params,
            )
    return run


def discard_run(*, run_id: int, actor: User) -> None:
    """Delete a run that was not approved: its lines and links go, its entries stay free."""
    require_role(actor, roles.RUN_OPERATORS, doing="discard payout runs")
    if _run_is_busy(run_id):
        raise TransitionConflict(f"Run #{run_id} is being computed right now.", code="busy")
    with transaction.atomic():
        run = lock_row(PayoutRun, run_id)
        if run.state not in (RunState.DRAFT, RunState.COMPUTED, RunState.COMPUTING):
            raise TransitionConflict(f"Run #{run.pk} is {run.state}: it can no longer go.")
        PayoutLine.objects.filter(run_id=run.pk).delete()
        PayoutRunEntry.objects.filter(run_id=run.pk).delete()
        run.delete()
