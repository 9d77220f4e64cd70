"""Benchmark: one SLA sweep over 10,000 due cases, with 100,000 and with 1,000,000 cases on
running clocks (the backlog the partial index on next_deadline_at holds).

Run by `make bench` after bench_cases.py, on the same casework_bench database:

    DATABASE_URL=postgres://casework:casework@127.0.0.1:54329/casework_bench \\
        .venv/bin/python bench/bench_sweeps.py

Each scenario arms the clocks of `backlog` cases with one SQL statement (one in every
backlog/10,000 of them already due, the others due tomorrow), runs `cases.services.sweep_sla`
once and reports its time; afterwards the clocks are disarmed again. Nothing asserts on time.
"""

from __future__ import annotations

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
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import ClockFiring, Notification, TeamLead  # noqa: E402
from cases.services import sweep_sla  # noqa: E402
from flows.clocks import clock_health  # noqa: E402
from policies.selectors import policy_in_force  # noqa: E402

DUE = 10_000
BACKLOGS = (100_000, 1_000_000)

ARM = """
WITH armed AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n FROM cases_case ORDER BY id LIMIT %(backlog)s
)
UPDATE cases_case c SET
    sla_version = %(version)s,
    first_responded_at = NULL, first_response_breached_at = NULL,
    resolution_breached_at = NULL, sla_warned_at = NULL, paused_since = NULL,
    first_response_due_at = CASE WHEN armed.n %% %(every)s = 0 THEN %(past)s ELSE %(later)s END,
    resolution_due_at = %(later)s + interval '2 days',
    warn_at = %(later)s + interval '1 day',
    next_deadline_at = CASE WHEN armed.n %% %(every)s = 0 THEN %(past)s ELSE %(later)s END
FROM armed WHERE c.id = armed.id
"""
DISARM = "UPDATE cases_case SET next_deadline_at = NULL WHERE next_deadline_at IS NOT NULL"
BATCH_SQL = """
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT id FROM cases_case WHERE next_deadline_at <= %s
ORDER BY next_deadline_at LIMIT 500 FOR UPDATE SKIP LOCKED
"""


def log(message: str) -> None:
    print(message, flush=True)


def sql(statement: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def scenario(backlog: int, version: str) -> dict:
    now = timezone.now()
    started = time.perf_counter()
    sql(DISARM)
    armed = sql(
        ARM,
        {
            "backlog": backlog,
            "version": version,
            "every": backlog // DUE,
            "past": now - timedelta(minutes=5),
            "later": now + timedelta(days=1),
        },
    )
    sql("VACUUM (ANALYZE) cases_case")
    log(f"  armed {armed:,} cases ({DUE:,} due) in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(BATCH_SQL, [now])
        plan = [row[0] for row in cursor.fetchall()]
    firings_before = ClockFiring.objects.filter(clock="sla_first_response").count()
    notes_before = Notification.objects.filter(kind="sla_first_response").count()
    started = time.perf_counter()
    result = sweep_sla(now=now, batch=500, budget_seconds=600)
    seconds = time.perf_counter() - started
    fired = ClockFiring.objects.filter(clock="sla_first_response").count() - firings_before
    told = Notification.objects.filter(kind="sla_first_response").count() - notes_before
    health_started = time.perf_counter()
    clock_health()
    health_ms = (time.perf_counter() - health_started) * 1000
    out = {
        "backlog": armed,
        "processed": result.processed,
        "batches": result.batches,
        "seconds": seconds,
        "per_second": result.processed / seconds if seconds else 0.0,
        "fired": fired,
        "notified": told,
        "health_ms": health_ms,
        "plan": plan,
    }
    log(
        f"  backlog {armed:,}: swept {result.processed:,} due cases in {seconds:.2f} s "
        f"({out['per_second']:,.0f}/s, {result.batches} batches of 500); {fired:,} firings, "
        f"{told:,} lead notifications; clock_health {health_ms:.0f} ms"
    )
    return out


def main() -> None:
    version = policy_in_force().version
    lead, _ = User.objects.get_or_create(username="bench-lead", defaults={"is_staff": True})
    TeamLead.objects.filter(team="customer_care").update(lead=lead)
    log(f"== SLA sweep: {DUE:,} due cases (policy {version})")
    results = [scenario(backlog, version) for backlog in BACKLOGS]
    started = time.perf_counter()
    sql(DISARM)
    sql("VACUUM (ANALYZE) cases_case")  # the other benchmarks read a table without dead rows
    log(f"  disarmed in {time.perf_counter() - started:.1f} s")
    log("")
    for r in results:
        log(
            f"RESULT backlog={r['backlog']} due={DUE} processed={r['processed']} "
            f"seconds={r['seconds']:.2f} per_second={r['per_second']:.0f} "
            f"batches={r['batches']} health_ms={r['health_ms']:.0f}"
        )
    log("")
    log("Batch query plan at the 1,000,000 backlog (EXPLAIN ANALYZE, before the sweep):")
    for line in results[-1]["plan"]:
        log(f"    {line}")


if __name__ == "__main__":
    main()
