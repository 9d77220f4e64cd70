"""Events out in a real browser: an administrator adds a webhook endpoint, reads its signing
secret once, sends a test event from the endpoint's page after a confirmation, and finds the
delivery in the log with the body that reached a real local receiver, signed with that
secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from events.delivery import dispatch
from events.models import Delivery, WebhookEndpoint
from tests.browser.test_case_journey import CHROMIUM, browser, log_in  # noqa: F401
from tests.events.receiver import Receiver
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    server = Receiver()
    yield server
    server.close()


def test_an_administrator_adds_an_endpoint_and_sends_it_a_test_event(
    live_server,
    browser,  # noqa: F811
    receiver,
    artifacts,
):
    UserFactory(username="journey-admin", is_superuser=True, is_staff=True)
    page = log_in(browser, live_server.url, "journey-admin")

    page.goto(f"{live_server.url}/admin/events/webhookendpoint/add/")
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Description").fill("Partner app")
    page.locator('input[name="event_types"][value="case.created"]').check()
    page.locator('[name="_save"]').click()
    message = page.locator("ul.messagelist")
    expect(message).to_contain_text("shown this once")
    secret = re.search(r"whsec_[A-Za-z0-9+/=]+", message.inner_text()).group(0)
    page.screenshot(path=str(artifacts / "webhook-secret-once.png"), full_page=True)

    endpoint = WebhookEndpoint.objects.get()
    page.get_by_role("link", name=str(endpoint.pk), exact=True).click()
    assert secret not in page.content()  # write-only after creation
    page.locator('[data-action="send_test_event"]').click()
    page.get_by_role("button", name=re.compile("^Confirm: Send a test event")).click()
    expect(page.locator("ul.messagelist")).to_contain_text("Test events queued: 1 done")

    assert dispatch() == 1
    (request,) = receiver.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert Webhook(secret).verify(request["body"], headers)["type"] == "webhook.test"

    delivery = Delivery.objects.get()
    page.goto(f"{live_server.url}/admin/events/delivery/")
    page.get_by_role("link", name=str(delivery.pk), exact=True).click()
    expect(page.locator(".cw-json")).to_contain_text('"type": "webhook.test"')
    expect(page.locator("body")).to_contain_text("Delivered")
    page.screenshot(path=str(artifacts / "webhook-delivery.png"), full_page=True)
