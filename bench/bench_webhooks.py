"""Benchmark of events out: the dispatcher's throughput to a local receiver, memory while
100,000 pending deliveries drain, the claim query's plan beside 1,000,000 delivered rows,
the latency from a committed change to its arrival (a real Celery worker, beat and the
after-commit kick), and what recording events adds to a transition.

Run by `make bench` on the casework_bench database (or any migrated one):

    DATABASE_URL=postgres://casework:casework@127.0.0.1:54329/casework_bench \\
        .venv/bin/python bench/bench_webhooks.py

Nothing asserts on time; the output's RESULT lines go to bench/RESULTS.md.
"""

from __future__ import annotations

import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["WEBHOOK_ALLOW_LOOPBACK"] = "1"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.bench_cases import fresh_cases, retire, run_cycles  # noqa: E402
from cases import services as case_services  # noqa: E402
from cases.services import transitions as transition_module  # noqa: E402
from events import delivery, services  # noqa: E402
from events.models import Delivery, DeliveryState, OutboxEvent, WebhookEndpoint  # noqa: E402
from events.services import pending_event, record_events  # noqa: E402
from partners.models import City  # noqa: E402

HISTORY = 1_000_000
BENCH_URL_PREFIX = "http://127.0.0.1:"


def log(text: str) -> None:
    print(text, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """bench/webhook_sink.py in its own process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.arrivals = Path(tempfile.mkstemp(suffix=".arrivals")[1])
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "webhook_sink.py"),
                str(self.port),
                str(self.arrivals),
            ]
        )
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"{BENCH_URL_PREFIX}{self.port}/"

    def times(self) -> dict[str, float]:
        seen = {}
        for line in self.arrivals.read_text().splitlines():
            msg_id, at = line.split()
            seen.setdefault(msg_id, float(at))
        return seen

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()
        self.arrivals.unlink(missing_ok=True)


def admin() -> User:
    user, _ = User.objects.get_or_create(
        username="bench-webhooks", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def only_endpoint(url: str, types: list[str] | None = None) -> WebhookEndpoint:
    """The benchmark's one enabled endpoint (every other one disabled for the run)."""
    WebhookEndpoint.objects.filter(enabled=True).update(enabled=False)
    endpoint, _ = services.create_endpoint(actor=admin(), url=url, event_types=types or [])
    return endpoint


def test_events(count: int) -> None:
    """`count` webhook.test events for every enabled endpoint, in batches of 5,000."""
    from events.events import WEBHOOK_TEST

    for start in range(0, count, 5000):
        batch = [
            pending_event(
                WEBHOOK_TEST,
                ("webhook_endpoint", n),
                {"endpoint_id": n, "sent_by": "bench", "note": ""},
            )
            for n in range(start, min(count, start + 5000))
        ]
        with transaction.atomic():
            record_events(batch)


HISTORY_SQL = f"""
WITH ev AS (
    INSERT INTO "{OutboxEvent._meta.db_table}"
        (uid, type, version, subject, payload, occurred_at)
    SELECT gen_random_uuid(), 'webhook.test', 1, 'webhook_endpoint:' || n, '{{}}'::jsonb,
           now() - interval '40 days' + n * interval '1 second'
    FROM generate_series(1, %s) AS n RETURNING id, subject, occurred_at
)
INSERT INTO "{Delivery._meta.db_table}" (event_id, endpoint_id, subject, state, attempts,
    next_attempt_at, last_status, last_error, delivered_at, created_at)
SELECT ev.id, %s, ev.subject, 'delivered', 1, NULL, 200, '', ev.occurred_at, ev.occurred_at
FROM ev
"""


def ensure_history() -> None:
    """1,000,000 delivered deliveries (and their events), written once with SQL."""
    have = Delivery.objects.filter(state=DeliveryState.DELIVERED).count()
    if have >= HISTORY:
        log(f"  {have:,} delivered rows already there")
        return
    missing = HISTORY - have
    endpoint = WebhookEndpoint.objects.filter(description="bench history").first()
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.create(
            url="https://history.example/",
            description="bench history",
            enabled=False,
            secret="whsec_x",
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(HISTORY_SQL, [missing, endpoint.pk])
        cursor.execute(f'VACUUM (ANALYZE) "{Delivery._meta.db_table}"')
    log(f"  wrote {missing:,} delivered rows in {time.perf_counter() - started:.1f} s")


def claim_plan() -> list[str]:
    from django.utils import timezone

    sql = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + delivery._CLAIM
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [now, now, now, 200])
        lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return lines


def throughput(count: int) -> dict:
    sink = Sink()
    try:
        only_endpoint(sink.url, ["webhook.test"])
        test_events(count)
        started = time.perf_counter()
        sent = delivery.dispatch(batch=200, rounds=count // 200 + 10)
        elapsed = time.perf_counter() - started
        arrived = len(sink.times())
    finally:
        sink.close()
    return {"count": count, "sent": sent, "arrived": arrived, "seconds": elapsed}


def drain_memory(count: int) -> dict:
    sink = Sink()
    try:
        only_endpoint(sink.url, ["webhook.test"])
        test_events(count)
        rss = []
        started = time.perf_counter()
        sent = 0
        while True:
            n = delivery.dispatch(batch=200, rounds=25)
            if not n:
                break
            sent += n
            rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        elapsed = time.perf_counter() - started
    finally:
        sink.close()
    return {
        "count": count,
        "sent": sent,
        "seconds": elapsed,
        "rss_first": rss[0],
        "rss_last": rss[-1],
    }


def latency(samples: int) -> dict:
    """A real worker with beat, on this database and the broker; one case transition per
    sample, committed; the time until the sink has it."""
    sink = Sink()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue, "WEBHOOK_ALLOW_LOOPBACK": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-B",
                "-s",
                f"{tmp}/beat",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{queue}@localhost",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            from django.conf import settings

            settings.CELERY_TASK_DEFAULT_QUEUE = queue
            from config.celery import app

            app.conf.task_default_queue = queue
            only_endpoint(sink.url, ["case.status_changed"])
            actor = admin()
            case_ids = fresh_cases(samples, City.objects.order_by("id").first(), actor)
            time.sleep(5)  # the worker up
            sent_at = {}
            for case_id in case_ids:
                started = time.time()
                case_services.transition_case(case_id=case_id, name="open", actor=actor)
                sent_at[case_id] = started
                time.sleep(0.2)
            deadline = time.time() + 30
            while time.time() < deadline and len(sink.times()) < len(case_ids):
                time.sleep(0.2)
            arrivals = sink.times()
            by_case = {
                int(d.subject.split(":")[1]): arrivals.get(d.event.webhook_id)
                for d in Delivery.objects.filter(endpoint__url=sink.url).select_related("event")
            }
            waits = sorted(
                (by_case[c] - sent_at[c]) * 1000 for c in case_ids if by_case.get(c) is not None
            )
            retire(case_ids, actor)
        finally:
            worker.terminate()
            worker.wait()
            sink.close()
    return {
        "samples": len(waits),
        "median_ms": statistics.median(waits),
        "p95_ms": waits[int(len(waits) * 0.95) - 1],
        "max_ms": waits[-1],
    }


def transition_rate(cases: int, *, record: bool, endpoints: int) -> float:
    """Transitions per second over `cases` new cases taken open -> mark_pending -> resume,
    with events recorded or not (the recorder switched off in this process only), and
    `endpoints` enabled endpoints wanting every event."""
    WebhookEndpoint.objects.filter(enabled=True).update(enabled=False)
    made = (
        [
            services.create_endpoint(actor=admin(), url="https://1.1.1.1/", event_types=[])[0]
            for _ in range(endpoints)
        ]
        if endpoints
        else []
    )
    actor = admin()
    ids = fresh_cases(cases, City.objects.order_by("id").first(), actor)
    original = transition_module.outbox_events_for
    if not record:
        transition_module.outbox_events_for = lambda case, event: []
    try:
        started = time.perf_counter()
        done = run_cycles(ids, actor)
        elapsed = time.perf_counter() - started
    finally:
        transition_module.outbox_events_for = original
    retire(ids, actor)
    Delivery.objects.filter(endpoint__in=made).delete()
    WebhookEndpoint.objects.filter(pk__in=[e.pk for e in made]).update(enabled=False)
    return done / elapsed


PARTS = ("plan", "throughput", "drain", "transitions", "latency")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"Some of {', '.join(PARTS)}.")
    parts = set(parser.parse_args().parts.split(","))
    log("== history: 1,000,000 delivered deliveries")
    ensure_history()
    if "plan" in parts:
        log("== claim plan with nothing due, beside the history")
        for line in claim_plan():
            log(f"  PLAN {line}")
        log("== claim plan with 10,000 due, beside the history")
        endpoint = only_endpoint("https://1.1.1.1/plan", ["webhook.test"])
        test_events(10_000)
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{Delivery._meta.db_table}"')
        for line in claim_plan():
            log(f"  PLAN10K {line}")
        Delivery.objects.filter(endpoint=endpoint).delete()
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    if "throughput" in parts:
        run_throughput()
    if "drain" in parts:
        run_drain()
    if "transitions" in parts:
        run_transitions()
    if "latency" in parts:
        run_latency()


def run_throughput() -> None:
    log("== throughput: 5,000 deliveries, one dispatcher process")
    t = throughput(5000)
    log(
        f"RESULT throughput: {t['sent']:,} deliveries in {t['seconds']:.2f} s = "
        f"{t['sent'] / t['seconds']:,.0f}/s ({t['arrived']:,} arrived)"
    )


def run_drain() -> None:
    log("== drain: 100,000 pending deliveries, one dispatcher process")
    d = drain_memory(100_000)
    log(
        f"RESULT drain: {d['sent']:,} in {d['seconds']:.1f} s = {d['sent'] / d['seconds']:,.0f}/s; "
        f"peak RSS {d['rss_first']:.0f} MB after the first 5,000, {d['rss_last']:.0f} MB at the end"
    )


def run_transitions() -> None:
    log("== transitions/s: events off, on with no endpoint, on with one endpoint (same run)")
    configs = (("off", False, 0), ("on0", True, 0), ("on1", True, 1))
    for _, record, endpoints in configs:
        transition_rate(100, record=record, endpoints=endpoints)  # warm-up
    runs: dict[str, list[float]] = {label: [] for label, _, _ in configs}
    for _ in range(5):  # interleaved, so drift on the machine hits each alike
        for label, record, endpoints in configs:
            runs[label].append(transition_rate(300, record=record, endpoints=endpoints))
    rates = {label: statistics.median(values) for label, values in runs.items()}
    log(
        f"RESULT transitions: {rates['off']:,.0f}/s without recording, {rates['on0']:,.0f}/s "
        f"recording (no endpoint), {rates['on1']:,.0f}/s recording with one endpoint: "
        f"{(1 - rates['on1'] / rates['off']) * 100:.1f}% slower"
    )


def run_latency() -> None:
    log("== latency: committed transition -> arrival, real worker + beat + kick")
    lat = latency(50)
    log(
        f"RESULT latency over {lat['samples']} changes: median {lat['median_ms']:.0f} ms, "
        f"p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
