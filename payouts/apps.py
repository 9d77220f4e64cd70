"""Partner money: PAF records, penalties, refunds, ledger and payout runs."""

from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "payouts"
    verbose_name = "Partner payouts"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (connects run_queued to the task that computes)
