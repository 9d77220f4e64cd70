"""The outbox's bad news reaches people: a delivery that used every attempt, or an endpoint
disabled (410, or 5 days of failures), notifies the endpoint's creator and the administrators
(events.signals; the outbox itself knows no notification)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from cases.services.notifications import notify


def _owners(endpoint) -> list:
    users = get_user_model().objects.filter(is_superuser=True, is_active=True)
    owners = {user.pk: user for user in users}
    if endpoint.created_by_id is not None and endpoint.created_by.is_active:
        owners.setdefault(endpoint.created_by_id, endpoint.created_by)
    return list(owners.values())


def on_delivery_failed(sender, *, delivery, **kwargs) -> None:
    endpoint = delivery.endpoint
    title = f"Webhook {delivery.event.type} not delivered to {endpoint}"
    body = (
        f"Every attempt ({delivery.attempts}) failed; the last: "
        f"{delivery.last_status or delivery.last_error}. Redeliver from the endpoint's page."
    )
    with transaction.atomic():
        for user in _owners(endpoint):
            notify(user, kind="webhook_failed", title=title, body=body)


def on_endpoint_disabled(sender, *, endpoint, reason, **kwargs) -> None:
    with transaction.atomic():
        for user in _owners(endpoint):
            notify(
                user,
                kind="webhook_disabled",
                title=f"Webhook endpoint {endpoint} disabled",
                body=f"{reason} Nothing more is sent to {endpoint.url} until it is enabled.",
            )
