"""Telling someone: an in-app notification, and the same by e-mail through Django's mail
backend (sent once the transaction commits, so a rolled-back decision sends nothing)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.errors import NotPermitted
from core.locks import lock_row
from core.roles import User

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
    to = [recipient.email] if getattr(recipient, "email", "") else []
    copies = [address for address in cc if address]
    if to or copies:
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[Casework] {title}"[:200],
                message=body or title,
                from_email=None,
                recipient_list=to + copies,
                fail_silently=True,
            )
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
    address once the transaction commits (a breach storm sends one mail per lead, not one
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
    if digests:

        def send() -> None:
            for address, lines in digests.items():
                send_mail(
                    subject=f"[Casework] {subject} ({len(lines)})"[:200],
                    message="\n".join(lines),
                    from_email=None,
                    recipient_list=[address],
                    fail_silently=True,
                )

        transaction.on_commit(send)
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
