"""Benchmark: compute one payout run over 50,000 partners and 2,000,000 ledger entries.

Loads the data once with COPY into a bench database (skipped when it is there), then times
payouts.services.compute_payout_run, checks the result adds up, and removes the run again so
the next invocation measures the same thing. Target: under 60 s.

    DATABASE_URL=postgres://casework:casework@127.0.0.1:54329/casework_bench \\
        .venv/bin/python bench/bench_payouts.py [--partners 50000] [--entries 2000000]

The partners live in their own region ("ZZ", INR) and city, with external ids BENCH-PX-…,
so the cases benchmark sharing casework_bench is not disturbed, nor disturbs this one.
Nothing here asserts on time: the figure is printed for the lead to record.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://casework:casework@127.0.0.1:54329/casework_bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from partners.models import City, Region  # noqa: E402
from payouts import services  # noqa: E402
from payouts.models import LedgerEntry, PayoutLine, PayoutRun, PayoutRunEntry  # noqa: E402

TARGET_SECONDS = 25.0  # issue 20: 50k partners / 2M entries under 25 s
REGION_CODE = "ZZ"
PARTNER_PREFIX = "BENCH-PX-"
ENTRY_PREFIX = "bench:"
COPY_CHUNK = 100_000

# (kind, share in %, amount range in paise, sign): mostly earnings, some debits and credits.
MIX = [
    ("earning", 80, (19_900, 499_900), 1),
    ("penalty_deduction", 8, (5_000, 300_000), -1),
    ("bonus", 5, (10_000, 10_000), 1),
    ("recovery", 4, (10_000, 300_000), -1),
    ("reversal", 3, (5_000, 300_000), 1),
]


def say(message: str) -> None:
    print(message, flush=True)


def bench_city() -> City:
    region, _ = Region.objects.get_or_create(
        country=REGION_CODE,
        defaults={
            "name": "Bench region",
            "currency": "INR",
            "timezone": "Asia/Kolkata",
            "weekend_days": [6],
        },
    )
    city, _ = City.objects.get_or_create(region=region, name="Bench City")
    return city


def load_partners(city: City, wanted: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM partners_partner WHERE external_id LIKE %s",
            [PARTNER_PREFIX + "%"],
        )
        existing = cur.fetchone()[0]
    if existing < wanted:
        say(f"== COPY {wanted - existing:,} partners")
        started = time.perf_counter()
        now = timezone.now().isoformat()
        raw = connection.connection
        with (
            raw.cursor() as cur,
            cur.copy(
                "COPY partners_partner (external_id, name, phone, hub, categories, is_sme, "
                "programmes, rating, is_active, created_at, city_id, payout_account_holder, "
                "payout_account_number, payout_ifsc, payout_iban) FROM STDIN"
            ) as copy,
        ):
            lines = []
            for n in range(existing, wanted):
                lines.append(
                    f"{PARTNER_PREFIX}{n:06d}\tBench Partner {n}\t+9190{n:08d}\tBench\t"
                    f"{{appliances}}\tf\t{{}}\t4.50\tt\t{now}\t{city.pk}\t"
                    f"Bench Partner {n}\t{n:012d}\tBENC0{n:06d}\t\n"
                )
                if len(lines) >= COPY_CHUNK:
                    copy.write("".join(lines))
                    lines.clear()
            copy.write("".join(lines))
        say(f"   {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM partners_partner WHERE external_id LIKE %s ORDER BY id LIMIT %s",
            [PARTNER_PREFIX + "%", wanted],
        )
        return [row[0] for row in cur.fetchall()]


def load_entries(partner_ids: list[int], wanted: int) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM payouts_ledgerentry WHERE idempotency_key LIKE %s",
            [ENTRY_PREFIX + "%"],
        )
        existing = cur.fetchone()[0]
    if existing >= wanted:
        say(f"== {existing:,} bench ledger entries already there; generation skipped")
        return
    say(f"== COPY {wanted - existing:,} ledger entries")
    started = time.perf_counter()
    rng = random.Random(20261123)
    kinds = [kind for kind, share, _, _ in MIX for _ in range(share)]
    specs = {kind: (low, high, sign) for kind, _, (low, high), sign in MIX}
    now = timezone.now()
    span_seconds = 28 * 24 * 3600
    raw = connection.connection
    with (
        raw.cursor() as cur,
        cur.copy(
            "COPY payouts_ledgerentry (partner_id, currency, kind, amount, occurred_at, "
            "idempotency_key, policy_version, memo, created_at) FROM STDIN"
        ) as copy,
    ):
        lines = []
        stamp = now.isoformat()
        for n in range(existing, wanted):
            kind = kinds[n % 100]
            low, high, sign = specs[kind]
            paise = rng.randint(low, high) * sign
            occurred = (now - timedelta(seconds=rng.randrange(span_seconds))).isoformat()
            # Exact decimal text from integer paise: money never passes through a float.
            amount = f"{'-' if paise < 0 else ''}{abs(paise) // 100}.{abs(paise) % 100:02d}"
            lines.append(
                f"{partner_ids[n % len(partner_ids)]}\tINR\t{kind}\t{amount}\t{occurred}\t"
                f"{ENTRY_PREFIX}{n}\tbench\t\t{stamp}\n"
            )
            if len(lines) >= COPY_CHUNK:
                copy.write("".join(lines))
                lines.clear()
        copy.write("".join(lines))
    say(f"   {time.perf_counter() - started:.1f} s")


def vacuum() -> None:
    say("== VACUUM ANALYZE")
    with connection.cursor() as cur:
        for table in (
            "partners_partner",
            "payouts_ledgerentry",
            "payouts_payoutrunentry",
            "payouts_payoutline",
        ):
            cur.execute(f"VACUUM (ANALYZE) {table}")


def drop_open_runs(region: Region) -> None:
    """Remove runs of the bench region left by an earlier invocation (lines, links, run)."""
    for run in PayoutRun.objects.filter(region=region):
        PayoutLine.objects.filter(run=run).delete()
        PayoutRunEntry.objects.filter(run=run).delete()
        run.delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=50_000)
    parser.add_argument("--entries", type=int, default=2_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="keep the computed run")
    args = parser.parse_args()

    db = connection.settings_dict["NAME"]
    say(f"== database {db}: migrate")
    call_command("migrate", verbosity=0, interactive=False)
    city = bench_city()
    partner_ids = load_partners(city, args.partners)
    load_entries(partner_ids, args.entries)
    drop_open_runs(city.region)
    vacuum()

    today = timezone.localdate()
    run = PayoutRun.objects.create(
        region=city.region,
        currency="INR",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=1),
    )
    say(
        f"== compute_payout_run(run {run.pk}): {len(partner_ids):,} partners, batch "
        f"{args.batch_size}"
    )
    started = time.perf_counter()
    run = services.compute_payout_run(run_id=run.pk, batch_size=args.batch_size)
    seconds = time.perf_counter() - started

    links = PayoutRunEntry.objects.filter(run=run).count()
    lines = PayoutLine.objects.filter(run=run).aggregate(n=Count("id"), net=Sum("net"))
    ledger = LedgerEntry.objects.filter(partner__city=city).aggregate(
        n=Count("id"), total=Sum("amount")
    )
    ok = links == ledger["n"] and lines["net"] == ledger["total"]
    say(f"   state {run.state}, progress {run.progress_done}/{run.progress_total}")
    say(
        f"   {links:,} entries taken of {ledger['n']:,}; {lines['n']:,} lines; "
        f"net {lines['net']} = ledger {ledger['total']}: {'OK' if ok else 'MISMATCH'}"
    )
    say("")
    say(
        f"compute_payout_run: {seconds:.1f} s for {len(partner_ids):,} partners / "
        f"{links:,} entries (target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if seconds < TARGET_SECONDS else 'MISSED'}) on {date.today()}"
    )
    if not args.keep:
        drop_open_runs(city.region)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
