"""Partner money records: PAF marks, penalties, the append-only ledger, reversal requests,
customer refunds and payout runs.

Sign convention of the ledger (and of every money column derived from it): an amount is what
the entry does to what we owe the partner. Credits are positive (earning, bonus, a reversal
giving a penalty back); debits are negative (penalty deduction, recovery of a refund, the
payout itself). A partner's balance is the plain SUM of their entries; nothing stores it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Booking, Case, Customer
from partners.models import Currency, Partner, Region

from .money import DECIMAL_PLACES, MAX_DIGITS


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs)


def _user_fk(related_name: str, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        **kwargs,
    )


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
    PENDING = "pending", "Pending (due in the next run)"
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


# Customer refunds


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


# The ledger


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

    amount is signed: credits to the partner positive, debits negative (see module docstring).
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


# Reversal requests (PAF and penalty reversal form, rating reversal)


class ReversalKind(models.TextChoices):
    PAF_PENALTY = "paf_penalty", "PAF and penalty reversal"
    RATING = "rating", "Rating reversal"


class ReversalState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


OPEN_REVERSAL_STATES = [ReversalState.SUBMITTED, ReversalState.UNDER_REVIEW]


class ReversalRequest(ConcurrentTransitionMixin, models.Model):
    """A partner's request, usually logged by partner support, to reverse a PAF and its
    penalty (not-genuine PAFs only) or a rating hit (e.g. a genuine OOS case closed at BPC)."""

    kind = models.CharField(max_length=16, choices=ReversalKind.choices)
    paf = models.ForeignKey(
        PartnerAtFault,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal_requests",
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reversal_requests")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="reversal_requests")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="reversal_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    on_behalf_of_partner = models.BooleanField(
        default=True, help_text="Logged by partner support for the partner (not by the partner)."
    )
    call_recording_ref = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    evidence = models.JSONField(
        default=list, blank=True, help_text="Image files or URLs: a list of references."
    )
    state = FSMField(default=ReversalState.SUBMITTED, choices=ReversalState.choices, protected=True)
    reviewer = _user_fk("+")
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_by = _user_fk("+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    policy_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(fields=["state", "requested_at"], name="reversal_state_requested"),
            models.Index(fields=["partner", "-id"], name="reversal_partner_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="reversal_not_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=~Q(kind="paf_penalty") | Q(paf__isnull=False),
                name="reversal_paf_penalty_has_paf",
            ),
            models.UniqueConstraint(
                fields=["paf"],
                condition=Q(state__in=OPEN_REVERSAL_STATES),
                name="reversal_one_open_per_paf",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.partner.name} ({self.get_state_display()})"

    @transition(field=state, source=ReversalState.SUBMITTED, target=ReversalState.UNDER_REVIEW)
    def start_review(self) -> None:
        self.review_started_at = timezone.now()

    @transition(field=state, source=ReversalState.UNDER_REVIEW, target=ReversalState.APPROVED)
    def approve(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=state, source=ReversalState.UNDER_REVIEW, target=ReversalState.REJECTED)
    def reject(self) -> None:
        self.decided_at = timezone.now()


# Payout runs


def period_in_words(start: date, end: date) -> str:
    """1-31 Dec 2026, 28 Nov-4 Dec 2026, 28 Dec 2026-3 Jan 2027 (one day: 4 Dec 2026)."""
    if start == end:
        return f"{end.day} {end:%b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b}-{end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y}-{end.day} {end:%b %Y}"


class RunState(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPUTING = "computing", "Computing"
    COMPUTED = "computed", "Computed"
    APPROVED = "approved", "Approved"
    EXPORTED = "exported", "Exported"
    PAID = "paid", "Paid"


class PayoutRun(ConcurrentTransitionMixin, models.Model):
    """One payout of a region (one currency) for a period.

    Runs of a region are sequential: at most one run per region is open (not paid), so the
    negative nets a run carries forward are taken by exactly one next run. A run takes every
    ledger entry of the region's partners that occurred up to the end of period_end (whole
    day, region time) and is not in any run yet, late entries from earlier periods included.
    """

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="payout_runs")
    currency = models.CharField(max_length=3, choices=Currency.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Inclusive: the whole day in the region's time zone.")
    state = FSMField(default=RunState.DRAFT, choices=RunState.choices, protected=True)
    created_by = _user_fk("+")
    created_at = models.DateTimeField(default=timezone.now)
    computed_by = _user_fk("+")
    computed_at = models.DateTimeField(null=True, blank=True)
    approved_by = _user_fk("+")
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_by = _user_fk("+")
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_by = _user_fk("+")
    paid_at = models.DateTimeField(null=True, blank=True)
    progress_total = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, help_text="Who holds the lease.")
    lease_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While computing: the holder renews it as batches commit; once it passes, "
        "the lease sweep queues the run again.",
    )
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        indexes = [
            models.Index(fields=["region", "state", "-period_end"], name="run_region_state"),
            # The lease sweep: computing runs by lease expiry.
            models.Index(
                fields=["lease_expires_at"],
                name="run_computing_lease",
                condition=Q(state="computing"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="run_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(computed_by__isnull=True)
                | ~Q(approved_by=models.F("computed_by")),
                name="run_not_approved_by_computer",
            ),
            models.UniqueConstraint(
                fields=["region"], condition=~Q(state="paid"), name="run_one_open_per_region"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """In words: "India payout 1-31 Dec 2026" (the region is read with the run)."""
        return f"{self.region.name} payout {period_in_words(self.period_start, self.period_end)}"

    @property
    def state_message(self) -> str:
        """What the run is doing, truthfully: queued until a worker has counted its partners."""
        if self.state == RunState.COMPUTING:
            if not self.progress_total:
                return "Queued for computing"
            return f"Computing: {self.progress_done} of {self.progress_total} partners"
        if self.state == RunState.COMPUTED:
            plural = "" if self.progress_total == 1 else "s"
            return f"Computed: {self.progress_total} partner{plural}"
        return {
            RunState.DRAFT: "Not computed yet",
            RunState.APPROVED: "Approved, bank file not exported",
            RunState.EXPORTED: "Bank file exported, not marked paid",
            RunState.PAID: "Paid",
        }.get(self.state, self.get_state_display())

    @property
    def cutoff(self) -> datetime:
        """The end of period_end, in the region's time zone: entries strictly before it count."""
        zone = ZoneInfo(self.region.timezone)
        return datetime.combine(self.period_end + timedelta(days=1), time.min, tzinfo=zone)

    @transition(
        field=state,
        source=[RunState.DRAFT, RunState.COMPUTED, RunState.COMPUTING],
        target=RunState.COMPUTING,
    )
    def start_compute(self) -> None:
        self.progress_done = 0
        self.progress_total = 0
        self.last_error = ""

    @transition(field=state, source=RunState.COMPUTING, target=RunState.COMPUTED)
    def finish_compute(self) -> None:
        self.computed_at = timezone.now()
        self.lease_expires_at = None

    @transition(field=state, source=RunState.COMPUTED, target=RunState.APPROVED)
    def approve(self) -> None:
        self.approved_at = timezone.now()

    @transition(field=state, source=RunState.APPROVED, target=RunState.EXPORTED)
    def export(self) -> None:
        self.exported_at = timezone.now()

    @transition(field=state, source=RunState.EXPORTED, target=RunState.PAID)
    def mark_paid(self) -> None:
        self.paid_at = timezone.now()


class PayoutRunEntry(models.Model):
    """Run membership of a ledger entry. The entry is the key (UNIQUE): it is paid in one run
    only, whatever races happen.

    Kept apart from LedgerEntry so the ledger stays append-only while runs take entries.
    """

    # The entry is the primary key: unique by construction, and one index fewer to maintain
    # when a run links two million entries.
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, primary_key=True, related_name="run_link"
    )
    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="entry_links")

    class Meta:
        verbose_name = "payout run entry"
        verbose_name_plural = "payout run entries"

    def __str__(self) -> str:
        return f"run {self.run_id} takes entry {self.entry_id}"


class PayoutLine(models.Model):
    """One partner's total in a run. Column signs follow the ledger: deductions negative.

    net = earnings + deductions + bonuses + reversals + carried_forward_in. A positive net is
    paid; a negative net is not paid and is carried into the next run (carried_forward_out).
    """

    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="lines")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payout_lines")
    earnings = money_field(default=0)
    deductions = money_field(default=0, help_text="Penalty deductions and recoveries (≤ 0).")
    bonuses = money_field(default=0)
    reversals = money_field(default=0)
    carried_forward_in = money_field(default=0, help_text="Negative net of the previous run.")
    net = money_field(default=0)
    carried_forward_out = money_field(default=0, help_text="The net when negative, else 0.")
    entry_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["run", "partner"], name="line_one_per_run_partner"),
            models.CheckConstraint(
                condition=Q(carried_forward_out__lte=0, carried_forward_in__lte=0),
                name="line_carried_not_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} partner {self.partner_id}: {self.net}"

    @property
    def payable(self) -> Decimal:
        """What the bank file pays: the net when positive, else nothing."""
        return self.net if self.net > 0 else Decimal("0.00")


class MgPlanExclusion(models.Model):
    """A booking that does not count toward its partner's minimum-guarantee (MG) plan, e.g. a
    validated out-of-scope cancellation ("ye booking apke MG plan mai b count nhi hogi").
    Excluded once: the booking is unique here."""

    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, related_name="mg_plan_exclusion"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="mg_exclusions")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="mg_exclusions"
    )
    reason = models.CharField(max_length=200)
    excluded_by = _user_fk("+")
    excluded_at = models.DateTimeField(default=timezone.now)
    policy_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-excluded_at", "-id"]
        verbose_name = "MG plan exclusion"
        indexes = [models.Index(fields=["partner", "excluded_at"], name="mg_exclusion_partner")]

    def __str__(self) -> str:
        return f"{self.booking_id} excluded from {self.partner_id}'s MG plan"
