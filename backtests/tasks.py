"""Celery entry points for backtests: the only backtests module that knows Celery."""

from celery import shared_task
from django.db import OperationalError
from django.dispatch import receiver

from . import services, signals


@shared_task(
    bind=True,
    name="backtests.tasks.run_backtest_task",
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    max_retries=5,
)
def run_backtest_task(self, backtest_id: int) -> dict:
    """Run a backtest (services.run_backtest); a redelivery or a superseded task does nothing."""
    backtest = services.run_backtest(backtest_id=backtest_id, task_id=self.request.id)
    return {"backtest": backtest_id, "state": backtest.state, "done": backtest.progress_done}


@receiver(signals.backtest_queued, dispatch_uid="backtests.send_run_task")
def send_run_task(sender, *, backtest_id: int, task_id: str, **kwargs) -> None:
    run_backtest_task.apply_async(args=[backtest_id], task_id=task_id)


@shared_task(name="backtests.tasks.sweep_backtests_task")
def sweep_backtests_task() -> int:
    """Backtests whose worker stopped renewing its lease go to a new task; old results go."""
    return services.sweep_backtests().processed
