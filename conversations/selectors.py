"""Reads of conversations: a case's messages with what the timeline and the API show."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Attachment, InboundMail, InboundState, Message, ReplyTemplate


def case_messages(case_id: int) -> QuerySet[Message]:
    """A case's messages with their author, delivery state and attachments (three queries,
    whatever their number)."""
    return (
        Message.objects.filter(case_id=case_id)
        .select_related("author", "outgoing")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
    )


def quarantine() -> QuerySet[InboundMail]:
    """Mail that could not be processed or was refused: for an admin to read and retry."""
    return InboundMail.objects.filter(
        state__in=(InboundState.QUARANTINED, InboundState.REFUSED)
    ).defer("raw")


def active_templates() -> list[ReplyTemplate]:
    """The templates agents may use, for the picker (one query; a few dozen rows)."""
    return list(ReplyTemplate.objects.filter(active=True).order_by("name", "language"))
