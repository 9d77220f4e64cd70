"""Messages on cases and the inbound mail they came from.

An `InboundMail` is every message that reached us, stored whole before anything else is
done with it (so nothing is lost), with what became of it: a message on a case, a duplicate,
an automatic message recognised, a refusal, or the quarantine when it could not be
processed. A `Message` is what the case's timeline shows: a mail in or out, its new text,
the headers threading needs, and for a mail out the outbox row that sends it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from cases.models import Case, Customer
from events.models import OutgoingMail
from partners.models import Partner


class Direction(models.TextChoices):
    IN = "in", "Received"
    OUT = "out", "Sent"


class Party(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Partner"
    OTHER = "other", "Someone else"


class Audience(models.TextChoices):
    """Who a message from a case or a template is for."""

    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Partner"


class ChannelName(models.TextChoices):
    """The channels a message can be sent on (conversations.channels)."""

    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class Message(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    channel = models.CharField(max_length=16, default="email")
    party = models.CharField(max_length=16, choices=Party.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agent who wrote a message out; nobody for one received.",
    )
    # RFC 5322 identifiers, with their angle brackets: how replies find their case.
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    from_address = models.CharField(max_length=254)
    from_name = models.CharField(max_length=128, blank=True)
    to = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True, help_text="What is new in it (quoted history cut).")
    full_text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="The HTML part, made safe (nh3).")
    automatic = models.BooleanField(
        default=False, help_text="An auto-reply or other automatic message: never answered."
    )
    template = models.CharField(max_length=64, blank=True)
    outgoing = models.OneToOneField(
        OutgoingMail, on_delete=models.PROTECT, null=True, blank=True, related_name="message"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="message_case_at")]
        constraints = [
            # A mail out is sent from the outbox; other channels are asked of the messaging
            # platform by an event (conversations.channels).
            models.CheckConstraint(
                condition=models.Q(direction="in")
                | ~models.Q(channel="email")
                | models.Q(outgoing__isnull=False),
                name="message_out_has_outgoing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.subject!r} on case #{self.case_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"conversations/{timezone.now():%Y/%m}/{instance.message_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=128)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.filename} ({self.size} bytes)"


class InboundState(models.TextChoices):
    RECEIVED = "received", "Received, not yet processed"
    PROCESSED = "processed", "On a case"
    DUPLICATE = "duplicate", "Duplicate (already stored)"
    AUTOMATIC = "automatic", "Automatic message (kept, never answered)"
    BOUNCE = "bounce", "Bounce (address marked failing)"
    REFUSED = "refused", "Refused"
    QUARANTINED = "quarantined", "Quarantined (could not be processed)"


class InboundMail(models.Model):
    """One message as it reached us, raw, and what became of it."""

    via = models.CharField(max_length=32, help_text='"smtp" or the provider\'s name.')
    envelope_from = models.CharField(max_length=254, blank=True)
    envelope_to = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    raw = models.BinaryField()
    size = models.PositiveIntegerField()
    message_id = models.CharField(max_length=255, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    state = models.CharField(
        max_length=16, choices=InboundState.choices, default=InboundState.RECEIVED
    )
    reason = models.CharField(max_length=500, blank=True)
    result = models.ForeignKey(
        Message,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The message it became (or the one it duplicates).",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "inbound e-mail"
        verbose_name_plural = "inbound e-mails"
        indexes = [
            # The per-sender rate limit counts a sender's recent mail.
            models.Index(Lower("from_address"), "received_at", name="inbound_sender_recent"),
            models.Index(fields=["state", "received_at"], name="inbound_state"),
        ]

    def __str__(self) -> str:
        return f"{self.subject or '(no subject)'} from {self.from_address or '?'}"


class Survey(models.Model):
    """The satisfaction survey a customer gets when their case is resolved: rated 1-5 from
    signed, expiring links in the mail (no login), with an optional comment."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="surveys")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    outgoing = models.OneToOneField(
        OutgoingMail, on_delete=models.PROTECT, null=True, blank=True, related_name="survey"
    )
    # Who worked the case when it was resolved: the dashboard's CSAT per agent and team.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.CharField(max_length=32)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            # "Not twice within N days": the customer's latest survey.
            models.Index(fields=["customer", "sent_at"], name="survey_customer_sent"),
            models.Index(
                fields=["rated_at"], name="survey_rated", condition=models.Q(rating__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        rated = f"{self.rating}/5" if self.rating else "not rated"
        return f"Survey on case #{self.case_id}: {rated}"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    HINDI = "hi", "Hindi"
    ARABIC = "ar", "Arabic"


class ReplyTemplate(models.Model):
    """A reply as data: placeholders filled from the case when used (conversations.
    templating), per language, and what using it also does to the case (a move along the
    state machine, a priority), through the services like any other change. `key` names the
    SOP step it answers ("call_customer.confirm_email"): the task that step creates offers
    it."""

    key = models.CharField(max_length=64, help_text='e.g. "call_customer.confirm_email".')
    language = models.CharField(max_length=2, choices=Language.choices, default="en")
    name = models.CharField(max_length=120)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.CUSTOMER)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    then_transition = models.CharField(
        max_length=32, blank=True, help_text="Move the case after sending (e.g. park, resolve)."
    )
    then_tag = models.CharField(
        max_length=200, blank=True, help_text="The tag a resolve uses (its path)."
    )
    then_priority = models.CharField(max_length=8, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="template_key_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_language_display()})"

    def clean(self) -> None:
        from .templating import template_errors

        errors = template_errors(self)
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)
