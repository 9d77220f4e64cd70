"""Reads of conversations: a case's messages with what the timeline and the API show."""

from __future__ import annotations

import time

from django.db.models import Prefetch, QuerySet

from .models import Attachment, InboundMail, InboundState, Message, ReplyTemplate


def case_messages(case_id: int) -> QuerySet[Message]:
    """A case's messages with their author, delivery state and attachments (three queries,
    whatever their number)."""
    return (
        Message.objects.filter(case_id=case_id)
        .select_related("author", "outgoing")
        .defer("full_text", "outgoing__body", "outgoing__headers")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )


def quarantine() -> QuerySet[InboundMail]:
    """Mail that could not be processed or was refused: for an admin to read and retry."""
    return InboundMail.objects.filter(
        state__in=(InboundState.QUARANTINED, InboundState.REFUSED)
    ).defer("raw")


_TEMPLATES_SECONDS = 30.0
_templates: tuple[float, list[ReplyTemplate]] = (0.0, [])


def active_templates() -> list[ReplyTemplate]:
    """The templates agents may use, for the picker: a few dozen rows, read at most every
    30 s per process (every case page shows the picker; an edit shows within 30 s)."""
    global _templates
    now = time.monotonic()
    read_at, rows = _templates
    if now - read_at > _TEMPLATES_SECONDS or not rows:
        rows = list(ReplyTemplate.objects.filter(active=True).order_by("name", "language"))
        _templates = (now, rows)
    return rows


def forget_templates(**_: object) -> None:
    """A template was saved: the next picker reads them again (this process at once)."""
    global _templates
    _templates = (0.0, [])
