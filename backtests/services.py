"""Writes for backtests: ask for one (supervisors and finance), and run it.

A run replays every stored decision of the period through the same pure decision functions
under the candidate's parameters (backtests.replay) and keeps what came out (backtests.tally).
It reads the audit trail and writes only its own row: no case, booking, task, ledger entry or
event is touched. The same parameters, period and filters reuse a finished result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import InvalidInput, NotPermitted
from core.roles import User
from policies.models import PolicyVersion
from policies.parameters import Policy, PolicyParameters, PolicyValidationError
from policies.selectors import policy_by_version

from . import selectors
from .models import Backtest, BacktestState
from .replay import replay
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


def request_backtest(
    *,
    actor: User | None,
    parameters: Mapping[str, Any] | None = None,
    version_id: int | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    filters: Mapping[str, Any] | None = None,
    label: str = "",
) -> tuple[Backtest, bool]:
    """A backtest of the candidate (a stored version, or parameters; both: the version with
    those changes), queued. (backtest, created): an earlier finished or running one with
    the same inputs is returned instead of a new one."""
    if not selectors.may_backtest(actor):
        raise NotPermitted("Only supervisors and finance run backtests.")
    version = None
    base: dict[str, Any] = {}
    if version_id is not None:
        version = PolicyVersion.objects.filter(pk=version_id).first()
        if version is None:
            raise InvalidInput({"version": [f"Policy version {version_id} does not exist."]})
        base = dict(version.parameters)
    if version is None and not parameters:
        raise InvalidInput({"parameters": ["Name a policy version or give the parameters."]})
    try:
        params = PolicyParameters.from_dict({**base, **dict(parameters or {})})
    except PolicyValidationError as exc:
        raise InvalidInput(
            {f"parameters.{name}": [msg] for name, msg in exc.errors.items()}
        ) from None
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
        label=(label or (f"Version {version.version}" if version else "Changed parameters"))[:120],
        version=version,
        parameters=canonical,
        period_start=start,
        period_end=end,
        filters=clean,
        inputs_key=key,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    return backtest, True


def candidate_policy(backtest: Backtest) -> Policy:
    name = backtest.version.version if backtest.version_id else f"backtest-{backtest.pk}"
    return Policy(version=name, params=PolicyParameters.from_dict(backtest.parameters))


def run_backtest(*, backtest_id: int) -> Backtest:
    """Replay the period and keep the result. Progress is written as it goes; a cancelled
    backtest stops at the next progress write."""
    with transaction.atomic():
        backtest = (
            Backtest.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=backtest_id)
        )
        if backtest.state not in (BacktestState.QUEUED, BacktestState.RUNNING):
            return backtest
        total = selectors.decisions(
            backtest.period_start, backtest.period_end, backtest.filters
        ).count()
        backtest.state = BacktestState.RUNNING
        backtest.started_at = timezone.now()
        backtest.progress_done, backtest.progress_total = 0, total
        backtest.save(update_fields=["state", "started_at", "progress_done", "progress_total"])
    policy = candidate_policy(backtest)
    tally = Tally()
    done = 0
    try:
        for payload, facts in selectors.decision_stream(
            backtest.period_start, backtest.period_end, backtest.filters
        ):
            tally.add(replay(payload, policy), facts)
            done += 1
            if done % PROGRESS_EVERY == 0:
                moved = Backtest.objects.filter(pk=backtest.pk, state=BacktestState.RUNNING).update(
                    progress_done=done
                )
                if not moved:  # cancelled meanwhile
                    return Backtest.objects.get(pk=backtest.pk)
    except Exception as exc:
        Backtest.objects.filter(pk=backtest.pk).update(
            state=BacktestState.FAILED, error=f"{type(exc).__name__}: {exc}"
        )
        raise
    Backtest.objects.filter(pk=backtest.pk, state=BacktestState.RUNNING).update(
        state=BacktestState.DONE,
        progress_done=done,
        result=tally.result(),
        finished_at=timezone.now(),
    )
    return Backtest.objects.get(pk=backtest.pk)


def cancel_backtest(*, backtest_id: int, actor: User | None) -> Backtest:
    if not selectors.may_backtest(actor):
        raise NotPermitted("Only supervisors and finance run backtests.")
    Backtest.objects.filter(
        pk=backtest_id, state__in=[BacktestState.QUEUED, BacktestState.RUNNING]
    ).update(state=BacktestState.CANCELLED, finished_at=timezone.now())
    return Backtest.objects.get(pk=backtest_id)


def replay_under_own_version(payload: Mapping[str, Any]):
    """The baseline: a stored decision replayed under the version it names."""
    return replay(payload, policy_by_version(payload.get("policy_version") or ""))
