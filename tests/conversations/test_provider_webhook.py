"""Mail in through a provider's inbound webhook (django-anymail): Mailgun's "forward" route
posting the raw MIME with its signature fields, checked with the signing key; a wrong
signature stores nothing; the same delivery retried by the provider is stored once."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from cases.models import Case
from conversations.models import InboundMail, Message

from .conftest import mail

pytestmark = pytest.mark.django_db

KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
URL = "/anymail/mailgun/inbound_mime/"


@pytest.fixture(autouse=True)
def mailgun(settings):
    settings.ROOT_URLCONF = "tests.conversations.anymail_urls"
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def signed(fields: dict[str, str], key: str = KEY) -> dict[str, str]:
    timestamp, token = str(int(time.time())), "50dcd3b6a1b7ecc2b0d9c5b3e2b8e6b0a9c8d7e6f5"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature.hexdigest()}


def payload(raw: bytes) -> dict[str, str]:
    # The fields Mailgun posts for a forward() route to a *_mime URL.
    return {
        "recipient": "support@casework.test",
        "sender": "asha@example.com",
        "from": "Asha Rao <asha@example.com>",
        "subject": "AC leaking",
        "body-mime": raw.decode("utf-8"),
    }


def test_a_signed_mailgun_post_opens_a_case(client):
    raw = mail(subject="AC leaking", message_id="<mg-1@example.com>")
    response = client.post(URL, signed(payload(raw)))
    assert response.status_code == 200
    inbound = InboundMail.objects.get()
    assert inbound.via == "mailgun" and inbound.envelope_to == ["support@casework.test"]
    case = Case.objects.get()
    assert case.subject == "AC leaking" and case.channel == "email"
    assert Message.objects.get().message_id == "<mg-1@example.com>"


def test_a_wrong_signature_is_refused_and_stores_nothing(client):
    response = client.post(URL, signed(payload(mail()), key="not-the-key"))
    assert response.status_code == 400
    assert not InboundMail.objects.exists() and not Case.objects.exists()


def test_the_provider_retrying_a_delivery_stores_the_message_once(client):
    raw = mail(message_id="<mg-2@example.com>")
    assert client.post(URL, signed(payload(raw))).status_code == 200
    assert client.post(URL, signed(payload(raw))).status_code == 200
    assert Message.objects.count() == 1 and InboundMail.objects.count() == 2
    assert InboundMail.objects.filter(state="duplicate").count() == 1
