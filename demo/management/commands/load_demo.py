"""manage.py load_demo: role users and a realistic demo world, loaded once (idempotent)."""

from django.core.management.base import BaseCommand

from demo.history import HISTORY_DAYS
from demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Create the demo logins (password demo1234) and demo partners, customers, bookings "
        "and cases for India and Egypt; their last 90 days of history (cases worked and "
        "resolved, some breached; PAFs, penalties, refunds, reversals, the runs of the month "
        "before last, two policy versions); then the payouts part: earnings, bonuses, revisit "
        "PAFs and penalties, refunds, reversal requests and last month's paid India run. "
        "Each part is added once; does nothing when all are there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=None, help="Random seed (default fixed).")
        parser.add_argument(
            "--history-days",
            type=int,
            default=HISTORY_DAYS,
            help=f"Days of history lived before today (default {HISTORY_DAYS}; 0 for none).",
        )

    def handle(self, *args, **options):
        kwargs = {} if options["seed"] is None else {"seed": options["seed"]}
        kwargs["history_days"] = max(options["history_days"], 0)
        summary = load_demo(**kwargs)
        style = self.style.WARNING if summary.nothing_done else self.style.SUCCESS
        lines = summary.lines()
        self.stdout.write(style(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
