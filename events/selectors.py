"""Reads of the outbox: endpoints with their recent success rate and last errors, and the
delivery log with its filters."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Delivery, DeliveryAttempt, DeliveryState, WebhookEndpoint

RATE_WINDOW = timedelta(hours=24)


def _count(qs: QuerySet) -> Subquery:
    return Subquery(
        qs.order_by().values("delivery__endpoint").annotate(n=Count("id")).values("n"),
        output_field=IntegerField(),
    )


def endpoints_with_rates(*, now: datetime | None = None) -> QuerySet[WebhookEndpoint]:
    """Endpoints, each with its attempts and successful attempts over 24 hours and its pending
    deliveries (one query; each count reads the attempts' time index or the pending index)."""
    since = (now or timezone.now()) - RATE_WINDOW
    recent = DeliveryAttempt.objects.filter(delivery__endpoint=OuterRef("pk"), at__gte=since)
    pending = (
        Delivery.objects.filter(endpoint=OuterRef("pk"), state=DeliveryState.PENDING)
        .order_by()
        .values("endpoint")
        .annotate(n=Count("id"))
        .values("n")
    )
    return WebhookEndpoint.objects.annotate(
        attempts_24h=Coalesce(_count(recent), 0),
        successes_24h=Coalesce(_count(recent.filter(status_code__gte=200, status_code__lt=300)), 0),
        pending=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
    ).order_by("id")


def success_rate(attempts: int, successes: int) -> float | None:
    """Successful attempts over all attempts, 0..1; None when there were none."""
    return None if not attempts else successes / attempts


def last_errors(endpoint_id: int, limit: int = 5) -> list[DeliveryAttempt]:
    """The endpoint's latest failed attempts, newest first."""
    failed = Q(status_code__isnull=True) | ~Q(status_code__gte=200, status_code__lt=300)
    return list(
        DeliveryAttempt.objects.filter(failed, delivery__endpoint_id=endpoint_id)
        .select_related("delivery__event")
        .order_by("-at")[:limit]
    )


def delivery_list(
    *,
    endpoint_id: int | None = None,
    event_type: str | None = None,
    state: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Delivery]:
    """The delivery log, newest first, with its filters (each on an indexed column)."""
    qs = Delivery.objects.select_related("event", "endpoint")
    if endpoint_id is not None:
        qs = qs.filter(endpoint_id=endpoint_id)
    if event_type:
        qs = qs.filter(event__type=event_type)
    if state:
        qs = qs.filter(state=state)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.order_by("-id")
