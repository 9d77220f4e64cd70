"""In-app notifications: what someone must look at (an escalation, a breach). Each one is also
sent by e-mail through Django's mail backend when the recipient has an address."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .cases import Case


class Notification(models.Model):
    """A message to one user about a case; read once they have opened it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title
