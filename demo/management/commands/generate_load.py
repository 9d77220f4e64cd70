"""manage.py generate_load --cases N: bulk benchmark data through PostgreSQL COPY.

Writes N cases plus the customers (N/10), partners (N/50) and bookings (N/2) they refer to,
spread over every city, kind, team and priority, with statuses that follow the age of the
case (old cases are mostly closed, recent ones still in the queues) and created_at spread
over the last year. Rows go straight in with COPY in batches, bypassing the state machine
on purpose: this is load for benchmarks, not business history. The database's own CHECK and
foreign-key constraints still hold every row.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.bulk_load import BulkLoad


class Command(BaseCommand):
    help = (
        "Bulk-load N cases (with N/10 customers, N/50 partners, N/2 bookings) through COPY, "
        "for benchmarks. Use a separate database: this adds rows every time it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases to add.")
        parser.add_argument("--batch", type=int, default=50000, help="Rows per COPY batch.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--days", type=int, default=365, help="Spread created_at over this many past days."
        )
        parser.add_argument(
            "--events", action="store_true", help="Also write one 'created' audit event per case."
        )

    def handle(self, *args, **options):
        if options["cases"] <= 0 or options["batch"] <= 0:
            raise CommandError("--cases and --batch must be positive.")
        if connection.vendor != "postgresql":
            raise CommandError("generate_load needs PostgreSQL (it uses COPY).")
        started = time.perf_counter()
        load = BulkLoad(
            cases=options["cases"],
            batch=options["batch"],
            seed=options["seed"],
            days=options["days"],
            events=options["events"],
            out=self.stdout,
        )
        self.stdout.write(
            f"Generating {load.n_cases:,} cases, {load.n_bookings:,} bookings, "
            f"{load.n_customers:,} customers, {load.n_partners:,} partners "
            f"(batch {options['batch']:,}, run {load.run_tag})..."
        )
        load.run()
        elapsed = time.perf_counter() - started
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in load.timings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {load.n_cases:,} cases in {elapsed:.1f} s "
                f"({load.n_cases / elapsed:,.0f} cases/s; {phases})."
            )
        )
        self.stdout.write(f"generate_load_seconds={elapsed:.1f}")
