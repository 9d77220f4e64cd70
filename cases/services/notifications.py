"""Telling someone: an in-app notification, and the same by e-mail through the outbox
(events.mail: written in the same transaction, so a rolled-back decision sends nothing, and
sent by a worker, retried while the mail server is down, never lost)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core.errors import NotPermitted
from core.locks import lock_row
from core.roles import User
from events.mail import queue_mail

from ..models import Case, Notification


def notify(
    recipient: User,
    *,
    kind: str,
    title: str,
    body: str = "",
    case: Case | None = None,
    cc: Iterable[str] = (),
) -> Notification:
    """Notify one user in the app, and by e-mail (with `cc`) when they have an address."""
    note = Notification.objects.create(
        recipient=recipient, case=case, kind=kind, title=title[:200], body=body
    )
    queue_mail(
        to=[getattr(recipient, "email", "")],
        cc=cc,
        subject=f"[Casework] {title}"[:200],
        body=body or title,
    )
    return note


@dataclass(frozen=True)
class Notice:
    """One in-app notification of a batch (a sweep's warnings and breaches)."""

    recipient_id: int | None
    email: str  # the recipient's address, or the team's when nobody leads it
    kind: str
    title: str
    body: str
    case_id: int | None


def notify_many(notices: list[Notice], *, subject: str) -> int:
    """Notify in bulk: one in-app row per notice with a recipient, and one e-mail digest per
    address, queued in the same transaction (a breach storm sends one mail per lead, not one
    per case). Returns the rows written."""
    rows = [
        Notification(
            recipient_id=n.recipient_id,
            case_id=n.case_id,
            kind=n.kind,
            title=n.title[:200],
            body=n.body,
        )
        for n in notices
        if n.recipient_id is not None
    ]
    Notification.objects.bulk_create(rows)
    digests: dict[str, list[str]] = defaultdict(list)
    for n in notices:
        if n.email:
            digests[n.email].append(f"- {n.title}" + (f": {n.body}" if n.body else ""))
    for address, lines in digests.items():
        queue_mail(
            to=[address],
            subject=f"[Casework] {subject} ({len(lines)})"[:200],
            body="\n".join(lines),
        )
    return len(rows)


def mark_read(*, notification_id: int, actor: User) -> Notification:
    """The recipient has read it."""
    with transaction.atomic():
        note = lock_row(Notification, notification_id)
        if note.recipient_id != actor.pk:
            raise NotPermitted("A notification is read by its recipient only.")
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
    return note
