"""A real SMTP round trip: smtplib sends to the running gateway and a case opens; the agent
answers from the case and the mail reaches a second local SMTP server (the mail host); the
customer's reply to it joins the same case by its headers, again by the token alone, and
again by the subject alone. The gateway refuses to relay for other domains."""

from __future__ import annotations

import smtplib
import socket
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from cases.models import Case
from conversations.gateway import start_gateway
from conversations.models import InboundMail, Message
from conversations.services import send_message
from events import mail as outbox
from tests.factories import CustomerFactory, UserFactory

from .conftest import mail

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Capture:
    """The mail host: keeps what it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def gateway(settings):
    port = free_port()
    controller = start_gateway("127.0.0.1", port, workers=2)
    yield port
    controller.stop()


@pytest.fixture
def mail_host(settings):
    capture = Capture()
    port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield capture
    controller.stop()


def smtp_send(port: int, raw: bytes, *, to: str = "support@casework.test") -> None:
    """Send as a mail server does: lines end in CRLF on the wire (smtplib leaves bytes as
    they are)."""
    wire = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("asha@example.com", [to], wire)


def wait_for(count: int) -> None:
    """The gateway answers once the mail is stored and processed; allow for its thread."""
    deadline = time.monotonic() + 10
    while InboundMail.objects.count() < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_mail_in_reply_out_and_the_customers_replies_thread(gateway, mail_host):
    CustomerFactory(email="asha@example.com")
    agent = UserFactory(username="agent-mail", role="agent")
    photo = ("leak.png", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(20_000))
    smtp_send(
        gateway, mail(sender="Asha <asha@example.com>", subject="Leaking AC", attachments=[photo])
    )
    wait_for(1)
    case = Case.objects.get()
    assert case.channel == "email" and case.subject == "Leaking AC"
    (stored,) = Message.objects.get().attachments.all()
    assert stored.file.read() == photo[2]  # base64 over the wire, the same bytes stored

    send_message(case_id=case.pk, actor=agent, to="customer", body="We come at 4 pm.")
    assert outbox.send_due_mail() == 1
    ((mail_from, rcpt, content),) = mail_host.received
    assert rcpt == ["asha@example.com"]
    ours = message_from_bytes(content, policy=default_policy)
    assert ours["Reply-To"].startswith("support+c") and f"[#{case.pk}]" in ours["Subject"]
    assert ours["In-Reply-To"] == Message.objects.get(direction="in").message_id

    # 1. a reply by its headers (the mail program keeps In-Reply-To)
    smtp_send(gateway, mail(subject="Re: what", in_reply_to=ours["Message-ID"], text="OK"))
    # 2. by the token alone: headers stripped by some forwarder, subject rewritten
    smtp_send(
        gateway, mail(to=str(ours["Reply-To"]), subject="about my visit"), to=str(ours["Reply-To"])
    )
    # 3. by the subject alone, from the customer's address
    smtp_send(gateway, mail(subject=f"Re: Leaking AC [#{case.pk}]", text="Still leaking"))
    wait_for(4)
    assert Case.objects.count() == 1
    assert Message.objects.filter(case=case, direction="in").count() == 4
    reasons = list(InboundMail.objects.order_by("pk").values_list("reason", flat=True))[1:]
    assert ["reply headers" in reasons[0], "case token" in reasons[1]] == [True, True]
    assert "subject tag" in reasons[2]


def test_the_gateway_takes_mail_only_for_its_own_domain(gateway):
    with (
        smtplib.SMTP("127.0.0.1", gateway, timeout=10) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        client.sendmail("x@example.com", ["someone@elsewhere.example"], mail())
    assert not InboundMail.objects.exists()


def test_the_gateway_refuses_a_message_over_its_size_limit(settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 50_000
    port = free_port()
    controller = start_gateway("127.0.0.1", port, workers=1)
    try:
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=10) as client,
            pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused,
        ):
            client.sendmail("x@example.com", ["support@casework.test"], b"x" * 60_000)
        assert refused.value.smtp_code == 552
    finally:
        controller.stop()
    assert not InboundMail.objects.exists()
