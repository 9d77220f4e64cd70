"""Recording events: one call from a domain service, inside the transaction of its change.
`record_event` writes one; `pending_event` + `record_events` write a batch in one statement;
`OUTBOX_INSERT_FROM` lets a service append events to its own single-statement write."""

from __future__ import annotations

import atexit
import base64
import json
import logging
import os
import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from core.errors import InvalidInput, NotPermitted, TransitionConflict
from core.roles import User

from .catalogue import EventType, catalogue, event_type
from .models import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    MailAttempt,
    OutboxEvent,
    WebhookEndpoint,
)


class EventShapeError(ValueError):
    """A payload whose fields are not the ones its type declares: a bug in the recorder."""


def _plain(payload: dict[str, Any]) -> dict[str, Any]:
    # Decimals as strings, moments as ISO text: what JSON receivers read without loss.
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def ordered_uuid() -> uuid.UUID:
    """A UUID whose first 48 bits are the time in milliseconds (the UUIDv7 layout), the rest
    random: new ids land at the end of the unique index instead of on a random page."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(secrets.token_bytes(10), "big")
    value = (millis << 80) | rand
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def pending_event(
    type: EventType | str,
    subject: tuple[str, int | str],
    payload: dict[str, Any],
    *,
    at: datetime | None = None,
) -> OutboxEvent:
    """An event checked against its catalogue entry, not yet written. `subject` is what it is
    about, ("case", 42); the payload must carry exactly the fields its type declares."""
    kind = type if isinstance(type, EventType) else event_type(type)
    if set(payload) != kind.fields:
        missing = sorted(kind.fields - set(payload))
        extra = sorted(set(payload) - kind.fields)
        raise EventShapeError(f"{kind.name} payload: missing {missing}, not declared {extra}.")
    name, key = subject
    if name != kind.subject:
        raise EventShapeError(f"{kind.name} is about a {kind.subject}, not a {name}.")
    return OutboxEvent(
        uid=ordered_uuid(),
        type=kind.name,
        version=kind.version,
        subject=f"{name}:{key}",
        payload=_plain(payload),
        occurred_at=at or timezone.now(),
    )


def record_event(
    type: EventType | str,
    subject: tuple[str, int | str],
    payload: dict[str, Any],
    *,
    at: datetime | None = None,
) -> OutboxEvent:
    """Write one event to the outbox in the caller's transaction, with its deliveries to
    every enabled endpoint that wants it, in one statement: rolled back with the change it
    reports, and never committed without its deliveries."""
    event = pending_event(type, subject, payload, at=at)
    with connection.cursor() as cursor:
        cursor.execute(_RECORD_ONE, outbox_params([event]))
        event.pk, fanned = cursor.fetchone()
    event._state.adding = False
    if fanned:
        kick_after_commit()
    return event


def record_events(events: list[OutboxEvent]) -> None:
    """Write a batch of pending events and their deliveries (a sweep's batch)."""
    if not events:
        return
    OutboxEvent.objects.bulk_create(events)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH outbox AS (SELECT id, type, subject FROM {_EVENTS} WHERE id = ANY(%s)) "
            + _FAN_OUT,
            [[event.pk for event in events]],
        )
        if cursor.rowcount:
            kick_after_commit()


# For a service that writes its change in one statement (a data-modifying CTE): the outbox
# rows go into the same statement, so they exist exactly when the change does.
OUTBOX_COLUMNS = ("uid", "type", "version", "subject", "payload", "occurred_at")
_ROW = "(%s::uuid, %s, %s::smallint, %s, %s::jsonb, %s::timestamptz)"
_QUOTED = ", ".join(f'"{column}"' for column in OUTBOX_COLUMNS)
_EVENTS = f'"{OutboxEvent._meta.db_table}"'
_DELIVERIES = f'"{Delivery._meta.db_table}"'
_ENDPOINTS = f'"{WebhookEndpoint._meta.db_table}"'
# Fan-out: one pending delivery per enabled endpoint that wants the event's type, written by
# the statement that writes the event (a CTE named `outbox` holding id, type, subject).
_FAN_OUT = (
    f"INSERT INTO {_DELIVERIES} (event_id, endpoint_id, subject, state, attempts, "
    "next_attempt_at, last_error, created_at) "
    "SELECT outbox.id, e.id, outbox.subject, 'pending', 0, now(), '', now() "
    f"FROM outbox JOIN {_ENDPOINTS} e ON e.enabled "
    "AND (cardinality(e.event_types) = 0 OR outbox.type = ANY(e.event_types)) "
    "RETURNING 1"
)
# The count of deliveries a statement with the `fan` CTE wrote (to kick the dispatcher).
FANNED = "(SELECT count(*) FROM fan)"
_RECORD_ONE = (
    f"WITH outbox AS (INSERT INTO {_EVENTS} ({_QUOTED}) VALUES {_ROW} "
    "RETURNING id, type, subject), "
    f"fan AS ({_FAN_OUT}) SELECT id, {FANNED} FROM outbox"
)


def outbox_ctes(source: str, rows: int) -> str:
    """CTEs (to follow a WITH list) writing `rows` events, and their deliveries, for each row
    of the CTE `source` (none if it is empty): for a change written in one statement."""
    values = ", ".join([_ROW] * rows)
    return (
        f"outbox AS (INSERT INTO {_EVENTS} ({_QUOTED}) SELECT v.* FROM {source}, "
        f"(VALUES {values}) AS v({_QUOTED}) RETURNING id, type, subject), "
        f"fan AS ({_FAN_OUT})"
    )


def outbox_params(events: list[OutboxEvent]) -> list[Any]:
    """The parameters of the events' rows (outbox_ctes, record_event), in order."""
    params: list[Any] = []
    for event in events:
        params += [
            str(event.uid),
            event.type,
            event.version,
            event.subject,
            json.dumps(event.payload),
            event.occurred_at,
        ]
    return params


# --- endpoints ----------------------------------------------------------------------------

SECRET_BYTES = 24
ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    """`whsec_` + base64 of 24 random bytes (the Standard Webhooks form)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _require_admin(actor: User | None, doing: str) -> None:
    if actor is None or not getattr(actor, "is_superuser", False):
        raise NotPermitted(f"Only an administrator may {doing}.")


def _clean_types(event_types: list[str]) -> list[str]:
    known = {kind.name for kind in catalogue()}
    unknown = sorted(set(event_types) - known)
    if unknown:
        raise InvalidInput({"event_types": f"Not in the event catalogue: {', '.join(unknown)}."})
    return sorted(set(event_types))


def create_endpoint(
    *, actor: User, url: str, event_types: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret: the only time the secret is handed out."""
    _require_admin(actor, "manage webhook endpoints")
    types = _clean_types(event_types)
    _check(url)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        event_types=types,
        description=description[:200],
        secret=secret,
        created_by=actor,
    )
    return endpoint, secret


def update_endpoint(*, actor: User, endpoint_id: int, **changes: Any) -> WebhookEndpoint:
    """Change an endpoint's URL, types, description or enabled flag."""
    _require_admin(actor, "manage webhook endpoints")
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
        if "url" in changes:
            _check(changes["url"])
            endpoint.url = changes["url"]
        if "event_types" in changes:
            endpoint.event_types = _clean_types(changes["event_types"])
        if "description" in changes:
            endpoint.description = str(changes["description"])[:200]
        if "enabled" in changes:
            was_enabled, endpoint.enabled = endpoint.enabled, bool(changes["enabled"])
            if endpoint.enabled:
                endpoint.disabled_reason, endpoint.failing_since = "", None
            elif was_enabled:
                # Nothing more is sent to it: what waited is failed, to be sent again with
                # "redeliver failed since" once it is switched back on.
                endpoint.disabled_reason = f"Disabled by {actor}."[:200]
                Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
                    state=DeliveryState.FAILED,
                    next_attempt_at=None,
                    claimed_until=None,
                    last_error=f"Endpoint disabled by {actor}."[:500],
                )
        endpoint.save()
    return endpoint


def rotate_secret(*, actor: User, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    """A new secret; the old one stays valid (both signatures sent) for 24 hours."""
    _require_admin(actor, "rotate webhook secrets")
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
        secret = new_secret()
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
        endpoint.secret = secret
        endpoint.save()
    return endpoint, secret


def retry_now(*, actor: User, delivery_id: int) -> Delivery:
    """Send a pending or failed delivery again at the next dispatch (same webhook-id)."""
    _require_admin(actor, "retry deliveries")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state == DeliveryState.DELIVERED:
            raise TransitionConflict("This delivery was delivered; nothing to retry.")
        delivery.state = DeliveryState.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.claimed_until = None
        delivery.save()
        kick_after_commit()
    return delivery


def redeliver_failed_since(*, actor: User, endpoint_id: int, since: datetime, reason: str) -> int:
    """Every failed delivery of the endpoint since `since` is sent again, in recorded order
    (same webhook-ids): how many."""
    _require_admin(actor, "redeliver failed deliveries")
    if not reason.strip():
        raise InvalidInput({"reason": "Say why the failed deliveries are sent again."})
    with transaction.atomic():
        count = Delivery.objects.filter(
            endpoint_id=endpoint_id, state=DeliveryState.FAILED, created_at__gte=since
        ).update(
            state=DeliveryState.PENDING,
            next_attempt_at=timezone.now(),
            claimed_until=None,
            last_error=f"Redelivery asked by {actor}: {reason.strip()}"[:500],
        )
        kick_after_commit()
    return count


def send_test_event(*, actor: User, endpoint_id: int) -> Delivery:
    """A `webhook.test` event for this endpoint only (enabled or not: it is how a receiver is
    checked before it is switched on), sent at the next dispatch like any other."""
    from .events import WEBHOOK_TEST

    _require_admin(actor, "send test events")
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
        event = pending_event(
            WEBHOOK_TEST,
            ("webhook_endpoint", endpoint.pk),
            {"endpoint_id": endpoint.pk, "sent_by": actor.get_username(), "note": "Test event."},
        )
        event.save()
        delivery = Delivery.objects.create(event=event, endpoint=endpoint, subject=event.subject)
        kick_after_commit()
    return delivery


def prune_attempts(*, now: datetime | None = None) -> int:
    """Delete webhook and mail attempts older than WEBHOOK_ATTEMPT_RETENTION_DAYS (30)."""
    days = getattr(settings, "WEBHOOK_ATTEMPT_RETENTION_DAYS", 30)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = DeliveryAttempt.objects.filter(at__lt=cutoff).delete()
    mail_deleted, _ = MailAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted + mail_deleted


def _check(url: str) -> None:
    from .delivery import UnsafeAddress, check_url

    try:
        check_url(url)
    except UnsafeAddress as exc:
        raise InvalidInput({"url": str(exc)}) from exc


def kick_after_commit() -> None:
    """Ask a worker to dispatch once the current transaction commits (once per transaction),
    so a delivery leaves within a moment rather than at the next beat. The kick is looked
    for among the transaction's own on-commit callbacks, which a rollback discards with it."""
    if not connection.in_atomic_block:
        _kick()
        return
    if any(func is _kick for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_kick)


KICK_COALESCE_SECONDS = 1


def kick_key() -> str:
    """The cache key saying "a dispatch was asked for and has not started yet", per broker
    and queue (tests and the demo may share one cache)."""
    return f"events:kick:{settings.CELERY_BROKER_URL}:{settings.CELERY_TASK_DEFAULT_QUEUE}"


_redis: Any = None


def _kick_store():
    """One Redis client for the process (the cache's Redis): the kick is on every commit that
    wrote deliveries, and a client made per call costs more than the command."""
    global _redis
    if _redis is None:
        import redis

        location = settings.CACHES["default"]["LOCATION"]
        _redis = redis.Redis.from_url(location if isinstance(location, str) else location[0])
    return _redis


def clear_kick() -> None:
    """A dispatch starts: from now on a commit asks for the next one."""
    try:
        _kick_store().delete(kick_key())
    except Exception:  # the cache is down: kicks are simply not coalesced
        logging.getLogger(__name__).warning("webhook kick key not cleared", exc_info=True)


def ask_for_dispatch() -> None:
    """Ask for a dispatch, unless one was asked for and has not started yet (a dispatch that
    starts later sees this commit's deliveries): a busy system sends a dispatch task per
    second at most, not one per committed change."""
    from .tasks import dispatch_webhooks

    try:
        if not _kick_store().set(kick_key(), 1, nx=True, ex=KICK_COALESCE_SECONDS):
            return
    except Exception:  # the cache is down: kick every time
        pass
    try:
        dispatch_webhooks.delay()
    except Exception:  # the broker is down: the beat dispatcher picks the deliveries up
        logging.getLogger(__name__).warning("webhook dispatch kick not sent", exc_info=True)


class _Kicker:
    """Asks for dispatches from a thread of its own, so that a committing change does not
    wait for the cache and the broker (a round trip to each: more than recording the event
    cost). Kicks that arrive while one is being asked for become one more ask, not many.

    Losing a kick loses nothing: the deliveries are committed, and the beat dispatcher sends
    them at its next run. The thread is made on first use in each process (so that a forked
    worker has its own) and dies with the process."""

    def __init__(self) -> None:
        self._reset()
        # A forked child (a Celery pool process) starts afresh: no thread, a lock nobody holds.
        os.register_at_fork(after_in_child=self._reset)
        atexit.register(self.wait, 2.0)  # a script's last kick is asked for before it exits

    def _reset(self) -> None:
        self._changed = threading.Condition()
        self._asked = 0  # kicks received
        self._done = 0  # kicks whose ask has been made
        self._started = False

    def kick(self) -> None:
        with self._changed:
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="webhook-kick", daemon=True).start()
            self._asked += 1
            self._changed.notify_all()

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._done)
                upto = self._asked
            try:
                ask_for_dispatch()
            except Exception:  # never let the thread die: the next kick asks again
                logging.getLogger(__name__).exception("webhook kick failed")
            with self._changed:
                self._done = upto
                self._changed.notify_all()

    def wait(self, timeout: float = 5.0) -> bool:
        """Wait until every kick made so far has been asked for (tests; process exit)."""
        with self._changed:
            target = self._asked
            return self._changed.wait_for(lambda: self._done >= target, timeout)


_kicker = _Kicker()
wait_for_kicks = _kicker.wait


def _kick() -> None:
    """Hand the kick to the kicker thread (a few microseconds on the committing thread)."""
    _kicker.kick()
