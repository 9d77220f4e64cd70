"""GET /health/clocks/: is every clock being kept? JSON for monitoring (aggregates only, no
case data): per sweep the due queue, the oldest due item's age and the last run. 503 when a
sweep has not finished within STALE_AFTER, its last run failed, or due work waits longer."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .clocks import QueueHealth, clock_health


def problems(queues: list[QueueHealth], *, now=None) -> list[str]:
    """What is wrong, in words (empty: healthy)."""
    now = now or timezone.now()
    stale = timedelta(seconds=settings.CLOCK_HEALTH_STALE_SECONDS)
    out = []
    for q in queues:
        if q.last_finished_at is None:
            out.append(f"{q.name}: never ran")
        elif now - q.last_finished_at > stale:
            out.append(f"{q.name}: last finished {q.last_finished_at.isoformat()}")
        if q.last_error:
            out.append(f"{q.name}: last run failed: {q.last_error}")
        if q.oldest_age_seconds is not None and q.oldest_age_seconds > stale.total_seconds():
            out.append(f"{q.name}: {q.due} due, the oldest for {q.oldest_age_seconds:.0f} s")
    return out


@require_GET
def clocks(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    queues = clock_health(now=now)
    wrong = problems(queues, now=now)
    return JsonResponse(
        {
            "status": "ok" if not wrong else "degraded",
            "at": now.isoformat(),
            "problems": wrong,
            "queues": [q.to_dict() for q in queues],
        },
        status=200 if not wrong else 503,
    )
