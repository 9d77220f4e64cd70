"""The append-only ledger: one signed entry per money movement (see the package docstring)."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Booking, Case
from partners.models import Currency, Partner

from .base import money_field
from .penalties import Penalty
from .refunds import Refund


class EntryKind(models.TextChoices):
    EARNING = "earning", "Earning"
    PENALTY_DEDUCTION = "penalty_deduction", "Penalty deduction"
    RECOVERY = "recovery", "Recovery (refund deducted from partner)"
    BONUS = "bonus", "Bonus"
    REVERSAL = "reversal", "Reversal"
    PAYOUT = "payout", "Payout"


CREDIT_KINDS = (EntryKind.EARNING, EntryKind.BONUS)
DEBIT_KINDS = (EntryKind.PENALTY_DEDUCTION, EntryKind.RECOVERY, EntryKind.PAYOUT)


@pgtrigger.register(
    pgtrigger.Protect(name="ledger_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
)
class LedgerEntry(models.Model):
    """One money movement for a partner, written exactly once (idempotency_key), never changed.

    amount is signed: credits to the partner positive, debits negative (see the payouts.models
    docstring).
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="ledger_entries")
    currency = models.CharField(max_length=3, choices=Currency.choices)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    amount = money_field()
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    penalty = models.ForeignKey(
        Penalty, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    idempotency_key = models.CharField(
        max_length=128, unique=True, help_text="Derived from the cause, e.g. penalty:12:deduction"
    )
    policy_version = models.CharField(max_length=64, blank=True)
    memo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["partner", "currency", "occurred_at"], name="ledger_partner_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=CREDIT_KINDS) & Q(amount__gt=0))
                | (Q(kind__in=DEBIT_KINDS) & Q(amount__lt=0))
                | (Q(kind=EntryKind.REVERSAL) & ~Q(amount=0)),
                name="ledger_amount_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.idempotency_key})"
