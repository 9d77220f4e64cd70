"""Show every clock's queue: due now, the oldest due item's age, the last sweep.

python manage.py clock_health           # a table; exit status 1 when something is wrong
python manage.py clock_health --json
python manage.py clock_health --sweep   # run every sweep once first
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from flows.clocks import clock_health, sweep_all
from flows.health import problems


class Command(BaseCommand):
    help = "Queue depth, oldest due item and last sweep of every clock the system keeps."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument("--sweep", action="store_true", help="Run every sweep once first.")

    def handle(self, *args, **options) -> None:
        if options["sweep"]:
            for result in sweep_all():
                self.stdout.write(f"swept {result.name}: {result.processed} processed")
        queues = clock_health()
        wrong = problems(queues)
        if options["json"]:
            self.stdout.write(
                json.dumps({"problems": wrong, "queues": [q.to_dict() for q in queues]}, indent=2)
            )
        else:
            self.stdout.write(f"{'sweep':<12} {'due':>8} {'oldest (s)':>11}  last finished")
            for q in queues:
                age = f"{q.oldest_age_seconds:.0f}" if q.oldest_age_seconds is not None else "-"
                last = q.last_finished_at.isoformat() if q.last_finished_at else "never"
                due = f"{q.due}{'+' if q.due_capped else ''}"
                self.stdout.write(f"{q.name:<12} {due:>8} {age:>11}  {last}")
            for line in wrong:
                self.stdout.write(self.style.WARNING(line))
        if wrong:
            raise CommandError(f"{len(wrong)} problem(s) with the clocks")
