"""Celery entry points for the SOP clock sweeps (thin: call the sweep)."""

from celery import shared_task

from . import clocks


@shared_task(name="flows.tasks.sweep_case_clocks")
def sweep_case_clocks() -> int:
    return clocks.sweep_case_clocks().processed


@shared_task(name="flows.tasks.sweep_spd")
def sweep_spd() -> int:
    return clocks.sweep_spd().processed


@shared_task(name="flows.tasks.sweep_refund_tat")
def sweep_refund_tat() -> int:
    return clocks.sweep_refund_tat().processed
