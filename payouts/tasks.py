"""Celery entry points for payouts (thin: call the service)."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    bind=True,
    name="payouts.tasks.compute_payout_run",
    autoretry_for=(OperationalError, services.RunBusy),
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=20,
)
def compute_payout_run(self, run_id: int) -> dict:
    """Compute a payout run. Retries and duplicate deliveries are safe: the service lets one
    worker hold the run and skips a task that was superseded or already finished."""
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


@shared_task(name="payouts.tasks.requeue_expired_leases")
def requeue_expired_leases() -> int:
    """The lease sweep: runs whose computation stopped renewing its lease go to a new task."""
    return services.sweep_expired_leases().processed
