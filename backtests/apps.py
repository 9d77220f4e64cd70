from django.apps import AppConfig


class BacktestsConfig(AppConfig):
    name = "backtests"
    verbose_name = "Policy backtests"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models import Q

        from sweeps.queues import register_queue

        from . import (
            services,
            tasks,  # noqa: F401  (connects backtest_queued to the task that runs it)
        )
        from .models import Backtest, BacktestState

        register_queue(
            "backtests",
            lambda now: (
                Backtest.objects,
                "lease_expires_at",
                Q(state=BacktestState.RUNNING, lease_expires_at__lte=now),
            ),
            services.sweep_backtests,
        )
