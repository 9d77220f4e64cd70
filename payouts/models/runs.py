"""Payout runs: a region's period, its run membership of ledger entries, one line per partner;
and the bookings excluded from a partner's minimum-guarantee plan."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Booking, Case
from partners.models import Currency, Partner, Region

from .base import _user_fk, money_field
from .ledger import LedgerEntry

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


# The links' references, checked once per statement instead of once per row: a run links
# two million entries, and PostgreSQL's foreign keys check each row with its own query and a
# row lock on the ledger entry (1.4 s of every 200,000 links, half the run's time; see
# bench/RESULTS.md). The checks below are set-based; the runs a statement names are locked
# FOR KEY SHARE as a foreign key would lock them, so a run deleted meanwhile cannot leave
# links behind; a ledger entry cannot be deleted at all (ledger_append_only).
RUN_ENTRY_REFERENCES = """
PERFORM 1 FROM payouts_payoutrun r
  WHERE r.id IN (SELECT DISTINCT run_id FROM new_links) FOR KEY SHARE OF r;
IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT run_id FROM new_links) n
     WHERE NOT EXISTS (SELECT 1 FROM payouts_payoutrun r WHERE r.id = n.run_id)
) THEN
    RAISE EXCEPTION 'A payout run entry names a payout run that does not exist.'
        USING ERRCODE = 'foreign_key_violation';
END IF;
IF EXISTS (
    SELECT 1 FROM new_links n
     WHERE NOT EXISTS (SELECT 1 FROM payouts_ledgerentry e WHERE e.id = n.entry_id)
) THEN
    RAISE EXCEPTION 'A payout run entry names a ledger entry that does not exist.'
        USING ERRCODE = 'foreign_key_violation';
END IF;
RETURN NULL;
"""
RUN_KEEPS_ITS_LINKS = """
IF EXISTS (
    SELECT 1 FROM payouts_payoutrunentry l JOIN gone_runs g ON g.id = l.run_id
) THEN
    RAISE EXCEPTION 'A payout run that holds ledger entries cannot be deleted: delete its '
        'entry links first.' USING ERRCODE = 'foreign_key_violation';
END IF;
RETURN NULL;
"""


@pgtrigger.register(
    pgtrigger.Trigger(
        name="run_keeps_its_links",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Delete,
        referencing=pgtrigger.Referencing(old="gone_runs"),
        func=RUN_KEEPS_ITS_LINKS,
    ),
)
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
    # What the computation left out under the money rule (docs/money.md): penalties up to the
    # cutoff whose PAF awaits review (or is not genuine, or has a reversal request open).
    held_penalty_count = models.PositiveIntegerField(
        "penalties held: PAF awaiting review",
        default=0,
        help_text="Not deducted by this run: their PAF awaits review (or is not genuine, or a "
        "reversal request for it is open).",
    )
    held_penalty_total = money_field(
        verbose_name="held penalties' total", default=0, help_text="Not deducted by this run."
    )

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
        """What the run is doing, truthfully: queued until a worker has counted the region's
        partners, then how many of them are done. How many partners the run pays or charges
        is its lines' count (selectors.run_summary), never the progress counter."""
        if self.state == RunState.COMPUTING:
            if not self.progress_total:
                return "Queued for computing"
            return f"Computing: {self.progress_done} of {self.progress_total} partners"
        return {
            RunState.DRAFT: "Not computed yet",
            RunState.COMPUTED: "Computed, not approved",
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
        self.held_penalty_count = 0
        self.held_penalty_total = Decimal("0.00")

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


@pgtrigger.register(
    pgtrigger.Trigger(
        name="run_entry_references",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert,
        referencing=pgtrigger.Referencing(new="new_links"),
        func=RUN_ENTRY_REFERENCES,
    ),
    pgtrigger.Protect(name="run_entry_never_updated", operation=pgtrigger.Update),
)
class PayoutRunEntry(models.Model):
    """Run membership of a ledger entry. The entry is the key (UNIQUE): it is paid in one run
    only, whatever races happen.

    Kept apart from LedgerEntry so the ledger stays append-only while runs take entries.
    """

    # The entry is the primary key: unique by construction, and one index fewer to maintain
    # when a run links two million entries. Both references are checked by the triggers
    # (RUN_ENTRY_REFERENCES, and RUN_KEEPS_ITS_LINKS on the run), not by foreign keys.
    entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="run_link",
        db_constraint=False,
    )
    run = models.ForeignKey(
        PayoutRun, on_delete=models.CASCADE, related_name="entry_links", db_constraint=False
    )

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
