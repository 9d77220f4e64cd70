"""Celery entry points for the SOP clock sweeps (the scheme is in cases.tasks: beat entry
`sweep-<name>`, task `sweep_<name>_task`, service `sweep_<name>`, status `<name>`)."""

from celery import shared_task

from . import clocks


@shared_task(name="flows.tasks.sweep_case_clocks_task")
def sweep_case_clocks_task() -> int:
    return clocks.sweep_case_clocks().processed


@shared_task(name="flows.tasks.sweep_spd_task")
def sweep_spd_task() -> int:
    return clocks.sweep_spd().processed


@shared_task(name="flows.tasks.sweep_refund_tat_task")
def sweep_refund_tat_task() -> int:
    return clocks.sweep_refund_tat().processed
