"""Customer refunds, optionally recovered from the partner."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Booking, Case, Customer
from partners.models import Currency, Partner

from .base import _user_fk, money_field


class RefundReason(models.TextChoices):
    GOODWILL_NO_SHOW = "goodwill_no_show", "Goodwill: partner no show"
    GOODWILL_NO_RESPONSE = "goodwill_no_response", "Goodwill: no response"
    WRONG_JOB = "wrong_job", "Wrong job started"
    EXTRA_CASH_COLLECTED = "extra_cash_collected", "Extra cash collected"
    CUSTOMER_CANCELLATION = "customer_cancellation", "Prepaid booking cancelled by the customer"
    PAYMENT_NOT_CONFIRMED = "payment_not_confirmed", "Debited, payment not confirmed"
    OTHER = "other", "Other"


class RefundState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"


class Refund(ConcurrentTransitionMixin, models.Model):
    """Money back to a customer; optionally recovered from the partner (wrong job...)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="refunds")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="refunds")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    reason = models.CharField(max_length=32, choices=RefundReason.choices)
    note = models.TextField(blank=True)
    amount = money_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    state = FSMField(default=RefundState.REQUESTED, choices=RefundState.choices, protected=True)
    requested_by = _user_fk("+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = _user_fk("+")
    approved_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=128, blank=True)
    failure_reason = models.TextField(blank=True)
    tat_due_on = models.DateField(
        null=True, blank=True, help_text="Refund TAT for the booking's payment mode."
    )
    post_tat_case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The delay-in-refund complaint raised when the TAT passed unpaid.",
    )
    deduct_from_partner = models.BooleanField(default=False)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds_recovered",
        help_text="Whom the refund is recovered from when deduct_from_partner is set.",
    )
    policy_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "requested_at"], name="refund_state_requested"),
            # The post-TAT sweep: unpaid refunds with a TAT and no complaint raised yet.
            models.Index(
                fields=["tat_due_on"],
                name="refund_tat_watch",
                condition=Q(
                    tat_due_on__isnull=False,
                    post_tat_case__isnull=True,
                    state__in=["requested", "approved", "failed"],
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(requested_by__isnull=True)
                | ~Q(approved_by=models.F("requested_by")),
                name="refund_not_approved_by_requester",
            ),
            models.CheckConstraint(
                condition=Q(deduct_from_partner=False) | Q(partner__isnull=False),
                name="refund_recovery_has_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund of {self.amount} {self.currency} ({self.get_state_display()})"

    @property
    def recovery_key(self) -> str:
        return f"refund:{self.pk}:recovery"

    @transition(field=state, source=RefundState.REQUESTED, target=RefundState.APPROVED)
    def approve(self) -> None:
        self.approved_at = timezone.now()

    @transition(field=state, source=RefundState.REQUESTED, target=RefundState.REJECTED)
    def reject(self) -> None:
        self.approved_at = timezone.now()

    @transition(field=state, source=RefundState.APPROVED, target=RefundState.PAID)
    def mark_paid(self) -> None:
        self.paid_at = timezone.now()

    @transition(field=state, source=RefundState.APPROVED, target=RefundState.FAILED)
    def mark_failed(self) -> None:
        pass
