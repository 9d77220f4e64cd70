"""Benchmark: a policy backtest over 100,000 and 1,000,000 stored decisions.

Run by `make bench` on the casework_bench database:

    DATABASE_URL=postgres://casework:casework@127.0.0.1:54329/casework_bench \\
        .venv/bin/python bench/bench_backtests.py

The decisions are made once: every flow of the table is walked through its apply scenario
(tests/flows/test_every_flow.py) in a transaction that is rolled back, and the DECISION
payloads those real decisions stored are the templates; they are then written with COPY onto
existing bench cases, spread over the last 29 days, until the period holds `--decisions`.
Then one backtest (revisit penalty 60% -> 50%) is run over the last 3 days and over the last
30, and its time reported. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from backtests import services  # noqa: E402
from backtests.models import Backtest  # noqa: E402
from cases.models import Case, CaseEvent, EventType  # noqa: E402
from policies.parameters import DEFAULT_POLICY  # noqa: E402


class _Rollback(Exception):
    pass


def templates() -> list[tuple[str, dict]]:
    """(policy version, payload) of the decisions every flow's scenario makes."""
    from tests.factories import UserFactory
    from tests.flows.test_every_flow import SCENARIOS

    out: list[tuple[str, dict]] = []
    try:
        with transaction.atomic():
            users = {
                "agent": UserFactory(username="bench-bt-agent", role="agent"),
                "partner_support": UserFactory(username="bench-bt-ps", role="partner support"),
                "supervisor": UserFactory(username="bench-bt-sup", role="supervisor"),
            }
            mark = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            for name in sorted(SCENARIOS):
                with transaction.atomic():
                    SCENARIOS[name](users)
            out = list(
                CaseEvent.objects.filter(type=EventType.DECISION, id__gt=mark).values_list(
                    "policy_version", "payload"
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return out


def fill(wanted: int) -> int:
    """Write decisions until the last 29 days hold `wanted`; returns how many were written."""
    now = timezone.now()
    start = now - timedelta(days=29)
    have = CaseEvent.objects.filter(type=EventType.DECISION, at__gte=start).count()
    missing = wanted - have
    if missing <= 0:
        return 0
    made = templates()
    print(f"   {len(made)} template decisions from {len({p['flow'] for _, p in made})} flows")
    case_ids = list(Case.objects.order_by("id").values_list("id", flat=True)[:20_000])
    span = (now - start).total_seconds()
    written = 0
    with connection.cursor() as cur:
        while written < missing:
            batch = min(100_000, missing - written)
            buffer = io.StringIO()
            for i in range(written, written + batch):
                version, payload = made[i % len(made)]
                at = start + timedelta(seconds=span * ((i * 7919) % 1_000_003) / 1_000_003)
                text = json.dumps(payload).replace("\\", "\\\\")
                buffer.write(
                    f"{case_ids[i % len(case_ids)]}\tdecision\t{at.isoformat()}\t\t\t\t"
                    f"bench decision\t{text}\t{version}\n"
                )
            buffer.seek(0)
            with cur.copy(
                "COPY cases_caseevent (case_id, type, at, transition, from_state, to_state, "
                "reason, payload, policy_version) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
            written += batch
            print(f"   {written:,} of {missing:,} decisions written")
    with connection.cursor() as cur:
        cur.execute("ANALYZE cases_caseevent")
    return written


def run(days: int) -> None:
    actor = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-backtests", password=None
    )
    today = timezone.localdate()
    ask = {
        "actor": actor,
        "parameters": {**DEFAULT_POLICY.params.to_dict(), "revisit_penalty_rate": "0.50"},
        "first_day": today - timedelta(days=days - 1),
        "last_day": today,
        "label": f"bench {days} days",
        "queue": False,
    }
    backtest, created = services.request_backtest(**ask)
    if not created:  # the same inputs ran before: run them again, not reuse the result
        Backtest.objects.filter(pk=backtest.pk).delete()
        backtest, _ = services.request_backtest(**ask)
    started = time.perf_counter()
    backtest = services.run_backtest(backtest_id=backtest.pk)
    seconds = time.perf_counter() - started
    counts = backtest.result["counts"]
    rate = counts["decisions"] / seconds if seconds else 0
    print(
        f"RESULT days={days} decisions={counts['decisions']} changed={counts['changed']} "
        f"not_replayable={counts['not_replayable']} seconds={seconds:.1f} per_second={rate:.0f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"== decisions in the last 29 days: at least {args.decisions:,}")
    fill(args.decisions)
    for days in (3, 30):
        print(f"== backtest over the last {days} days")
        run(days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
