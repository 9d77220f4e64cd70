"""Managing webhooks and reading their log, through the API and the console: administrators
add, change, rotate, test and redeliver; supervisors read (never a secret); other roles and
partner logins are refused. The secret appears once, in the answer that makes it."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from events import services
from events.delivery import dispatch
from events.models import Delivery, DeliveryAttempt, DeliveryState, WebhookEndpoint
from tests.factories import UserFactory
from tests.helpers import client_for, logged_in, opened

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints/"
DELIVERIES = "/api/v1/webhook-deliveries/"


@pytest.fixture
def admin_api(admin_user):
    return client_for(admin_user)


def test_an_administrator_adds_an_endpoint_and_sees_its_secret_once(admin_api, receiver, caplog):
    caplog.set_level(logging.DEBUG)
    made = admin_api.post(
        ENDPOINTS,
        {"url": receiver.url, "event_types": ["case.created"], "description": "Platform"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    secret = made.json()["secret"]
    assert secret.startswith("whsec_") and len(secret) > 30
    again = admin_api.get(f"{ENDPOINTS}{made.json()['id']}/").json()
    assert "secret" not in again and again["event_types"] == ["case.created"]
    listed = admin_api.get(ENDPOINTS).content.decode()
    assert secret not in listed and secret[6:] not in listed
    assert secret not in caplog.text


def test_bad_input_is_a_field_error(admin_api, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    private = admin_api.post(ENDPOINTS, {"url": "http://10.1.2.3/hooks"}, format="json")
    assert private.status_code == 400 and "url" in private.json()["errors"]
    unknown = admin_api.post(
        ENDPOINTS, {"url": "https://1.1.1.1/h", "event_types": ["case.exploded"]}, format="json"
    )
    assert unknown.status_code == 400 and "event_types" in unknown.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


def test_supervisors_read_endpoints_and_the_log_and_manage_nothing(endpoint, supervisor):
    api = client_for(supervisor)
    assert api.get(ENDPOINTS).status_code == 200
    assert "secret" not in api.get(f"{ENDPOINTS}{endpoint.pk}/").json()
    assert api.get(DELIVERIES).status_code == 200
    for url in (ENDPOINTS, f"{ENDPOINTS}{endpoint.pk}/send-test/"):
        assert api.post(url, {"url": "https://1.1.1.1/"}, format="json").status_code == 403
    assert (
        api.patch(f"{ENDPOINTS}{endpoint.pk}/", {"enabled": False}, format="json").status_code
        == 403
    )


@pytest.mark.parametrize("role", ["agent", "partner support", "finance"])
def test_other_roles_see_no_webhooks(endpoint, role):
    api = client_for(UserFactory(username=f"w-{role.replace(' ', '-')}", role=role))
    assert api.get(ENDPOINTS).status_code == 403
    assert api.get(DELIVERIES).status_code == 403


def test_a_partner_login_sees_no_webhooks(endpoint):
    from tests.factories import PartnerFactory

    login = UserFactory(username="w-partner", is_staff=False)
    PartnerFactory(user=login)
    assert client_for(login).get(ENDPOINTS).status_code == 403


def test_send_test_event_reaches_the_receiver_signed(admin_api, endpoint, receiver):
    sent = admin_api.post(f"{ENDPOINTS}{endpoint.pk}/send-test/")
    assert sent.status_code == 202 and sent.json()["event_type"] == "webhook.test"
    assert dispatch() == 1
    (request,) = receiver.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    event = Webhook(endpoint.plain_secret).verify(request["body"], headers)
    assert event["type"] == "webhook.test" and event["data"]["endpoint_id"] == endpoint.pk


def test_the_log_filters_and_shows_body_and_attempts(admin_api, endpoint, receiver, agent):
    receiver.answers = [500]
    case = opened(actor=agent)
    dispatch()
    pending = admin_api.get(DELIVERIES, {"state": "pending", "endpoint": endpoint.pk}).json()
    (row,) = pending["results"]
    assert (row["event_type"], row["subject"], row["last_status"]) == (
        "case.created",
        f"case:{case.pk}",
        500,
    )
    assert admin_api.get(DELIVERIES, {"type": "case.resolved"}).json()["results"] == []
    assert admin_api.get(DELIVERIES, {"endpoint": "²"}).status_code == 400
    assert admin_api.get(DELIVERIES, {"since": "2026-02-30T00:00:00Z"}).status_code == 400
    detail = admin_api.get(f"{DELIVERIES}{row['id']}/").json()
    assert detail["body"]["data"]["case_id"] == case.pk
    assert [t["status_code"] for t in detail["tries"]] == [500]


def test_retry_now_and_a_delivered_one_is_a_409(admin_api, endpoint, receiver, agent):
    receiver.answers = [500]
    opened(actor=agent)
    dispatch()
    delivery = Delivery.objects.get()
    retried = admin_api.post(f"{DELIVERIES}{delivery.pk}/retry/")
    assert retried.status_code == 200 and retried.json()["state"] == "pending"
    dispatch()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert admin_api.post(f"{DELIVERIES}{delivery.pk}/retry/").status_code == 409


def test_redeliver_failed_since_needs_a_reason(admin_api, endpoint, agent):
    opened(actor=agent)
    Delivery.objects.update(state=DeliveryState.FAILED, next_attempt_at=None)
    url = f"{ENDPOINTS}{endpoint.pk}/redeliver-failed/"
    missing = admin_api.post(url, {"since": "2026-01-01T00:00:00Z"}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    done = admin_api.post(
        url, {"since": "2026-01-01T00:00:00Z", "reason": "Receiver fixed"}, format="json"
    )
    assert done.json() == {"redelivered": 1}
    assert Delivery.objects.get().state == DeliveryState.PENDING


def test_rotate_secret_answers_the_new_secret_once(admin_api, endpoint):
    rotated = admin_api.post(f"{ENDPOINTS}{endpoint.pk}/rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint.plain_secret
    assert WebhookEndpoint.objects.get().previous_secret == endpoint.plain_secret


def test_the_success_rate_over_24_hours(admin_api, endpoint, receiver, agent):
    receiver.answers = [500]
    opened(actor=agent)
    dispatch()
    Delivery.objects.update(next_attempt_at=Delivery.objects.get().created_at)
    dispatch()
    (row,) = admin_api.get(ENDPOINTS).json()["results"]
    assert (row["attempts_24h"], row["successes_24h"], row["success_rate_24h"]) == (2, 1, 0.5)
    assert row["pending"] == 0


def test_lists_cost_the_same_queries_for_many_rows(
    admin_api, admin_user, receiver, agent, django_assert_max_num_queries
):
    for _ in range(3):
        services.create_endpoint(actor=admin_user, url=receiver.url, event_types=[])
    for _ in range(4):
        opened(actor=agent)
    dispatch()
    assert DeliveryAttempt.objects.count() == 12
    with django_assert_max_num_queries(6):
        assert len(admin_api.get(ENDPOINTS).json()["results"]) == 3
    with django_assert_max_num_queries(6):
        assert len(admin_api.get(DELIVERIES).json()["results"]) == 12


# --- the console -------------------------------------------------------------------------------


def test_an_administrator_adds_an_endpoint_in_the_console_and_reads_the_secret_once(
    admin_user, receiver
):
    console = logged_in(admin_user)
    saved = console.post(
        reverse("admin:events_webhookendpoint_add"),
        {
            "url": receiver.url,
            "description": "Partner app",
            "event_types": ["paf.marked"],
            "enabled": "on",
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    shown = [str(m) for m in saved.context["messages"]]
    assert any(endpoint.secret in m and "shown this once" in m for m in shown)
    page = console.get(reverse("admin:events_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()
    assert endpoint.event_types == ["paf.marked"]


def test_a_private_url_comes_back_on_the_console_form(admin_user, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    console = logged_in(admin_user)
    response = console.post(
        reverse("admin:events_webhookendpoint_add"), {"url": "http://192.168.1.9/", "enabled": "on"}
    )
    assert response.status_code == 200
    assert "private or local address" in str(response.context["adminform"].form.errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_supervisors_read_the_console_pages_without_buttons(endpoint, supervisor, agent, receiver):
    opened(actor=agent)
    dispatch()
    console = logged_in(supervisor)
    listed = console.get(reverse("admin:events_webhookendpoint_changelist"))
    assert listed.status_code == 200 and "100% of 1" in listed.content.decode()
    page = console.get(reverse("admin:events_webhookendpoint_change", args=[endpoint.pk]))
    assert page.context["record_buttons"] == []
    delivery = Delivery.objects.get()
    shown = console.get(reverse("admin:events_delivery_change", args=[delivery.pk]))
    html = shown.content.decode()
    assert (
        "&quot;type&quot;: &quot;case.created&quot;" in html and delivery.event.webhook_id in html
    )
    assert shown.context["record_buttons"] == []


def test_retry_now_from_the_console_after_a_confirmation(admin_user, endpoint, receiver, agent):
    receiver.answers = [503]
    opened(actor=agent)
    dispatch()
    delivery = Delivery.objects.get()
    console = logged_in(admin_user)
    page = console.get(reverse("admin:events_delivery_change", args=[delivery.pk]))
    assert [b["name"] for b in page.context["record_buttons"]] == ["retry_now"]
    changelist = reverse("admin:events_delivery_changelist")
    asked = console.post(changelist, {"action": "retry_now", "_selected_action": delivery.pk})
    assert asked.status_code == 200 and asked.context["title"] == "Retry this delivery now"
    console.post(changelist, {"action": "retry_now", "_selected_action": delivery.pk, "apply": "1"})
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None and delivery.claimed_until is None
    dispatch()
    delivery.refresh_from_db()
    assert (
        delivery.state == DeliveryState.DELIVERED
        and json.loads(receiver.received[-1]["body"])["id"] == delivery.event.webhook_id
    )
