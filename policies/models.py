"""Stored policy versions: every SOP number, with an effective time and who approved it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from core.times import when


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class PolicyVersion(models.Model):
    """One version of the SOP parameters. Decisions use the active version in force at their
    reference time (the latest effective_from at or before it)."""

    version = models.CharField(
        max_length=64,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9._-]*$",
                "Lower-case letters, digits, dots, dashes and underscores, e.g. sop-2026.2.",
            )
        ],
    )
    parameters = models.JSONField(help_text="Validated against policies.parameters.")
    effective_from = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=8, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    change_note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last edit of a draft (a backtest older than it is flagged on the activation page).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective_from"]
        indexes = [models.Index(fields=["status", "-effective_from"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(activated_at__isnull=False),
                name="policy_active_has_activation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.get_status_display()}, from {when(self.effective_from)})"

    def clean(self) -> None:
        from .parameters import PolicyParameters, PolicyValidationError

        try:
            PolicyParameters.from_dict(self.parameters or {})
        except PolicyValidationError as exc:
            raise ValidationError(
                {"parameters": [f"{k}: {v}" for k, v in exc.errors.items()]}
            ) from exc
