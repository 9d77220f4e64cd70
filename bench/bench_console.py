"""Console pages at scale: each role's home page, the queues, search, the case page, the
record pages and the dashboard, timed in-process (Django's test Client, session login) on
the bench database (1,000,000 cases), with the queries each page makes. Prints a Markdown
section that scripts/bench.sh appends to bench/RESULTS.md.

    .venv/bin/python bench/bench_console.py [--requests 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from cases.models import Case, Customer  # noqa: E402
from core import roles  # noqa: E402
from payouts.models import PartnerAtFault, PayoutRun  # noqa: E402

TARGET_MS = 100.0
CASE_PAGE_TARGET_MS = 30.0


def console_for(role: str) -> Client:
    user, _ = User.objects.get_or_create(
        username=f"bench-console-{role.replace(' ', '-')}",
        defaults={"is_staff": True, "email": "bench@casework.example"},
    )
    user.groups.set([Group.objects.get(name=role)])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def measure(client: Client, url: str, *, warmup: int, requests: int, fresh=None) -> dict:
    first = client.get(url)
    status = first.status_code
    if status not in (200, 302):
        raise SystemExit(f"GET {url} -> {status}")
    for _ in range(warmup):
        client.get(url)
    samples = []
    for _ in range(requests):
        if fresh:
            fresh()
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    if fresh:
        fresh()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    samples.sort()
    return {
        "status": status,
        "median": statistics.median(samples),
        "p95": samples[int(len(samples) * 0.95) - 1],
        "queries": len(captured.captured_queries),
        "db_ms": sum(float(q["time"]) for q in captured.captured_queries) * 1000,
    }


def pages() -> list[tuple[str, str, str, object]]:
    """(what, role, url, fresh) for every page timed."""
    case = (
        Case.objects.filter(customer__isnull=False, booking__isnull=False).order_by("-id").first()
    )
    customer = Customer.objects.filter(pk=case.customer_id).first()
    phone_national = customer.phone.removeprefix("+91")
    name_part = customer.name.split()[0][:5]
    cases = reverse("admin:cases_case_changelist")
    out = [
        # The theme's floor: a console page with a two-field form and nothing of ours.
        ("Bare console page (password form)", roles.AGENT, reverse("admin:password_change"), None),
        ("Home: agent", roles.AGENT, reverse("admin:index"), None),
        ("Home: partner support", roles.PARTNER_SUPPORT, reverse("admin:index"), None),
        ("Home: finance", roles.FINANCE, reverse("admin:index"), None),
        ("Home: supervisor", roles.SUPERVISOR, reverse("admin:index"), None),
        ("Case queue (open work by deadline)", roles.AGENT, cases, None),
        ("Case queue: breached", roles.AGENT, f"{cases}?sla=breached", None),
        ("Case queue: my open cases", roles.AGENT, f"{cases}?assignee=me", None),
        ("Search: phone, national form", roles.AGENT, f"{cases}?q={phone_national}", None),
        ("Search: part of a customer name", roles.AGENT, f"{cases}?q={name_part}", None),
        (
            "Search: part of a booking id",
            roles.AGENT,
            f"{cases}?q={case.booking.external_id.split('-')[-1][:9]}",
            None,
        ),
        ("Case page", roles.AGENT, reverse("admin:cases_case_change", args=[case.pk]), None),
        ("Task queue", roles.AGENT, reverse("admin:cases_task_changelist"), None),
        (
            "PAF list",
            roles.PARTNER_SUPPORT,
            reverse("admin:payouts_partneratfault_changelist"),
            None,
        ),
        (
            "Reversal requests awaiting decision",
            roles.FINANCE,
            reverse("admin:payouts_reversalrequest_changelist") + "?queue=awaiting",
            None,
        ),
        ("Payout runs", roles.FINANCE, reverse("admin:payouts_payoutrun_changelist"), None),
        ("Dashboard (cached)", roles.SUPERVISOR, reverse("console-dashboard"), None),
        (
            "Dashboard (recomputed, cache cleared)",
            roles.SUPERVISOR,
            reverse("console-dashboard"),
            lambda: cache.delete("console:dashboard"),
        ),
        (
            "Policy version form",
            roles.SUPERVISOR,
            reverse("admin:policies_policyversion_add"),
            None,
        ),
    ]
    paf = PartnerAtFault.objects.order_by("-id").first()
    if paf is not None:
        out.append(
            (
                "PAF page",
                roles.PARTNER_SUPPORT,
                reverse("admin:payouts_partneratfault_change", args=[paf.pk]),
                None,
            )
        )
    run = PayoutRun.objects.order_by("-id").first()
    if run is not None:
        out.append(
            (
                "Payout run page",
                roles.FINANCE,
                reverse("admin:payouts_payoutrun_change", args=[run.pk]),
                None,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    total = Case.objects.order_by().count()
    consoles = {role: console_for(role) for role in roles.ALL_ROLES}
    rows = []
    for what, role, url, fresh in pages():
        figures = measure(
            consoles[role], url, warmup=args.warmup, requests=args.requests, fresh=fresh
        )
        target = CASE_PAGE_TARGET_MS if what == "Case page" else TARGET_MS
        if fresh is not None:
            target = None  # recomputed once a minute at most, not per request
        rows.append((what, role, figures, target))
        print(f"RESULT {what}: median {figures['median']:.1f} ms, {figures['queries']} queries")
    print()
    print(f"## Console pages at {total:,} cases")
    print()
    print(
        f"Command: `make bench` (runs `bench/bench_console.py`, {args.requests} timed requests"
        f" per page after {args.warmup} warm-up ones, in-process test Client with a session,"
        " as each role)."
    )
    print()
    print("| page | as | median | p95 | queries | DB time | target | |")
    print("|---|---|---|---|---|---|---|---|")
    for what, role, f, target in rows:
        verdict = "" if target is None else ("**met**" if f["median"] <= target else "missed")
        shown = "–" if target is None else f"<= {target:.0f} ms"
        print(
            f"| {what} | {role} | {f['median']:.1f} ms | {f['p95']:.1f} ms | {f['queries']} |"
            f" {f['db_ms']:.1f} ms | {shown} | {verdict} |"
        )


if __name__ == "__main__":
    main()
