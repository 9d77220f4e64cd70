"""Benchmarks at 1M cases: the case list API (HTTP and in-process) and transitions per second.

Run through `make bench` (scripts/bench.sh), which prepares the casework_bench database, or
directly against a bench database:

    DATABASE_URL=postgres://casework:casework@127.0.0.1:54329/casework_bench \\
        .venv/bin/python bench/bench_cases.py

It writes bench/RESULTS.md (keeping the hand-written analysis block between the markers).
Nothing here asserts on time: figures are reported against the targets, not enforced.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import os
import platform
import pstats
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from report import CYCLE, generation_figure, write_results  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from cases import services  # noqa: E402
from cases.models import CaseStatus, DispositionTag  # noqa: E402
from core import roles  # noqa: E402
from partners.models import City  # noqa: E402

LIST_PATH = "/api/v1/cases/"
BENCH_USER = "bench-agent"


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summarise(samples_s: list[float]) -> dict:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "median_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 95),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


def log(message: str) -> None:
    print(message, flush=True)


# --- setup ----------------------------------------------------------------------------------


def bench_user() -> tuple[User, str]:
    user, created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"is_staff": True, "email": "bench@casework.example"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=roles.AGENT))
    token, _ = Token.objects.get_or_create(user=user)
    return user, token.key


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync_commit = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "mem_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "postgres": pg_version,
        "shared_buffers": shared_buffers,
        "synchronous_commit": sync_commit,
        "load_at_start": os.getloadavg(),
    }


def dataset(city: City) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE status = 'open' AND city_id = %s", [city.pk]
        )
        open_in_city = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('cases_case'))")
        size = cursor.fetchone()[0]
    return {"cases": total, "open_in_city": open_in_city, "table_size": size}


def endpoint_exists() -> bool:
    try:
        resolve(LIST_PATH)
    except Resolver404:
        return False
    return True


# --- (a) the case list ------------------------------------------------------------------------


def list_in_process(url: str, token: str, *, warmup: int, requests: int) -> dict:
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    first = client.get(url)
    if first.status_code != 200:
        raise SystemExit(f"GET {url} -> {first.status_code}: {first.content[:300]!r}")
    body = first.json()
    rows = len(body.get("results", []))
    for _ in range(warmup):
        client.get(url)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in captured.captured_queries]
    # Where a request's time goes: database calls vs Python, then a profile.
    n = min(requests, 100)
    with DbClock() as clock:
        started = time.perf_counter()
        for _ in range(n):
            client.get(url)
        elapsed = time.perf_counter() - started
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(url)
    profiler.disable()
    return {
        **summarise(samples),
        "rows": rows,
        "has_next": bool(body.get("next")),
        "queries": queries,
        "ms_each": elapsed / n * 1000,
        "db_ms_each": clock.seconds / n * 1000,
        "db_ms_by_statement": {
            k: v / n * 1000 for k, v in sorted(clock.by_statement.items(), key=lambda kv: -kv[1])
        },
        "profile": profile_summary(profiler, n, elapsed),
    }


def explain_main_query(queries: list[dict]) -> dict:
    """EXPLAIN ANALYZE the page query (the one reading cases_case with a LIMIT)."""
    main = next(
        (q for q in queries if 'FROM "cases_case"' in q["sql"] and "LIMIT" in q["sql"]), None
    )
    if main is None:
        return {"sql": "", "plan": []}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + main["sql"])
        plan = [row[0] for row in cursor.fetchall()]
    return {"sql": main["sql"], "plan": plan}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, token: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Token {token}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def list_over_http(url: str, token: str, *, warmup: int, requests: int, workers: int) -> dict:
    """Start gunicorn (sync workers, as deployed), time requests from this process."""
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = http_get(port, url, token)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        if status != 200:
            raise SystemExit(f"GET {url} over HTTP -> {status}")
        for _ in range(warmup):
            http_get(port, url, token)
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            status, body = http_get(port, url, token)
            samples.append(time.perf_counter() - started)
            assert status == 200, status
        return {**summarise(samples), "bytes": len(body), "server": " ".join(command[1:])}
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- (b) transitions through the service layer ------------------------------------------------


def fresh_cases(count: int, city: City, actor: User) -> list[int]:
    started = time.perf_counter()
    ids = [
        services.create_case(
            actor=actor,
            kind="status_check",
            channel="inbound_call",
            reporter="customer",
            subject="Bench: status check",
            city=city,
        ).pk
        for _ in range(count)
    ]
    log(f"  created {count} cases in {time.perf_counter() - started:.1f} s (create_case)")
    return ids


def run_cycles(ids: list[int], actor: User) -> int:
    done = 0
    for case_id in ids:
        for name in CYCLE:
            services.transition_case(case_id=case_id, name=name, actor=actor)
            done += 1
    return done


def retire(ids: list[int], actor: User) -> None:
    """Resolve and close bench cases (untimed) so they never sit in an open queue."""
    tag = DispositionTag.objects.filter(is_selectable=True, kinds__contains=["status_check"])[0]
    for case_id in ids:
        services.transition_case(
            case_id=case_id, name="resolve", actor=actor, data={"disposition": tag.path}
        )
        services.transition_case(case_id=case_id, name="close", actor=actor)


class DbClock:
    """Wall time spent in database calls: every execute (BEGIN rides on the first) + COMMIT."""

    STATEMENT = re.compile(
        r'^\s*(SELECT|UPDATE|INSERT|DELETE)\b.*?(?:FROM|UPDATE|INTO) "(\w+)"', re.S
    )

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self.by_statement: dict[str, float] = {}

    def _add(self, key: str, seconds: float) -> None:
        self.seconds += seconds
        self.calls += 1
        self.by_statement[key] = self.by_statement.get(key, 0.0) + seconds

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            m = self.STATEMENT.match(sql)
            key = f"{m.group(1)} {m.group(2)}" if m else sql.split(None, 1)[0]
            if "FOR UPDATE" in sql:
                key += " FOR UPDATE"
            self._add(key, time.perf_counter() - started)

    def __enter__(self) -> DbClock:
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        real_commit = type(connection._connections[connection._alias]).commit
        db = connection._connections[connection._alias]

        def timed_commit():
            started = time.perf_counter()
            try:
                return real_commit(db)
            finally:
                self._add("COMMIT", time.perf_counter() - started)

        db.commit = timed_commit  # Atomic looks commit up on the instance
        self._db = db
        return self

    def __exit__(self, *exc) -> None:
        del self._db.commit
        self._wrapper.__exit__(*exc)


def transitions(count: int, city: City, actor: User, *, profile_cases: int) -> dict:
    ids = fresh_cases(count, city, actor)
    with DbClock() as clock:
        started = time.perf_counter()
        done = run_cycles(ids, actor)
        elapsed = time.perf_counter() - started
    result = {
        "cases": count,
        "transitions": done,
        "seconds": elapsed,
        "per_second": done / elapsed,
        "ms_each": elapsed / done * 1000,
        "db_ms_each": clock.seconds / done * 1000,
        "db_calls_each": clock.calls / done,
        "db_ms_by_statement": {
            k: v / done * 1000 for k, v in sorted(clock.by_statement.items(), key=lambda kv: -kv[1])
        },
    }
    log(
        f"  {done} transitions in {elapsed:.2f} s = {done / elapsed:,.0f}/s; "
        f"{result['db_ms_each']:.2f} of {result['ms_each']:.2f} ms each in database calls"
    )

    # Queries one transition costs.
    probe = fresh_cases(1, city, actor)
    with CaptureQueriesContext(connection) as captured:
        services.transition_case(case_id=probe[0], name="open", actor=actor)
    result["queries_per_transition"] = len(captured.captured_queries)
    result["query_list"] = [q["sql"][:140] for q in captured.captured_queries]
    ids += probe

    # The same loop without waiting for the WAL flush at commit: separates the disk's share.
    extra = fresh_cases(max(count // 4, 100), city, actor)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    started = time.perf_counter()
    n = run_cycles(extra, actor)
    async_elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO DEFAULT")
    result["async_commit_per_second"] = n / async_elapsed
    log(f"  diagnostic, synchronous_commit=off: {n / async_elapsed:,.0f}/s")
    ids += extra

    # Where the time goes: cProfile over a smaller run (profiling itself slows Python down).
    prof_ids = fresh_cases(profile_cases, city, actor)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    n = run_cycles(prof_ids, actor)
    profiler.disable()
    prof_elapsed = time.perf_counter() - started
    ids += prof_ids
    result["profile"] = profile_summary(profiler, n, prof_elapsed)

    started = time.perf_counter()
    retire(ids, actor)
    log(f"  retired {len(ids)} bench cases in {time.perf_counter() - started:.1f} s")
    return result


def _parallel_child(ids: list[int], actor_id: int, barrier, out) -> None:
    # A forked child: the parent closed its connections, so this opens its own.
    actor = User.objects.get(pk=actor_id)
    barrier.wait()
    started = time.perf_counter()
    done = run_cycles(ids, actor)
    out.put((done, started, time.perf_counter()))


def parallel_transitions(count: int, city: City, actor: User, processes: int) -> dict:
    """The same cycles in `processes` processes at once, each on its own connection and its
    own cases, as a deployment's web and worker processes would: transitions/s overall."""
    import multiprocessing

    from django.db import connections

    ids = fresh_cases(count, city, actor)
    chunks = [ids[i::processes] for i in range(processes)]
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    children = [
        ctx.Process(target=_parallel_child, args=(chunk, actor.pk, barrier, out))
        for chunk in chunks
    ]
    for child in children:
        child.start()
    finished = [out.get(timeout=600) for _ in children]
    for child in children:
        child.join()
    done = sum(n for n, _, _ in finished)
    elapsed = max(end for _, _, end in finished) - min(start for _, start, _ in finished)
    result = {
        "processes": processes,
        "transitions": done,
        "seconds": elapsed,
        "per_second": done / elapsed,
    }
    log(f"  {processes} processes: {done} transitions in {elapsed:.2f} s = {done / elapsed:,.0f}/s")
    retire(ids, actor)
    return result


def profile_summary(profiler: cProfile.Profile, transitions_done: int, elapsed: float) -> dict:
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(28)
    cumulative = _trim_stats(stream.getvalue())
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(15)
    own = _trim_stats(stream.getvalue())
    return {
        "transitions": transitions_done,
        "seconds": elapsed,
        "per_second": transitions_done / elapsed,
        "cumulative": cumulative,
        "tottime": own,
    }


def _trim_stats(text: str) -> str:
    lines = [ln.rstrip() for ln in text.splitlines()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    root = str(ROOT) + "/"
    site = re.compile(r"\S*/site-packages/")
    return "\n".join(site.sub("", ln.replace(root, "")) for ln in lines[start:] if ln.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--city", default="Delhi", help="City (name) for the list filter.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--transition-cases", type=int, default=2000)
    parser.add_argument("--profile-cases", type=int, default=300)
    parser.add_argument("--transition-city", default="Sahel")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-transitions", action="store_true")
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--generate-log", default=str(ROOT / "bench" / "generate.log"))
    parser.add_argument(
        "--allow-default-db",
        action="store_true",
        help="Run against the default 'casework' database (it adds bench cases).",
    )
    args = parser.parse_args()

    db_name = settings.DATABASES["default"]["NAME"]
    if db_name == "casework" and not args.allow_default_db:
        raise SystemExit(
            "Refusing to benchmark the default 'casework' database; point DATABASE_URL at "
            "casework_bench (make bench does) or pass --allow-default-db."
        )
    city = City.objects.get(name=args.city)
    user, token = bench_user()
    results: dict = {
        "when": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
        "command": os.environ.get("BENCH_COMMAND")
        or " ".join(
            shlex.quote(a) for a in [".venv/bin/python", "bench/bench_cases.py"] + sys.argv[1:]
        ),
        "args": vars(args),
        "machine": machine(),
        "city": f"{city.name} (id {city.pk})",
        "dataset": dataset(city),
        "generation": generation_figure(Path(args.generate_log)),
    }
    log(f"Database {db_name}: {results['dataset']['cases']:,} cases")
    url = f"{LIST_PATH}?status={CaseStatus.OPEN}&city={city.pk}"
    results["url"] = url
    if endpoint_exists():
        log(f"(a) GET {url}")
        results["in_process"] = list_in_process(
            url, token, warmup=args.warmup, requests=args.requests
        )
        ip = results["in_process"]
        log(
            f"  in-process: median {ip['median_ms']:.1f} ms, p95 {ip['p95_ms']:.1f} ms, "
            f"{len(ip['queries'])} queries, {ip['rows']} rows"
        )
        results["explain"] = explain_main_query(ip["queries"])
        if results["explain"]["plan"]:
            log(f"  plan: {results['explain']['plan'][0].strip()}")
        if not args.skip_http:
            results["http"] = list_over_http(
                url, token, warmup=args.warmup, requests=args.requests, workers=args.workers
            )
            h = results["http"]
            log(f"  HTTP: median {h['median_ms']:.1f} ms, p95 {h['p95_ms']:.1f} ms")
    else:
        results["list_skipped"] = f"{LIST_PATH} is not routed yet; list benchmark skipped."
        log(results["list_skipped"])
    if not args.skip_transitions:
        log("(b) transitions through cases.services.transition_case")
        results["transitions"] = transitions(
            args.transition_cases,
            City.objects.get(name=args.transition_city),
            user,
            profile_cases=args.profile_cases,
        )
        results["parallel_transitions"] = parallel_transitions(
            args.transition_cases,
            City.objects.get(name=args.transition_city),
            user,
            processes=os.cpu_count() or 2,
        )
    write_results(Path(args.results), results)
    log(f"Wrote {args.results}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    log(f"Bench done in {timedelta(seconds=round(time.perf_counter() - started))}.")
