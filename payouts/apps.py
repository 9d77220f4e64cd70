"""Partner money: PAF records, penalties, refunds, ledger and payout runs."""

from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "payouts"
    verbose_name = "Partner payouts"

    def ready(self) -> None:
        from cases.admin.page import register_panel

        from .case_panel import case_page_panel

        register_panel(case_page_panel)
