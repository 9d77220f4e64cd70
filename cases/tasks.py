"""Celery entry points for the cases app's sweeps. One scheme for every sweep: the beat entry
`sweep-<name>` runs the task `<app>.tasks.sweep_<name>_task`, which calls the service
`sweep_<name>`, whose runs are recorded under `<name>` (the clock health)."""

from celery import shared_task

from . import services


@shared_task(name="cases.tasks.sweep_unpark_task")
def sweep_unpark_task() -> int:
    return services.sweep_unpark().processed


@shared_task(name="cases.tasks.sweep_sla_task")
def sweep_sla_task() -> int:
    return services.sweep_sla().processed


@shared_task(name="cases.tasks.sweep_tasks_task")
def sweep_tasks_task() -> int:
    return services.sweep_tasks().processed
