"""Celery entry points for cases (thin: call a service)."""

from celery import shared_task

from . import services


@shared_task(name="cases.tasks.unpark_due_cases")
def unpark_due_cases() -> int:
    return services.unpark_due_cases()
