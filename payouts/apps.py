"""Partner money: PAF records, penalties, refunds, ledger and payout runs."""

from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "payouts"
    verbose_name = "Partner payouts"
