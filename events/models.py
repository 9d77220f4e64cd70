"""The outbox: one row per event, written in the transaction of the change it reports, never
changed afterwards. Delivery reads from here, so a change that rolled back reports nothing."""

from __future__ import annotations

import uuid

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
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
        # Written on every change: one index beside the keys (a record's events, in order).
        # Ids grow with time, so "since" reads go by id; the uid is time-ordered too.
        indexes = [models.Index(fields=["subject", "id"], name="outbox_event_subject")]
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


class WebhookEndpoint(models.Model):
    """A receiver: its URL, the event types it wants (none listed: all), and its signing
    secret (`whsec_` + base64; shown once when made, never again). After a rotation the old
    secret stays valid until `previous_secret_until`, and both signatures are sent."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    enabled = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="First failed delivery since the last success."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (all attempts used)"


class Delivery(models.Model):
    """One event for one endpoint: written with the event (same statement), sent from here,
    retried on the schedule until delivered or failed."""

    # No index of their own: the unique (event, endpoint) pair and delivery_by_endpoint lead
    # with them, and every index more is written by every recorded change.
    event = models.ForeignKey(
        OutboxEvent, on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subject = models.CharField(max_length=64)  # the event's: one subject is sent in order
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_once_per_endpoint")
        ]
        indexes = [
            # The dispatcher's claim: pending deliveries by due time (delivered history is
            # outside the index, so its cost does not grow with it).
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(
                fields=["endpoint", "subject", "event"],
                name="delivery_order",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["endpoint", "state", "created_at"], name="delivery_by_endpoint"),
        ]
        ordering = ["-id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint} ({self.get_state_display()})"


class DeliveryAttempt(models.Model):
    """One try: when, the answer (HTTP status or the error), how long, and the answer's start."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_body = models.TextField(blank=True)  # the first 2 KB

    class Meta:
        indexes = [models.Index(fields=["at"], name="delivery_attempt_at")]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class MailState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (all attempts used)"


class OutgoingMail(models.Model):
    """An e-mail to send, written in the transaction of the change that causes it (so a
    rolled-back change sends nothing) and sent from here by a worker, retried on the
    webhooks' schedule until the mail server takes it. Its Message-ID is fixed when it is
    written: a resend after a crash carries the same one."""

    message_id = models.CharField(max_length=255, unique=True)
    from_email = models.CharField(max_length=255, blank=True)
    to = ArrayField(models.CharField(max_length=254), default=list)
    cc = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    # Files to attach, by their names in the default storage (a conversation's attachments).
    attachments = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    state = models.CharField(max_length=16, choices=MailState.choices, default=MailState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outgoing_mail_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["state", "created_at"], name="outgoing_mail_state"),
        ]
        ordering = ["-id"]
        verbose_name = "outgoing e-mail"
        verbose_name_plural = "outgoing e-mails"

    def __str__(self) -> str:
        return f"{self.subject} to {', '.join(self.to)} ({self.get_state_display()})"


class MailAttempt(models.Model):
    """One try at handing a mail to the mail server: when, how long, and the error if any."""

    mail = models.ForeignKey(OutgoingMail, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["at"], name="mail_attempt_at")]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.error or 'sent'}"
