"""Celery entry points for payouts: the only payouts module that knows Celery. Each task is
named for what it runs and calls one service (thin); the services never import this module:
a queued run reaches its task through payouts.signals.run_queued."""

from celery import shared_task
from django.db import OperationalError
from django.dispatch import receiver

from . import services, signals


@shared_task(
    bind=True,
    name="payouts.tasks.compute_payout_run_task",
    autoretry_for=(OperationalError, services.RunBusy),
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=20,
)
def compute_payout_run_task(self, run_id: int) -> dict:
    """Compute a payout run (services.compute_payout_run). Retries and duplicate deliveries
    are safe: the service lets one worker hold the run and skips a task that was superseded
    or already finished."""
    run = services.compute_payout_run(run_id=run_id, task_id=self.request.id)
    if run is None:
        return {"run": run_id, "computed": False}
    return {
        "run": run_id,
        "computed": True,
        "state": run.state,
        "done": run.progress_done,
        "total": run.progress_total,
    }


@receiver(signals.run_queued, dispatch_uid="payouts.send_compute_task")
def send_compute_task(sender, *, run_id: int, task_id: str, **kwargs) -> None:
    """A run was queued (and that committed): its computation goes to a worker under the
    run's task id, which is how the service knows the task that holds the lease."""
    compute_payout_run_task.apply_async(args=[run_id], task_id=task_id)


@shared_task(name="payouts.tasks.sweep_payout_leases_task")
def sweep_payout_leases_task() -> int:
    """The lease sweep (services.sweep_payout_leases): runs whose computation stopped
    renewing its lease go to a new task."""
    return services.sweep_payout_leases().processed
