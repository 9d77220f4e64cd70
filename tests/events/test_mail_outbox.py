"""Staff mail through the outbox: written in the transaction of the change (a rollback sends
nothing), sent by the worker's task, retried on the schedule while the mail server refuses
(a real refused connection), sent once it is back with the Message-ID it was given, and
failed for good after the last attempt; every attempt is logged."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from cases.services import notify
from events import mail as outbox
from events.delivery import SCHEDULE
from events.models import MailState, OutgoingMail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    return UserFactory(username="lead-mail", email="lead@example.com")


@pytest.fixture
def mail_server_down(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return settings


def test_a_notification_queues_its_mail_and_the_worker_sends_it(lead):
    notify(lead, kind="note", title="Case #5 needs you", body="Please call the customer.")
    queued = OutgoingMail.objects.get()
    assert queued.state == MailState.PENDING and mail.outbox == []
    assert outbox.send_due_mail() == 1
    (sent,) = mail.outbox
    assert sent.to == ["lead@example.com"] and sent.subject == "[Casework] Case #5 needs you"
    assert sent.extra_headers["Message-ID"] == queued.message_id
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    queued.refresh_from_db()
    assert queued.state == MailState.SENT and queued.tries.get().error == ""
    assert outbox.send_due_mail() == 0  # sent once


def test_a_change_rolled_back_queues_no_mail(lead):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(lead, kind="note", title="Never")
        raise RuntimeError
    assert not OutgoingMail.objects.exists()


def test_nobody_to_write_to_queues_nothing(db):
    notify(UserFactory(username="no-address", email=""), kind="note", title="In the app only")
    assert not OutgoingMail.objects.exists()


def test_a_mail_server_that_refuses_is_retried_and_the_mail_sent_when_it_is_back(
    lead, mail_server_down, time_machine
):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    notify(lead, kind="note", title="Retry me")
    assert outbox.send_due_mail() == 1
    queued = OutgoingMail.objects.get()
    assert queued.state == MailState.PENDING and queued.attempts == 1
    assert "ConnectionRefusedError" in queued.last_error
    wait = queued.next_attempt_at - start
    assert timedelta(seconds=SCHEDULE[1] * 0.9) <= wait <= timedelta(seconds=SCHEDULE[1] * 1.1)
    assert outbox.send_due_mail() == 0  # not due yet

    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(start + timedelta(seconds=10), tick=False)
    assert outbox.send_due_mail() == 1
    queued.refresh_from_db()
    assert queued.state == MailState.SENT and queued.attempts == 2
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [queued.message_id]
    assert [bool(t.error) for t in queued.tries.order_by("at")] == [True, False]


def test_after_the_last_attempt_the_mail_is_failed(lead, mail_server_down, time_machine):
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    notify(lead, kind="note", title="Lost cause")
    at = start
    for _ in SCHEDULE:
        outbox.send_due_mail()
        at += timedelta(hours=12)
        time_machine.move_to(at, tick=False)
    queued = OutgoingMail.objects.get()
    assert (queued.state, queued.attempts, queued.next_attempt_at) == (
        MailState.FAILED,
        len(SCHEDULE),
        None,
    )
    assert outbox.send_due_mail() == 0


def test_a_claim_holds_for_its_lease_only(lead):
    notify(lead, kind="note", title="Claimed")
    now = timezone.now()
    (claimed,) = outbox.claim(10, now=now)
    assert outbox.claim(10, now=now + outbox.LEASE - timedelta(seconds=1)) == []
    assert outbox.claim(10, now=now + outbox.LEASE + timedelta(seconds=1)) == [claimed]


def test_old_mail_attempts_are_pruned_with_the_webhook_ones(lead, settings, time_machine):
    from events.models import MailAttempt
    from events.services import prune_attempts

    settings.WEBHOOK_ATTEMPT_RETENTION_DAYS = 30
    notify(lead, kind="note", title="Old")
    outbox.send_due_mail()
    time_machine.move_to(timezone.now() + timedelta(days=29), tick=False)
    assert prune_attempts() == 0
    time_machine.move_to(timezone.now() + timedelta(days=2), tick=False)
    assert prune_attempts() == 1 and not MailAttempt.objects.exists()
    assert OutgoingMail.objects.get().state == MailState.SENT  # the mail's row stays
