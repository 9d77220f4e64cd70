"""Partner-at-fault (PAF) marks and the revisit penalties they carry."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Booking, Case
from partners.models import Currency, Partner

from .base import _user_fk, money_field

# Partner at fault (PAF)


class PafState(models.TextChoices):
    PENDING_REVIEW = "pending_review", "Pending review"
    GENUINE = "genuine", "Genuine"
    NOT_GENUINE = "not_genuine", "Not genuine"
    REVERSED = "reversed", "Reversed"


class PartnerAtFault(ConcurrentTransitionMixin, models.Model):
    """A partner-at-fault mark on one partner for one job; reviewed as genuine or not."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="pafs")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="pafs")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="pafs"
    )
    reason = models.CharField(max_length=200, help_text="Why the partner is at fault.")
    marked_by = _user_fk("+")
    marked_at = models.DateTimeField(default=timezone.now)
    state = FSMField(default=PafState.PENDING_REVIEW, choices=PafState.choices, protected=True)
    reviewer = _user_fk("+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    policy_version = models.CharField(max_length=64, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "partner at fault (PAF)"
        verbose_name_plural = "partners at fault (PAFs)"
        indexes = [
            models.Index(fields=["partner", "-id"], name="paf_partner_id"),
            models.Index(fields=["state", "-id"], name="paf_state_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["booking", "partner"], name="paf_one_per_job_partner"),
            models.CheckConstraint(
                condition=Q(state="pending_review") | Q(reviewed_at__isnull=False),
                name="paf_reviewed_has_time",
            ),
            # Nobody reviews a PAF they marked (as refunds and reversal requests).
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True)
                | Q(marked_by__isnull=True)
                | ~Q(reviewer=models.F("marked_by")),
                name="paf_not_reviewed_by_marker",
            ),
        ]

    def __str__(self) -> str:
        state = self.get_state_display()
        return f"PAF on {self.partner.name} for {self.booking.external_id} ({state})"

    @transition(field=state, source=PafState.PENDING_REVIEW, target=PafState.GENUINE)
    def mark_genuine(self) -> None:
        pass

    @transition(field=state, source=PafState.PENDING_REVIEW, target=PafState.NOT_GENUINE)
    def mark_not_genuine(self) -> None:
        pass

    @transition(field=state, source=PafState.NOT_GENUINE, target=PafState.REVERSED)
    def reverse(self) -> None:
        pass

    @transition(field=state, source=PafState.GENUINE, target=PafState.NOT_GENUINE)
    def overturn(self) -> None:
        """A supervisor's review finds a PAF a decision called genuine not genuine after all."""


# Penalty


class PenaltyState(models.TextChoices):
    PENDING = "pending", "Pending (no run has taken it yet)"
    SCHEDULED = "scheduled", "Scheduled (deduction entry written)"
    DEDUCTED = "deducted", "Deducted (run paid)"
    REVERSED = "reversed", "Reversed"
    WAIVED = "waived", "Waived"


class Penalty(ConcurrentTransitionMixin, models.Model):
    """A revisit penalty: rate x original invoice, deducted from the partner's next payout.

    pending: no ledger entry yet. scheduled: the penalty_deduction entry exists (a payout run
    computed it, or it was scheduled by hand). deducted: the run holding that entry was paid.
    Reversing or waiving writes a compensating `reversal` entry only when the deduction entry
    already exists (scheduled or deducted); a pending penalty is cancelled with no entry.
    """

    paf = models.OneToOneField(PartnerAtFault, on_delete=models.PROTECT, related_name="penalty")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="penalties")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="penalties")
    currency = models.CharField(max_length=3, choices=Currency.choices)
    base_amount = money_field(help_text="The original invoice the rate applies to.")
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    amount = money_field(help_text="rate x base, rounded half up to the minor unit.")
    state = FSMField(default=PenaltyState.PENDING, choices=PenaltyState.choices, protected=True)
    policy_version = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    deducted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Reversed or waived at.")
    closed_by = _user_fk("+")

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "penalties"
        indexes = [
            models.Index(fields=["partner", "-id"], name="penalty_partner_id"),
            models.Index(fields=["state", "created_at"], name="penalty_state_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(base_amount__gte=0, amount__gte=0), name="penalty_amounts_not_negative"
            ),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=1), name="penalty_rate_0_1"),
        ]

    def __str__(self) -> str:
        return f"Penalty of {self.amount} {self.currency} ({self.get_state_display()})"

    @property
    def deduction_key(self) -> str:
        return f"penalty:{self.pk}:deduction"

    @property
    def reversal_key(self) -> str:
        return f"penalty:{self.pk}:reversal"

    @transition(field=state, source=PenaltyState.PENDING, target=PenaltyState.SCHEDULED)
    def schedule(self) -> None:
        self.scheduled_at = timezone.now()

    @transition(field=state, source=PenaltyState.SCHEDULED, target=PenaltyState.DEDUCTED)
    def deduct(self) -> None:
        self.deducted_at = timezone.now()

    @transition(
        field=state,
        source=[PenaltyState.PENDING, PenaltyState.SCHEDULED, PenaltyState.DEDUCTED],
        target=PenaltyState.REVERSED,
    )
    def reverse(self) -> None:
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=[PenaltyState.PENDING, PenaltyState.SCHEDULED],
        target=PenaltyState.WAIVED,
    )
    def waive(self) -> None:
        self.closed_at = timezone.now()
