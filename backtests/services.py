"""Writes for backtests: ask for one (supervisors and finance), and run it.

A run replays every stored decision of the period through the same pure decision functions
under the candidate's parameters (backtests.replay) and keeps what came out (backtests.tally).
It reads the audit trail and writes only its own row: no case, booking, task, ledger entry or
event is touched. The same parameters, period and filters reuse a finished result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import signal
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from core.errors import InvalidInput, NotPermitted
from core.roles import User
from partners.selectors import working_calendar
from policies.models import PolicyVersion
from policies.parameters import Policy, PolicyParameters, PolicyValidationError
from policies.selectors import policy_by_version
from sweeps.engine import SweepResult, run_sweep

from . import selectors, signals
from .models import Backtest, BacktestState
from .replay import replay
from .sla_replay import breached, first_response_breached, sla_numbers
from .tally import Tally

DEFAULT_DAYS = 30
FILTERS = ("region", "city", "kind", "flow", "partner")
PROGRESS_EVERY = 1000  # decisions between progress writes (and cancel checks)


def inputs_key(parameters: Mapping[str, Any], start: datetime, end: datetime, filters) -> str:
    canonical = json.dumps(
        {
            "parameters": parameters,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "filters": filters,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def period_of(first: date | None, last: date | None) -> tuple[datetime, datetime]:
    """Whole days in the server's zone, the last one included; by default the last 30 days
    up to today."""
    zone = timezone.get_current_timezone()
    last = last or timezone.localdate()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput({"period_start": "The period cannot start after it ends."})
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _clean_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    filters = dict(filters or {})
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise InvalidInput({name: ["Not a backtest filter."] for name in unknown})
    return {name: value for name, value in sorted(filters.items()) if value not in (None, "")}


def _candidate(
    version_id: int | None, parameters: Mapping[str, Any] | None
) -> tuple[PolicyVersion | None, PolicyParameters]:
    """The candidate: the named version's parameters with `parameters` on top (400 on an
    unknown version, one error per bad parameter)."""
    version = None
    base: dict[str, Any] = {}
    if version_id is not None:
        version = PolicyVersion.objects.filter(pk=version_id).first()
        if version is None:
            raise InvalidInput({"version": [f"Policy version {version_id} does not exist."]})
        base = dict(version.parameters)
    try:
        return version, PolicyParameters.from_dict({**base, **dict(parameters or {})})
    except PolicyValidationError as exc:
        raise InvalidInput(
            {f"parameters.{name}": [msg] for name, msg in exc.errors.items()}
        ) from None


def request_backtest(
    *,
    actor: User | None,
    parameters: Mapping[str, Any] | None = None,
    version_id: int | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    filters: Mapping[str, Any] | None = None,
    label: str = "",
    queue: bool = True,
) -> tuple[Backtest, bool]:
    """A backtest of the candidate (a stored version, or parameters; both: the version with
    those changes), queued. (backtest, created): an earlier finished or running one with
    the same inputs is returned instead of a new one. `queue=False`: the caller runs it
    itself (the demo loader), no worker is sent."""
    if not selectors.may_backtest(actor):
        raise NotPermitted("Only supervisors and finance run backtests.")
    if version_id is None and not parameters:
        raise InvalidInput({"parameters": ["Name a policy version or give the parameters."]})
    version, params = _candidate(version_id, parameters)
    canonical = params.to_dict()
    start, end = period_of(first_day, last_day)
    clean = _clean_filters(filters)
    key = inputs_key(canonical, start, end, clean)
    reusable = (
        Backtest.objects.filter(inputs_key=key)
        .exclude(state__in=[BacktestState.FAILED, BacktestState.CANCELLED])
        .order_by("-created_at")
        .first()
    )
    if reusable is not None:
        return reusable, False
    backtest = Backtest.objects.create(
        task_id=uuid.uuid4().hex,
        label=(label or (f"Version {version.version}" if version else "Changed parameters"))[:120],
        version=version,
        parameters=canonical,
        period_start=start,
        period_end=end,
        filters=clean,
        inputs_key=key,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if queue:
        _send(backtest)
    return backtest, True


def _send(backtest: Backtest) -> None:
    """To a worker once the queueing commits (never for a change that rolls back)."""
    backtest_id, task_id = backtest.pk, backtest.task_id
    transaction.on_commit(
        lambda: signals.backtest_queued.send(Backtest, backtest_id=backtest_id, task_id=task_id)
    )


def _lease_until():
    return timezone.now() + timedelta(seconds=settings.BACKTEST_LEASE_SECONDS)


def run_backtest(*, backtest_id: int, task_id: str | None = None) -> Backtest:
    """Replay the period and keep the result. Progress is written as it goes, renewing the
    lease; a cancelled backtest, or one given to a newer task, stops at the next write. A
    task (task_id given) runs only the backtest it was sent for; a finished one is returned
    as it is."""
    with transaction.atomic():
        backtest = (
            Backtest.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=backtest_id)
        )
        if backtest.state not in (BacktestState.QUEUED, BacktestState.RUNNING):
            return backtest
        if task_id is not None and task_id != backtest.task_id:
            return backtest  # superseded by the recovery sweep's task
        if task_id is None:
            backtest.task_id = uuid.uuid4().hex  # a direct run takes the backtest over
        token = backtest.task_id
        total = selectors.decision_count(
            backtest.period_start, backtest.period_end, backtest.filters
        )
        backtest.state = BacktestState.RUNNING
        backtest.started_at = timezone.now()
        backtest.lease_expires_at = _lease_until()
        backtest.progress_done, backtest.progress_total = 0, total
        backtest.save(
            update_fields=[
                "state",
                "task_id",
                "started_at",
                "lease_expires_at",
                "progress_done",
                "progress_total",
            ]
        )
    running = Backtest.objects.filter(pk=backtest_id, task_id=token, state=BacktestState.RUNNING)
    policy = selectors.candidate_policy(backtest)
    window = (backtest.period_start, backtest.period_end, backtest.filters)
    part: tuple[int, int] | None = None
    helper = None
    if total >= settings.BACKTEST_SPLIT_FROM and not connection.in_atomic_block:
        low, high = selectors.decision_id_bounds(*window)
        if low is not None and high is not None and high > low:
            middle = (low + high) // 2
            part = (low, middle)
            helper = _Helper(lambda: _tally(policy, window, ids=(middle + 1, high)))
    tally = Tally()
    done = 0
    share = 2 if helper else 1  # the helper does about as much as this process
    try:
        for payload, facts in selectors.decision_stream(*window, ids=part):
            tally.add(replay(payload, policy), facts)
            done += 1
            renewed = done % PROGRESS_EVERY or running.update(
                progress_done=min(done * share, total), lease_expires_at=_lease_until()
            )
            if not renewed:
                if helper:
                    helper.stop()
                return Backtest.objects.get(pk=backtest_id)  # cancelled, or taken over
        if helper:
            theirs = helper.result()
            tally.merge(theirs)
            done += theirs.counts["decisions"]
    except Exception as exc:
        if helper:
            helper.stop()
        running.update(state=BacktestState.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    result = tally.result()
    result["sla"] = sla_effect(backtest, policy)
    running.update(
        state=BacktestState.DONE,
        progress_done=done,
        result=result,
        finished_at=timezone.now(),
        lease_expires_at=None,
    )
    return Backtest.objects.get(pk=backtest_id)


SLA_LISTED = 200  # case ids kept per side


def sla_effect(backtest: Backtest, policy: Policy) -> dict[str, Any]:
    """The cases opened in the period whose resolution would have breached (or not) under the
    candidate's SLA targets, each case's clock recomputed from its stored timeline under its
    own version and under the candidate (backtests.sla_replay). Skipped when the candidate's
    SLA numbers are those of every version the cases were opened with."""
    start, end, filters = backtest.period_start, backtest.period_end, backtest.filters
    own: dict[str, Policy] = {}
    versions = selectors.sla_versions(start, end, filters)
    candidate = sla_numbers(policy)
    if all(sla_numbers(policy_by_version(v)) == candidate for v in versions):
        return {"targets_changed": False}
    until = min(end, timezone.now())
    cases = breached_own = breached_candidate = late_own = late_candidate = 0
    newly: list[int] = []
    no_longer: list[int] = []
    newly_late: list[int] = []
    no_longer_late: list[int] = []
    for timeline, region_id, version in selectors.case_timelines(start, end, filters):
        calendar = working_calendar(region_id, timeline.opened_at)
        base = own.setdefault(version, policy_by_version(version))
        before, _ = breached(timeline, policy=base, calendar=calendar, until=until)
        after, _ = breached(timeline, policy=policy, calendar=calendar, until=until)
        cases += 1
        breached_own += before
        breached_candidate += after
        if after and not before and len(newly) < SLA_LISTED:
            newly.append(timeline.case_id)
        elif before and not after and len(no_longer) < SLA_LISTED:
            no_longer.append(timeline.case_id)
        was_late = first_response_breached(timeline, policy=base, calendar=calendar, until=until)
        is_late = first_response_breached(timeline, policy=policy, calendar=calendar, until=until)
        late_own += was_late
        late_candidate += is_late
        if is_late and not was_late and len(newly_late) < SLA_LISTED:
            newly_late.append(timeline.case_id)
        elif was_late and not is_late and len(no_longer_late) < SLA_LISTED:
            no_longer_late.append(timeline.case_id)
    return {
        "targets_changed": True,
        "cases": cases,
        "breached_own": breached_own,
        "breached_candidate": breached_candidate,
        "newly_breached": newly,
        "no_longer_breached": no_longer,
        "first_response": {
            "late_own": late_own,
            "late_candidate": late_candidate,
            "newly_late": newly_late,
            "no_longer_late": no_longer_late,
        },
    }


def _tally(policy: Policy, window: tuple, *, ids: tuple[int, int]) -> Tally:
    """One part of the period's decisions (no refusals: the first part takes those)."""
    tally = Tally()
    for payload, facts in selectors.decision_stream(*window, ids=ids, with_refusals=False):
        tally.add(replay(payload, policy), facts)
    return tally


class _Helper:
    """A second process (forked: it shares the code, not the database connection) that
    tallies one part of the decisions and hands the tally back through a pipe; the two
    cores each replay half. A celery worker's process is a daemon, which multiprocessing
    refuses to give children, hence the plain fork."""

    def __init__(self, work) -> None:
        connections.close_all()  # neither process may use the other's socket
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper
            os.close(read)
            code = 1
            try:
                data = pickle.dumps(work())
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.read = pid, read

    def result(self) -> Tally:
        with os.fdopen(self.read, "rb") as incoming:
            data = incoming.read()
        _, status = os.waitpid(self.pid, 0)
        if status != 0 or not data:
            raise RuntimeError(f"The helper process stopped (status {status}).")
        return pickle.loads(data)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.read)


def requeue_stalled(*, now: datetime, limit: int) -> int:
    """Running backtests whose lease passed (the worker died): given to a new task, from the
    start (a replay is cheap to redo and its partial tally is not kept)."""
    with transaction.atomic():
        stalled = list(
            Backtest.objects.select_for_update(skip_locked=True)
            .filter(state=BacktestState.RUNNING, lease_expires_at__lte=now)
            .order_by("lease_expires_at")[:limit]
        )
        for backtest in stalled:
            backtest.state = BacktestState.QUEUED
            backtest.task_id = uuid.uuid4().hex
            backtest.lease_expires_at = None
            backtest.progress_done = 0
            backtest.error = f"The worker stopped at {now:%Y-%m-%d %H:%M}; started again."
            backtest.save(
                update_fields=["state", "task_id", "lease_expires_at", "progress_done", "error"]
            )
            _send(backtest)
    return len(stalled)


def forget_old_results(*, now: datetime) -> int:
    """Finished backtests older than BACKTEST_KEEP_DAYS are deleted."""
    cutoff = now - timedelta(days=settings.BACKTEST_KEEP_DAYS)
    finished = [BacktestState.DONE, BacktestState.FAILED, BacktestState.CANCELLED]
    deleted, _ = Backtest.objects.filter(state__in=finished, created_at__lt=cutoff).delete()
    return deleted


def sweep_backtests(*, now: datetime | None = None) -> SweepResult:
    """The recovery sweep, recorded as `backtests` (its queue shows in the clock health)."""

    def batch(at: datetime, limit: int) -> int:
        return requeue_stalled(now=at, limit=limit) + forget_old_results(now=at)

    return run_sweep("backtests", batch, now=now, batch=50, max_batches=1)


def cancel_backtest(*, backtest_id: int, actor: User | None) -> Backtest:
    if not selectors.may_backtest(actor):
        raise NotPermitted("Only supervisors and finance run backtests.")
    Backtest.objects.filter(
        pk=backtest_id, state__in=[BacktestState.QUEUED, BacktestState.RUNNING]
    ).update(state=BacktestState.CANCELLED, finished_at=timezone.now(), lease_expires_at=None)
    return Backtest.objects.get(pk=backtest_id)


def replay_under_own_version(payload: Mapping[str, Any]):
    """The baseline: a stored decision replayed under the version it names."""
    return replay(payload, policy_by_version(payload.get("policy_version") or ""))


def what_if_case(
    *,
    actor: User | None,
    case_id: int,
    version_id: int | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One case's stored decisions (and refusals) replayed under another version: each with
    the stored and the candidate outcome and reason side by side. Reads only."""
    if not selectors.may_backtest(actor):
        raise NotPermitted("Only supervisors and finance run backtests.")
    version, params = _candidate(version_id, parameters)
    policy = Policy(version=version.version if version else "what-if", params=params)
    out = []
    for at, payload in selectors.case_decisions(case_id):
        result = replay(payload, policy)
        out.append(
            {
                "at": at,
                "flow": result.flow,
                "status": result.status,
                "stored_outcome": result.stored["outcome"],
                "stored_reason": result.stored["reason"],
                "stored_version": payload.get("policy_version", ""),
                "candidate_outcome": result.candidate_outcome,
                "candidate_reason": result.candidate.reason if result.candidate else "",
                "why": result.why,
            }
        )
    return out
