"""Sending deliveries, per the Standard Webhooks specification: signed POSTs, the retry
schedule with jitter, 410 disabling the endpoint, the SSRF guard, and the dispatcher that
claims due deliveries with FOR UPDATE SKIP LOCKED (a lease, so a killed worker loses nothing:
its claims are taken again after the lease, with the same webhook-id)."""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from . import signals
from .models import Delivery, DeliveryAttempt, DeliveryState, WebhookEndpoint

log = logging.getLogger(__name__)

# Seconds to wait before each attempt: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
SCHEDULE: tuple[int, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
JITTER = 0.1  # each wait is moved by up to 10% either way, so retries do not arrive in step
TIMEOUT_SECONDS = 10
BODY_KEPT = 2048


def lease() -> timedelta:
    """How long a claim holds (WEBHOOK_LEASE_SECONDS, default 30: three request timeouts):
    a killed worker's deliveries are taken again after it."""
    return timedelta(seconds=getattr(settings, "WEBHOOK_LEASE_SECONDS", TIMEOUT_SECONDS * 3))


FAILING_DAYS_DISABLE = 5
USER_AGENT = "Casework-Webhooks/1"


class UnsafeAddress(ValueError):
    """A URL that may not be called: not https in production, or a private address."""


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


def check_url(url: str, *, resolve: bool = True) -> None:
    """Refuse what a webhook may not call: plain http in production (SECURE=1), and any host
    that resolves to a private, loopback, link-local, multicast or reserved address (all of
    its addresses are checked; loopback only when WEBHOOK_ALLOW_LOOPBACK is set)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("Give an http(s) URL with a host.")
    if settings.SECURE and parts.scheme != "https" and not _loopback_allowed():
        raise UnsafeAddress("Only https:// URLs are allowed in production.")
    if not resolve:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise UnsafeAddress(f"The host {parts.hostname} does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_loopback and _loopback_allowed():
            continue
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            raise UnsafeAddress(
                f"{parts.hostname} resolves to {address}, a private or local address."
            )


def signature_header(endpoint: WebhookEndpoint, msg_id: str, at: datetime, body: str) -> str:
    """`v1,<sig>` for the current secret, and for the previous one while it is still valid."""
    secrets = [endpoint.secret]
    if endpoint.previous_secret and (endpoint.previous_secret_until or at) > at:
        secrets.append(endpoint.previous_secret)
    return " ".join(Webhook(secret).sign(msg_id, at, body) for secret in secrets)


def next_wait(attempts_made: int) -> timedelta | None:
    """The wait before the next attempt after `attempts_made` failed ones; None: no more."""
    if attempts_made >= len(SCHEDULE):
        return None
    base = SCHEDULE[attempts_made]
    return timedelta(seconds=base * (1 + random.uniform(-JITTER, JITTER)))  # noqa: S311


@dataclass
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int
    body: str

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


_local = threading.local()


def _session() -> requests.Session:
    """This thread's HTTP session: connections to a receiver are kept alive between
    deliveries (a new TCP connection per delivery costs more than the POST itself)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def post(endpoint: WebhookEndpoint, msg_id: str, body: str, *, at: datetime) -> Outcome:
    """One signed POST (no redirects followed; 10 s timeout); never raises."""
    started = time.monotonic()
    try:
        check_url(endpoint.url)
        response = _session().post(
            endpoint.url,
            data=body.encode(),
            headers={
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "webhook-id": msg_id,
                "webhook-timestamp": str(int(at.timestamp())),
                "webhook-signature": signature_header(endpoint, msg_id, at, body),
            },
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except UnsafeAddress as exc:
        return Outcome(None, f"Refused: {exc}", _ms(started), "")
    except requests.Timeout:
        return Outcome(None, f"Timed out after {TIMEOUT_SECONDS} s.", _ms(started), "")
    except requests.RequestException as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], _ms(started), "")
    return Outcome(response.status_code, "", _ms(started), response.text[:BODY_KEPT])


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# --- the dispatcher -----------------------------------------------------------------------

# Due pending deliveries not claimed by a live lease, each the first pending one of its
# endpoint and subject: one subject reaches one endpoint in recorded order, and an endpoint
# that fails holds back only its own subjects. The "first of its subject" test is a scalar
# subquery on purpose: it runs as one probe of the delivery_order index per candidate (the
# lowest event_id of that endpoint and subject), where a NOT EXISTS is turned into an anti
# join that, misjudged after a burst of new rows, scanned every pending row per candidate.
_CLAIM = f"""
UPDATE "{Delivery._meta.db_table}" AS d SET claimed_until = %s
WHERE d.id IN (
    SELECT c.id FROM "{Delivery._meta.db_table}" AS c
    WHERE c.state = 'pending' AND c.next_attempt_at <= %s
      AND (c.claimed_until IS NULL OR c.claimed_until < %s)
      AND c.event_id = (
          SELECT e.event_id FROM "{Delivery._meta.db_table}" AS e
          WHERE e.state = 'pending' AND e.endpoint_id = c.endpoint_id
            AND e.subject = c.subject
          ORDER BY e.event_id
          LIMIT 1
      )
    ORDER BY c.next_attempt_at
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING d.id
"""


def claim(limit: int, *, now: datetime | None = None) -> list[int]:
    """Take up to `limit` due deliveries for this worker (a lease of `lease()`)."""
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM, [now + lease(), now, now, limit])
        return [row[0] for row in cursor.fetchall()]


def send(delivery: Delivery, at: datetime) -> Outcome:
    """POST one delivery (no database access: safe in a sending thread)."""
    event = delivery.event
    body = json.dumps(event.envelope(), separators=(",", ":"))
    return post(delivery.endpoint, event.webhook_id, body, at=at)


def deliver(delivery_id: int, *, now: datetime | None = None) -> Delivery:
    """Send one claimed delivery and record the attempt and its consequence."""
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    if delivery.state != DeliveryState.PENDING:
        return delivery
    at = now or timezone.now()
    return record_outcome(delivery, send(delivery, at), at=at)


_OUTCOME_FIELDS = [
    "attempts",
    "last_status",
    "last_error",
    "claimed_until",
    "state",
    "delivered_at",
    "next_attempt_at",
]


def record_outcome(delivery: Delivery, outcome: Outcome, *, at: datetime) -> Delivery:
    with transaction.atomic():
        return _record(delivery, outcome, at=at)


def _record(delivery: Delivery, outcome: Outcome, *, at: datetime) -> Delivery:
    """record_outcome's work, inside the caller's transaction."""
    endpoint = delivery.endpoint
    DeliveryAttempt.objects.create(
        delivery=delivery,
        at=at,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
        response_body=outcome.body,
    )
    delivery.attempts += 1
    delivery.last_status = outcome.status_code
    delivery.last_error = outcome.error
    delivery.claimed_until = None
    failed_now = False
    if outcome.delivered:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = at
        delivery.next_attempt_at = None
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    elif outcome.status_code == 410:
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = None
        _disable(endpoint, "The receiver answered 410 Gone.")
    else:
        wait = next_wait(delivery.attempts)
        if wait is None:
            delivery.state = DeliveryState.FAILED
            delivery.next_attempt_at = None
            failed_now = True
        else:
            delivery.next_attempt_at = at + wait
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=at
        )
    delivery.save(update_fields=_OUTCOME_FIELDS)
    if failed_now:
        # Later events of the same subject fail with it (never sent out of order); a
        # redelivery of the endpoint's failed ones sends them all again, in order.
        Delivery.objects.filter(
            endpoint_id=endpoint.pk,
            subject=delivery.subject,
            state=DeliveryState.PENDING,
            event_id__gt=delivery.event_id,
        ).update(
            state=DeliveryState.FAILED,
            next_attempt_at=None,
            last_error=f"Held behind delivery #{delivery.pk}, which failed.",
        )
        transaction.on_commit(lambda: signals.delivery_failed.send(Delivery, delivery=delivery))
    if outcome.delivered:
        return delivery  # a success neither starts nor prolongs a failing streak
    endpoint.refresh_from_db(fields=["failing_since", "enabled"])
    if (
        endpoint.enabled
        and endpoint.failing_since is not None
        and at - endpoint.failing_since >= timedelta(days=FAILING_DAYS_DISABLE)
    ):
        _disable(endpoint, f"Every delivery failed for {FAILING_DAYS_DISABLE} days.")
    return delivery


def _disable(endpoint: WebhookEndpoint, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason=reason)
    Delivery.objects.filter(endpoint_id=endpoint.pk, state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, next_attempt_at=None, last_error=f"Endpoint disabled: {reason}"
    )
    endpoint.enabled, endpoint.disabled_reason = False, reason
    transaction.on_commit(
        lambda: signals.endpoint_disabled.send(WebhookEndpoint, endpoint=endpoint, reason=reason)
    )


def _send_threads() -> int:
    return max(1, int(getattr(settings, "WEBHOOK_SEND_THREADS", 8)))


RECORD_CHUNK = 50


def dispatch(*, batch: int = 200, rounds: int = 50, now: datetime | None = None) -> int:
    """Claim and send due deliveries until none is due (or `rounds` batches); returns how many
    were attempted. Safe to run in several workers at once.

    A batch holds at most one delivery per endpoint and subject (the claim takes only the
    first pending of each), so its POSTs go out at once on WEBHOOK_SEND_THREADS threads (8)
    and a slow receiver holds up only its own; outcomes are recorded in the dispatcher's
    thread as they come, RECORD_CHUNK to a transaction. A worker killed before a chunk is
    recorded leaves those deliveries claimed: they are sent again after the lease, with the
    same webhook-id."""
    done = 0
    with ThreadPoolExecutor(max_workers=_send_threads(), thread_name_prefix="webhook") as pool:
        for _ in range(rounds):
            ids = claim(batch, now=now)
            if not ids:
                break
            claimed = Delivery.objects.select_related("event", "endpoint").filter(
                pk__in=ids, state=DeliveryState.PENDING
            )
            at = now or timezone.now()
            futures = {pool.submit(send, d, at): d for d in claimed}
            chunk: list[tuple[Delivery, Outcome]] = []
            for future in as_completed(futures):
                chunk.append((futures[future], future.result()))
                if len(chunk) >= RECORD_CHUNK:
                    _record_chunk(chunk, at)
                    chunk = []
            _record_chunk(chunk, at)
            done += len(futures)
    return done


def _record_chunk(chunk: list[tuple[Delivery, Outcome]], at: datetime) -> None:
    """Record a chunk's outcomes in one transaction: the deliveries that went through in a
    few statements (their attempts in one insert, their rows in one update per status), the
    others one by one (retry, 410, the last attempt: each has its consequences)."""
    if not chunk:
        return
    delivered = [(d, o) for d, o in chunk if o.delivered]
    others = [(d, o) for d, o in chunk if not o.delivered]
    with transaction.atomic():
        if delivered:
            DeliveryAttempt.objects.bulk_create(
                DeliveryAttempt(
                    delivery=d,
                    at=at,
                    status_code=o.status_code,
                    duration_ms=o.duration_ms,
                    response_body=o.body,
                )
                for d, o in delivered
            )
            by_status: dict[int, list[int]] = {}
            for d, o in delivered:
                by_status.setdefault(o.status_code, []).append(d.pk)
            for status_code, ids in by_status.items():
                Delivery.objects.filter(pk__in=ids).update(
                    state=DeliveryState.DELIVERED,
                    attempts=F("attempts") + 1,
                    last_status=status_code,
                    last_error="",
                    claimed_until=None,
                    delivered_at=at,
                    next_attempt_at=None,
                )
            recovered = {d.endpoint_id for d, _ in delivered if d.endpoint.failing_since}
            if recovered:
                WebhookEndpoint.objects.filter(pk__in=recovered).update(failing_since=None)
        disabled: set[int] = set()
        for delivery, outcome in others:
            if delivery.endpoint_id in disabled:
                outcome = Outcome(outcome.status_code, "Endpoint disabled.", 0, outcome.body)
                delivery.attempts = len(SCHEDULE)  # no retry: the endpoint is off
            _record(delivery, outcome, at=at)
            if not delivery.endpoint.enabled:
                disabled.add(delivery.endpoint_id)
