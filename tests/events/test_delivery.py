"""Webhook delivery to a real HTTP receiver (a server thread on a loopback port): signed per
the Standard Webhooks specification (checked with its reference library), retried on the
schedule with the same webhook-id, 410 disabling, failures notified and redelivered in order,
one subject in order while another endpoint fails, leases taken over, and the SSRF guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from cases.models import Notification
from cases.services import transition_case
from core.errors import InvalidInput, NotPermitted
from events import delivery as sender
from events import services
from events.delivery import SCHEDULE, UnsafeAddress, check_url, claim, dispatch
from events.models import Delivery, DeliveryAttempt, DeliveryState, OutboxEvent
from tests.events.receiver import Receiver
from tests.helpers import opened

pytestmark = pytest.mark.django_db


def headers_of(request: dict) -> dict:
    return {key.lower(): value for key, value in request["headers"].items()}


def test_a_committed_change_is_delivered_signed_and_verifiable(receiver, endpoint, agent):
    case = opened(actor=agent)
    assert dispatch() == 1
    [request] = receiver.received
    headers = headers_of(request)
    payload = Webhook(endpoint.plain_secret).verify(request["body"], headers)
    assert payload["type"] == "case.created"
    assert payload["data"]["case_id"] == case.pk
    event = OutboxEvent.objects.get(type="case.created")
    assert headers["webhook-id"] == event.webhook_id
    delivery = Delivery.objects.get(event=event)
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 1
    [attempt] = delivery.tries.all()
    assert attempt.status_code == 200 and '"ok"' in attempt.response_body


def test_an_endpoint_gets_only_the_types_it_asked_for(receiver, admin_user, agent):
    services.create_endpoint(
        actor=admin_user, url=receiver.url, event_types=["case.status_changed"]
    )
    case = opened(actor=agent)
    transition_case(case_id=case.pk, name="open", actor=agent)
    dispatch()
    assert [e["type"] for e in receiver.events()] == ["case.status_changed"]


def test_a_change_rolled_back_sends_nothing(receiver, endpoint, agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        opened(actor=agent)
        raise RuntimeError("rolled back")
    assert not Delivery.objects.exists()
    assert dispatch() == 0
    assert receiver.received == []


def test_a_500_then_200_is_delivered_on_the_retry_with_the_same_id(receiver, endpoint, agent):
    receiver.answers = [500]
    opened(actor=agent)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        dispatch()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    wait = (delivery.next_attempt_at - start).total_seconds()
    assert SCHEDULE[1] * 0.9 <= wait <= SCHEDULE[1] * 1.1
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        assert dispatch() == 0  # not due yet
    with time_machine.travel(start + timedelta(seconds=6), tick=False):
        assert dispatch() == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    ids = {headers_of(r)["webhook-id"] for r in receiver.received}
    assert len(receiver.received) == 2 and len(ids) == 1
    assert [a.status_code for a in delivery.tries.order_by("at")] == [500, 200]


def test_410_gone_disables_the_endpoint_and_tells_its_owners(receiver, endpoint, agent):
    receiver.answers = [410]
    opened(actor=agent)
    with time_machine.travel(timezone.now(), tick=False):
        dispatch()
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    assert Delivery.objects.get().state == DeliveryState.FAILED
    opened(actor=agent)  # a later event is not written for a disabled endpoint
    assert Delivery.objects.count() == 1


def test_a_receiver_down_for_the_whole_schedule_fails_then_redelivers_in_order(
    receiver, endpoint, agent, admin_user, django_capture_on_commit_callbacks
):
    receiver.close()  # nothing listens on the port any more
    case = opened(actor=agent)
    transition_case(case_id=case.pk, name="open", actor=agent)
    moment = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(len(SCHEDULE) + 1):
            with time_machine.travel(moment, tick=False):
                dispatch()
            moment += timedelta(seconds=max(SCHEDULE) * 1.2)
    first, second = Delivery.objects.order_by("event_id")
    assert first.state == DeliveryState.FAILED and first.attempts == len(SCHEDULE)
    # the later event of the same case was held behind it, never sent out of order
    assert second.state == DeliveryState.FAILED and second.attempts == 0
    assert "Held behind" in second.last_error
    assert DeliveryAttempt.objects.filter(delivery=first).count() == len(SCHEDULE)
    assert Notification.objects.filter(recipient=admin_user, kind="webhook_failed").exists()

    again = Receiver()
    try:
        type(endpoint).objects.filter(pk=endpoint.pk).update(url=again.url)
        count = services.redeliver_failed_since(
            actor=admin_user,
            endpoint_id=endpoint.pk,
            since=moment - timedelta(days=30),
            reason="Receiver back up",
        )
        assert count == 2
        with time_machine.travel(moment, tick=False):
            dispatch()
        assert [e["type"] for e in again.events()] == ["case.created", "case.status_changed"]
    finally:
        again.close()


def test_one_case_stays_in_order_while_another_endpoint_times_out(
    receiver, endpoint, admin_user, agent, settings
):
    receiver.answers = [503]
    other = Receiver()
    try:
        services.create_endpoint(actor=admin_user, url=other.url, event_types=[])
        case = opened(actor=agent)
        transition_case(case_id=case.pk, name="open", actor=agent)
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            dispatch()
        # the healthy endpoint got both, in order; the failing one only the first, once
        assert [e["type"] for e in other.events()] == ["case.created", "case.status_changed"]
        assert [e["type"] for e in receiver.events()] == ["case.created"]
        with time_machine.travel(now + timedelta(seconds=6), tick=False):
            dispatch()
        assert [e["type"] for e in receiver.events()] == [
            "case.created",
            "case.created",
            "case.status_changed",
        ]
    finally:
        other.close()


def test_a_claim_left_by_a_dead_worker_is_taken_again_after_its_lease(receiver, endpoint, agent):
    opened(actor=agent)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert len(claim(10)) == 1  # a worker claims it, then dies before sending
        assert dispatch() == 0  # the lease holds it
    with time_machine.travel(now + sender.lease() + timedelta(seconds=1), tick=False):
        assert dispatch() == 1
    assert len(receiver.received) == 1


def test_a_rotated_secret_signs_with_both_for_a_day(receiver, endpoint, admin_user, agent):
    old = endpoint.plain_secret
    _, new = services.rotate_secret(actor=admin_user, endpoint_id=endpoint.pk)
    opened(actor=agent)
    dispatch()
    [request] = receiver.received
    headers = headers_of(request)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request["body"], headers)
    Webhook(new).verify(request["body"], headers)


def test_redirects_are_not_followed(receiver, endpoint, agent):
    receiver.answers = [302]
    receiver.redirect_to = "http://10.0.0.1/steal"
    opened(actor=agent)
    with time_machine.travel(timezone.now(), tick=False):
        dispatch()
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.last_status == 302
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hooks",
        "https://192.168.1.5/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://0.0.0.0/hooks",
        "ftp://example.com/hooks",
    ],
)
def test_private_and_local_addresses_are_refused(settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeAddress):
        check_url(url)


def test_loopback_and_plain_http_are_refused_in_production(settings):
    settings.SECURE = True
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeAddress, match="https"):
        check_url("http://example.com/hooks", resolve=False)
    with pytest.raises(UnsafeAddress):
        check_url("https://127.0.0.1/hooks")


def test_a_host_is_checked_again_at_send_time(receiver, endpoint, agent, settings):
    opened(actor=agent)
    settings.WEBHOOK_ALLOW_LOOPBACK = False  # the address became refused after creation
    with time_machine.travel(timezone.now(), tick=False):
        dispatch()
    delivery = Delivery.objects.get()
    assert receiver.received == []
    assert delivery.last_error.startswith("Refused")


def test_only_an_administrator_manages_endpoints(receiver, supervisor):
    with pytest.raises(NotPermitted):
        services.create_endpoint(actor=supervisor, url=receiver.url, event_types=[])


def test_an_unknown_event_type_or_a_private_url_is_a_field_error(admin_user, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(InvalidInput) as unknown:
        services.create_endpoint(
            actor=admin_user, url="https://example.com", event_types=["case.vanished"]
        )
    assert "event_types" in unknown.value.fields
    with pytest.raises(InvalidInput) as private:
        services.create_endpoint(actor=admin_user, url="http://10.1.2.3/x", event_types=[])
    assert "url" in private.value.fields


def test_old_attempts_are_pruned_after_the_retention(receiver, endpoint, agent, settings):
    settings.WEBHOOK_ATTEMPT_RETENTION_DAYS = 30
    opened(actor=agent)
    dispatch()
    assert DeliveryAttempt.objects.count() == 1
    assert services.prune_attempts(now=timezone.now() + timedelta(days=29)) == 0
    assert services.prune_attempts(now=timezone.now() + timedelta(days=31)) == 1


def test_the_claim_probes_one_subject_per_candidate_by_index(receiver, endpoint, agent):
    # The "first pending of its subject" test must be an index probe per candidate, never a
    # scan of every pending row per candidate (quadratic: 100,000 pending timed out).
    for _ in range(30):
        opened(actor=agent)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        # On 30 rows the planner may prefer a scan, depending on when autovacuum last ran:
        # scans are priced out so that the plan shows what the query's shape permits.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (COSTS OFF) " + sender._CLAIM, [now, now, now, 200])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    assert "Index Scan using delivery_due on events_delivery c" in plan
    assert "Index Only Scan using delivery_order on events_delivery e" in plan
    assert "Index Cond: ((endpoint_id = c.endpoint_id) AND (subject = (c.subject)::text))" in plan


def test_a_410_in_a_batch_fails_the_rest_of_that_endpoint_in_it(receiver, endpoint, agent):
    receiver.answers = [410, 500, 500]
    for _ in range(3):
        opened(actor=agent)  # three cases: three subjects, one batch
    assert dispatch() == 3
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    states = set(Delivery.objects.values_list("state", flat=True))
    assert states == {DeliveryState.FAILED}
    assert dispatch() == 0  # nothing left to retry on a disabled endpoint


def test_an_endpoint_switched_off_gets_nothing_more_until_redelivered(
    receiver, endpoint, admin_user, agent
):
    receiver.answers = [500]
    opened(actor=agent)
    dispatch()  # one failed attempt: the delivery waits for its retry
    services.update_endpoint(actor=admin_user, endpoint_id=endpoint.pk, enabled=False)
    waiting = Delivery.objects.get()
    assert waiting.state == DeliveryState.FAILED and "disabled by" in waiting.last_error
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        assert dispatch() == 0
    services.update_endpoint(actor=admin_user, endpoint_id=endpoint.pk, enabled=True)
    since = waiting.created_at - timedelta(seconds=1)
    assert (
        services.redeliver_failed_since(
            actor=admin_user, endpoint_id=endpoint.pk, since=since, reason="back on"
        )
        == 1
    )
    assert dispatch() == 1 and len(receiver.received) == 2
