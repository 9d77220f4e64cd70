"""Celery tasks of the outbox, thin: the dispatcher (beat, and kicked after a commit that
recorded events) and the pruning sweep."""

from celery import shared_task

from . import delivery, mail, services


@shared_task(name="events.tasks.dispatch_webhooks", ignore_result=True)
def dispatch_webhooks() -> int:
    services.clear_kick()
    return delivery.dispatch()


@shared_task(name="events.tasks.prune_delivery_attempts", ignore_result=True)
def prune_delivery_attempts() -> int:
    return services.prune_attempts()


@shared_task(name="events.tasks.send_queued_mail", ignore_result=True)
def send_queued_mail() -> int:
    return mail.send_due_mail()
