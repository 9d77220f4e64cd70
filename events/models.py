"""The outbox: one row per event, written in the transaction of the change it reports, never
changed afterwards. Delivery reads from here, so a change that rolled back reports nothing."""

from __future__ import annotations

import uuid

import pgtrigger
from django.db import models
from django.utils import timezone


@pgtrigger.register(
    pgtrigger.Protect(
        name="outbox_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    )
)
class OutboxEvent(models.Model):
    """An event: its type and payload version, the record it is about ("case:42"), the
    payload (ids and facts, never a model dump) and when it happened."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=64)
    version = models.PositiveSmallIntegerField(default=1)
    subject = models.CharField(max_length=64, help_text='What it is about, e.g. "case:42".')
    payload = models.JSONField()
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["occurred_at"], name="outbox_event_occurred"),
            models.Index(fields=["subject", "id"], name="outbox_event_subject"),
            models.Index(fields=["type", "occurred_at"], name="outbox_event_type"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.type} on {self.subject} ({self.occurred_at:%Y-%m-%d %H:%M})"

    @property
    def webhook_id(self) -> str:
        """The id a receiver sees (the same on every retry): its idempotency key."""
        return f"evt_{self.uid.hex}"

    def envelope(self) -> dict:
        """The body sent out: type, payload version, time, subject and the payload itself."""
        return {
            "id": self.webhook_id,
            "type": self.type,
            "version": self.version,
            "timestamp": self.occurred_at.isoformat(),
            "subject": self.subject,
            "data": self.payload,
        }
