"""GET /health/clocks/: is every clock being kept? 200 when healthy, 503 when a sweep has not
finished within STALE_AFTER, its last run failed, or due work waits longer.

Anyone (a load balancer) gets the bare status, `{"status": "ok"|"degraded"}`; signed-in
back-office staff (console session or API token) also get the problems in words and, per
sweep, the due queue, the oldest due item's age and the last run (aggregates only, no case
data): queue internals are not for strangers."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from core.roles import is_back_office

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


def sees_details(request: HttpRequest) -> bool:
    """Back-office staff signed in to the console, or calling with their API token. A bad
    token is a stranger here (the bare status), not an error: a load balancer never sends
    one, and the status must answer whatever the caller sends."""
    if is_back_office(request.user):
        return True
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return False
    return found is not None and is_back_office(found[0])


@require_GET
@never_cache
def clocks(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    queues = clock_health(now=now)
    wrong = problems(queues, now=now)
    body: dict = {"status": "ok" if not wrong else "degraded"}
    if sees_details(request):
        body |= {
            "at": now.isoformat(),
            "problems": wrong,
            "queues": [q.to_dict() for q in queues],
        }
    return JsonResponse(body, status=200 if not wrong else 503)
