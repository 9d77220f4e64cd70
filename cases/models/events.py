"""The append-only audit trail of a case: the database refuses edits and deletes."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from .cases import Case


class EventType(models.TextChoices):
    CREATED = "created", "Created"
    TRANSITION = "transition", "Transition"
    NOTE = "note", "Note"
    CALL_ATTEMPT = "call_attempt", "Call attempt"
    FIELD_CHANGE = "field_change", "Field change"
    DECISION = "decision", "Policy decision"
    TASK = "task", "Task"
    ESCALATION = "escalation", "Escalation"
    CLOCK = "clock", "Clock"  # an SLA warning or breach, an SOP clock firing
    MESSAGE = "message", "Message"  # an e-mail received or sent (conversations)
    RATING = "rating", "Customer rating"  # the customer's CSAT rating (conversations)


@pgtrigger.register(
    pgtrigger.Protect(name="case_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
)
class CaseEvent(models.Model):
    """Append-only audit of everything that happens to a case; the database refuses edits."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=16, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    transition = models.CharField(max_length=48, blank=True)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    policy_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"]),
            # The stored decisions of a period, for a backtest (backtests.selectors).
            models.Index(
                fields=["at"], name="caseevent_decision_at", condition=models.Q(type="decision")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.transition or ''}".strip()


@pgtrigger.register(
    pgtrigger.Protect(
        name="gate_refusal_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    )
)
class GateRefusal(models.Model):
    """A request an SOP gate refused (a revisit outside the warranty, an OOS ticket out of the
    radius): answered 422 and nothing else written, but kept, with the decision and its
    inputs, so a backtest can see what a changed number would have allowed."""

    booking = models.ForeignKey(
        "cases.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="gate_refusals"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    payload = models.JSONField(default=dict, blank=True)  # as a DECISION event's payload
    policy_version = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"refused {self.payload.get('outcome', '')} at {self.at:%Y-%m-%d %H:%M}"
