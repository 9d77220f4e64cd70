"""What the payouts part of the demo holds, and the acceptance steps to try on it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from cases.catalog import CaseKind
from cases.models import (
    Booking,
    CancellationCode,
    CancelledBy,
)
from payouts.models import (
    LedgerEntry,
    PafState,
    PartnerAtFault,
    PayoutRun,
    Penalty,
    Refund,
    ReversalRequest,
    ReversalState,
    RunState,
)
from payouts.selectors import deductible_penalties

from .seed import (
    SKUS,
    counts_text,
)

# --- the payouts part ------------------------------------------------------------------------
#
# Partner money for the payouts acceptance, made only through the payout services and the SOP
# flows: earnings for every completed demo job, changed-address bonuses, revisit PAFs and
# penalties (scenario 4 pending for the next run; scenarios 1-3 deducted in last month's paid
# run and disputed now), goodwill and wrong-job refunds, OOS tickets, follow-up calls, and one
# paid India run for last month (computed by the supervisor, approved by finance). Its jobs are
# pushed like the booking platform pushes them (DEMO-MN-*), so the part does not depend on when
# the demo world was loaded; the first of them is its marker.

MONEY_PREFIX = "DEMO-MN-"
MONEY_MARKER_EXTERNAL_ID = f"{MONEY_PREFIX}0001"
DEMO_PREFIX = "DEMO-"

SKU_INDEX: dict[str, tuple[str, str, int]] = {
    sku: (lob, description, price)
    for lob, items in SKUS.items()
    for sku, description, price in items
}

# Last month's revisits that the partner app cancelled with a PAF and a penalty, disputed this
# month: (scenario, case kind, who cancelled, cancellation code, flow inputs, PAF genuine).
PAF_DISPUTES: tuple[tuple[int, str, str, str, dict[str, bool], bool], ...] = (
    (
        1,
        CaseKind.REVISIT_CUSTOMER_CANCELLED,
        CancelledBy.CUSTOMER,
        CancellationCode.CUSTOMER_VOC,
        {
            "pro_discussed_and_denied": False,
            "pro_shared_personal_number": False,
            "paf_marked": True,
            "penalty_marked": True,
            "paf_genuine": False,
        },
        False,
    ),
    (
        2,
        CaseKind.REVISIT_WORK_NOT_REQUIRED,
        CancelledBy.PARTNER,
        CancellationCode.ISSUE_RESOLVED,
        {
            "customer_responsive": False,
            "customer_agrees_to_cancel": False,
            "paf_marked": True,
            "paf_genuine": False,
        },
        False,
    ),
    (
        3,
        CaseKind.REVISIT_NEW_WORK_DENIED,
        CancelledBy.PARTNER,
        CancellationCode.CUSTOMER_VOC,
        {
            "customer_accepts_new_sku": False,
            "customer_agrees_to_cancel": False,
            "paf_marked": True,
            "paf_genuine": True,
        },
        True,
    ),
)
DISPUTE_SKUS = ("AC-SRV-JET", "CLN-KITCHEN", "APP-CH-INS")
# Scenario 4 this month: (country, SKU of the original job, the partner's failure).
SCENARIO_4 = (
    ("IN", "AC-GAS-FILL", "no_show"),
    ("IN", "CLN-SOFA", "denied_job"),
    ("IN", "APP-FR-REP", "poor_service"),
    ("EG", "AC-INS-SPLIT", "unresponsive"),
)

GOODWILL_SKUS = ("APP-MW-REP", "CLN-KITCHEN")  # cart value under and over the 500 threshold
BONUS_JOBS = (("IN", "INS-TV-WALL"), ("IN", "ELE-FAN-INS"), ("EG", "APP-WM-REP"))
# Out-of-scope tickets: SKU, the partner's distance from the customer (m), raised by the
# partner himself (partner app) or by partner support on his behalf.
OOS_JOBS = (("ELE-WIRING", 60, False), ("PLB-BLOCK", 240, False), ("PNT-WATERPROOF", 450, True))
FOLLOW_UP_CALLS = (("IN", "no_answer"), ("EG", "wants_followup"), ("IN", "new_appointment"))
METRES_PER_DEGREE = 111_195  # of latitude, on the mean earth radius the OOS check uses


def money_demo_loaded() -> bool:
    return Booking.objects.filter(external_id=MONEY_MARKER_EXTERNAL_ID).exists()


def _grouped(queryset, field_name: str) -> Counter:
    rows = queryset.order_by().values_list(field_name).annotate(n=Count("pk"))
    return Counter(dict(rows))


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


@dataclass
class MoneySummary:
    """What the payouts part of the demo holds, read from the database."""

    entries: Counter = field(default_factory=Counter)
    pafs: Counter = field(default_factory=Counter)
    penalties: Counter = field(default_factory=Counter)
    pending_penalties: list[str] = field(default_factory=list)
    refunds: Counter = field(default_factory=Counter)
    reversals: Counter = field(default_factory=Counter)
    runs: list[str] = field(default_factory=list)
    open_runs: int = 0
    to_try: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, *, notes: list[str] | None = None) -> MoneySummary:
        summary = cls(notes=list(notes or []))
        summary.entries = _grouped(LedgerEntry.objects.all(), "kind")
        summary.pafs = _grouped(PartnerAtFault.objects.all(), "state")
        summary.penalties = _grouped(Penalty.objects.all(), "state")
        pending = (
            deductible_penalties()
            .order_by("currency")
            .values_list("currency")
            .annotate(total=Sum("amount"))
        )
        summary.pending_penalties = [_money(total, currency) for currency, total in pending]
        summary.refunds = _grouped(Refund.objects.all(), "state")
        summary.reversals = _grouped(ReversalRequest.objects.all(), "state")
        runs = (
            PayoutRun.objects.select_related("region", "computed_by", "approved_by")
            .annotate(
                n_lines=Count("lines"),
                paid=Sum("lines__net", filter=Q(lines__net__gt=0)),
            )
            .order_by("region__name", "period_end", "id")
        )
        for run in runs:
            summary.runs.append(
                f"#{run.pk} {run.region.name} {run.period_start}..{run.period_end} {run.state} "
                f"({run.n_lines} partner lines, {_money(run.paid or Decimal(0), run.currency)} "
                f"payable; computed by {run.computed_by or '-'}, approved by "
                f"{run.approved_by or '-'})"
            )
            summary.open_runs += run.state != RunState.PAID
        summary.to_try = _to_try()
        return summary

    def lines(self) -> list[str]:
        pending = f" ({' + '.join(self.pending_penalties)} due in the next run)"
        lines = [
            f"  ledger entries: {sum(self.entries.values())} ({counts_text(self.entries)})",
            f"  PAFs: {counts_text(self.pafs) or 'none'}; penalties: "
            f"{counts_text(self.penalties) or 'none'}"
            + (pending if self.pending_penalties else ""),
            f"  refunds: {counts_text(self.refunds) or 'none'}; reversal requests: "
            f"{counts_text(self.reversals) or 'none'}",
            "  payout runs: " + ("; ".join(self.runs) or "none") + f"; open runs: {self.open_runs}",
        ]
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  to try: {step}" for step in self.to_try]
        return lines


def _to_try() -> list[str]:
    """The payouts acceptance, step by step, on the records that are there."""
    steps = []
    paf = (
        PartnerAtFault.objects.filter(state=PafState.NOT_GENUINE, reversal_requests__isnull=True)
        .order_by("pk")
        .first()
    )
    if paf is not None:
        steps.append(f"as partnersup, log the PAF and penalty reversal form for PAF #{paf.pk}")
    request = ReversalRequest.objects.filter(state=ReversalState.SUBMITTED).order_by("pk").first()
    if request is not None:
        steps.append(f"as finance, approve reversal request #{request.pk}")
    paid = PayoutRun.objects.filter(region__country="IN", state=RunState.PAID).order_by(
        "-period_end"
    )
    last = paid.first()
    if last is not None and not PayoutRun.objects.exclude(state=RunState.PAID).exists():
        start = last.period_end + timedelta(days=1)
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        steps.append(
            f"as supervisor, create and compute the India run for {start}..{end} (pending "
            "penalties and the compensating entry appear in it); approve it as finance"
        )
    return steps
