"""Celery entry points for the cases app's clocks (thin: call the sweep)."""

from celery import shared_task

from . import services


@shared_task(name="cases.tasks.unpark_due_cases")
def unpark_due_cases() -> int:
    return services.unpark_due_cases()


@shared_task(name="cases.tasks.sweep_sla")
def sweep_sla() -> int:
    return services.sweep_sla().processed


@shared_task(name="cases.tasks.sweep_tasks")
def sweep_tasks() -> int:
    return services.sweep_tasks().processed
