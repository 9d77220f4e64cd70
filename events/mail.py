"""Outgoing e-mail through the outbox: `queue_mail` writes it in the caller's transaction;
`send_due_mail` (a worker, on beat and kicked after commit) claims due mail with FOR UPDATE
SKIP LOCKED under a lease, hands each to Django's mail backend and records the attempt,
retrying on the webhooks' schedule. A mail server that is down loses nothing; a worker
killed mid-send leaves its claims to be taken again after the lease."""

from __future__ import annotations

import logging
import mimetypes
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from .delivery import next_wait
from .models import MailAttempt, MailState, OutgoingMail

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)


def queue_mail(
    *,
    to: Iterable[str],
    subject: str,
    body: str,
    cc: Iterable[str] = (),
    headers: dict[str, str] | None = None,
    automatic: bool = True,
    attachments: Iterable[str] = (),
) -> OutgoingMail | None:
    """Queue one e-mail in the current transaction (None when it has nobody to go to).
    Automatic mail carries `Auto-Submitted: auto-generated` (RFC 3834), so that mail
    systems, ours included, never answer it automatically. `attachments`: names of files in
    the default storage, attached when the mail is sent."""
    to_list = [address for address in to if address]
    cc_list = [address for address in cc if address and address not in to_list]
    if not to_list and not cc_list:
        return None
    extra = dict(headers or {})
    if automatic:
        extra.setdefault("Auto-Submitted", "auto-generated")
    domain = getattr(settings, "MAIL_MESSAGE_ID_DOMAIN", None) or "casework.local"
    mail = OutgoingMail.objects.create(
        message_id=make_msgid(domain=domain),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to_list or cc_list[:1],
        cc=cc_list if to_list else cc_list[1:],
        subject=subject[:255],
        body=body,
        headers=extra,
        attachments=list(attachments),
    )
    kick_mail_after_commit()
    return mail


def kick_mail_after_commit() -> None:
    """Ask a worker to send once the transaction commits (once per transaction)."""
    if not connection.in_atomic_block:
        _kick()
        return
    if any(func is _kick for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_kick)


def _kick() -> None:
    from .tasks import send_queued_mail

    try:
        send_queued_mail.delay()
    except Exception:  # the broker is down: beat sends the mail at its next run
        log.warning("mail send kick not sent", exc_info=True)


_CLAIM = f"""
UPDATE "{OutgoingMail._meta.db_table}" SET claimed_until = %s
WHERE id IN (
    SELECT id FROM "{OutgoingMail._meta.db_table}"
    WHERE state = 'pending' AND next_attempt_at <= %s
      AND (claimed_until IS NULL OR claimed_until < %s)
    ORDER BY next_attempt_at
    LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""


def claim(limit: int, *, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM, [now + LEASE, now, now, limit])
        return [row[0] for row in cursor.fetchall()]


def send_one(mail_id: int, *, now: datetime | None = None) -> OutgoingMail:
    """Hand one claimed mail to the mail backend and record the attempt."""
    mail = OutgoingMail.objects.get(pk=mail_id)
    if mail.state != MailState.PENDING:
        return mail
    at = now or timezone.now()
    started = time.monotonic()
    error = ""
    try:
        outgoing = EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=mail.from_email or None,
            to=mail.to,
            cc=mail.cc,
            headers={**mail.headers, "Message-ID": mail.message_id},
        )
        for name in mail.attachments:
            with default_storage.open(name, "rb") as handle:
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                outgoing.attach(name.rsplit("/", 1)[-1], handle.read(), content_type)
        outgoing.send(fail_silently=False)
    except Exception as exc:  # any failure of the mail server is retried, never raised
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        MailAttempt.objects.create(mail=mail, at=at, error=error, duration_ms=duration)
        mail.attempts += 1
        mail.last_error = error
        mail.claimed_until = None
        if not error:
            mail.state, mail.sent_at, mail.next_attempt_at = MailState.SENT, at, None
        else:
            wait = next_wait(mail.attempts)
            if wait is None:
                mail.state, mail.next_attempt_at = MailState.FAILED, None
                log.error("mail %s failed for good: %s", mail.message_id, error)
            else:
                mail.next_attempt_at = at + wait
        mail.save()
    return mail


def send_due_mail(*, batch: int = 100, rounds: int = 20, now: datetime | None = None) -> int:
    """Claim and send due mail until none is due (or `rounds` batches): how many tried."""
    done = 0
    for _ in range(rounds):
        ids = claim(batch, now=now)
        if not ids:
            break
        for mail_id in ids:
            send_one(mail_id, now=now)
            done += 1
    return done
