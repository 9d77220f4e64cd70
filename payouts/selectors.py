"""Reads for the payouts API and console: who sees which rows, queues, the ledger statement."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import Greatest
from django.utils import timezone

from cases.catalog import CaseKind
from cases.models import (
    Booking,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    CaseEvent,
    EventType,
)
from core.access import may
from core.roles import User, is_active_partner_user, is_back_office, partner_of
from partners.models import Partner, Programme

from .models import (
    OPEN_REVERSAL_STATES,
    EntryKind,
    LedgerEntry,
    MgPlanExclusion,
    PafState,
    PartnerAtFault,
    PayoutLine,
    PayoutRun,
    Penalty,
    PenaltyState,
    Refund,
    RefundState,
    ReversalRequest,
    ReversalState,
    RunState,
)


def _partner_scope(user: User | None) -> tuple[bool, int | None]:
    """(sees every partner, the one partner id a partner login is limited to)."""
    if is_back_office(user):
        return True, None
    if is_active_partner_user(user):
        return False, partner_of(user).pk  # type: ignore[union-attr]
    return False, None


def may_read_partner_money(user: User | None) -> bool:
    """The back office, and a partner login for its own money."""
    sees_all, partner_id = _partner_scope(user)
    return sees_all or partner_id is not None


def may_read_runs(user: User | None) -> bool:
    """Finance and supervisors read payout runs (the role matrix)."""
    return may(user, "payouts.view_payoutrun")


def _visible(qs: QuerySet, user: User | None, field: str = "partner_id") -> QuerySet:
    sees_all, partner_id = _partner_scope(user)
    if sees_all:
        return qs
    if partner_id is not None:
        return qs.filter(**{field: partner_id})
    return qs.none()


# PAFs, penalties, reversal requests: the back office sees all, a partner its own.


def paf_list(*, user: User | None) -> QuerySet[PartnerAtFault]:
    """PAFs the user may see, newest first."""
    return (
        _visible(PartnerAtFault.objects.all(), user)
        .select_related("partner", "booking", "penalty", "marked_by", "reviewer")
        .order_by("-id")
    )


def penalty_list(*, user: User | None) -> QuerySet[Penalty]:
    """Penalties the user may see, newest first."""
    return (
        _visible(Penalty.objects.all(), user)
        .select_related("partner", "booking", "paf")
        .order_by("-id")
    )


def reversal_request_list(*, user: User | None) -> QuerySet[ReversalRequest]:
    """Reversal requests the user may see, newest first: every one for the roles the matrix
    lets see them, a partner login its own."""
    qs = ReversalRequest.objects.all()
    if is_back_office(user) and not may(user, "payouts.view_reversalrequest"):
        qs = qs.none()
    return (
        _visible(qs, user)
        .select_related("partner", "booking", "paf", "requested_by", "decided_by")
        .order_by("-id")
    )


def refund_list(*, user: User | None) -> QuerySet[Refund]:
    """Refunds are customer money: the roles the matrix lets see them."""
    qs = Refund.objects.all() if may(user, "payouts.view_refund") else Refund.objects.none()
    return qs.select_related("customer", "booking", "requested_by", "approved_by").order_by("-id")


# The money rule for penalties (docs/money.md): a payout run deducts a penalty only when its
# PAF is genuine (reviewed genuine, or bound genuine by an SOP decision) and no reversal
# request for it is open. Any other pending penalty is held: it stays pending, and the first
# run computed once the rule holds takes it.


def _open_reversal_of_penalty() -> Exists:
    return Exists(
        ReversalRequest.objects.filter(paf_id=OuterRef("paf_id"), state__in=OPEN_REVERSAL_STATES)
    )


def deductible_penalties(qs: QuerySet[Penalty] | None = None) -> QuerySet[Penalty]:
    """The pending penalties a payout run may deduct now (their PAF is genuine, no reversal
    request for it is open)."""
    qs = Penalty.objects.all() if qs is None else qs
    return qs.filter(state=PenaltyState.PENDING, paf__state=PafState.GENUINE).exclude(
        _open_reversal_of_penalty()
    )


def deductible_since() -> Greatest:
    """When a deductible penalty became so: the latest of when it arose, when its PAF was
    found genuine, and when the last reversal request for it was rejected (PostgreSQL's
    GREATEST skips the missing ones). Its deduction entry is dated then."""
    last_rejection = (
        ReversalRequest.objects.filter(paf_id=OuterRef("paf_id"), state=ReversalState.REJECTED)
        .order_by()
        .values("paf_id")
        .annotate(at=Max("decided_at"))
        .values("at")
    )
    return Greatest("created_at", "paf__reviewed_at", Subquery(last_rejection[:1]))


def held_penalties(qs: QuerySet[Penalty] | None = None) -> QuerySet[Penalty]:
    """Pending penalties no run may deduct yet: the PAF is pending review or not genuine
    (waiting for its reversal), or a reversal request for it is open."""
    qs = Penalty.objects.all() if qs is None else qs
    return qs.filter(state=PenaltyState.PENDING).filter(
        ~Q(paf__state=PafState.GENUINE) | _open_reversal_of_penalty()
    )


def why_held(penalty: Penalty) -> str | None:
    """Why a run may not deduct the penalty now (None: it may), in words."""
    paf = penalty.paf
    if paf.state == PafState.PENDING_REVIEW:
        return f"its PAF #{paf.pk} is pending review"
    if paf.state in (PafState.NOT_GENUINE, PafState.REVERSED):
        return f"its PAF #{paf.pk} is {paf.get_state_display().lower()}: it is never deducted"
    if paf.reversal_requests.filter(state__in=OPEN_REVERSAL_STATES).exists():
        return f"a reversal request for its PAF #{paf.pk} is open"
    return None


# Payout runs: finance and supervisors.


def runs_with_totals(qs: QuerySet[PayoutRun]) -> QuerySet[PayoutRun]:
    """Each run with its number of lines and total net (one subquery each, by run index)."""
    lines = PayoutLine.objects.filter(run=OuterRef("pk")).order_by().values("run")
    return qs.annotate(
        line_count=Subquery(lines.annotate(n=Count("id")).values("n")),
        net_total=Subquery(lines.annotate(total=Sum("net")).values("total")),
    )


def run_list(*, user: User | None) -> QuerySet[PayoutRun]:
    """Payout runs with their totals, for finance and supervisors."""
    qs = PayoutRun.objects.all() if may_read_runs(user) else PayoutRun.objects.none()
    return runs_with_totals(
        qs.select_related("region", "created_by", "computed_by", "approved_by")
    ).order_by("-id")


def run_lines(*, run: PayoutRun) -> QuerySet[PayoutLine]:
    """A run's lines (one per partner), with the partner."""
    return PayoutLine.objects.filter(run=run).select_related("partner").order_by("partner_id")


def run_summary(*, run_id: int) -> dict[str, Any]:
    """What a run pays, from its lines alone (one query): partners (one line each), net, to
    pay (positive nets), carried forward (negative nets). The page's counts and totals all come
    from here, so they cannot disagree."""
    zero = Decimal("0.00")
    return PayoutLine.objects.filter(run_id=run_id).aggregate(
        partners=Count("id"),
        net_total=Sum("net", default=zero),
        to_pay=Sum("net", filter=Q(net__gt=0), default=zero),
        paid_partners=Count("id", filter=Q(net__gt=0)),
        carried=Sum("carried_forward_out", default=zero),
    )


# A bank transfer needs the account holder and either an IBAN (Egypt) or an account number
# with its IFSC (India); a partner without them cannot be paid by the bank file.
MISSING_BANK_DETAILS = Q(payout_account_holder="") | (
    Q(payout_iban="") & (Q(payout_account_number="") | Q(payout_ifsc=""))
)


def partners_missing_bank_details(*, run_id: int, limit: int = 200) -> list[Partner]:
    """The partners the run pays (positive net) whose bank details are incomplete, by id:
    the bank file is refused while there is one (services.export_run)."""
    paid = PayoutLine.objects.filter(run_id=run_id, net__gt=0).values("partner_id")
    return list(
        Partner.objects.filter(MISSING_BANK_DETAILS, pk__in=paid)
        .only("id", "external_id", "name")
        .order_by("pk")[:limit]
    )


# The ledger statement.


def ledger_statement(*, partner_id: int, currency: str | None = None) -> QuerySet[LedgerEntry]:
    """The partner's entries newest first, each with the balance after it.

    running_balance is a window SUM over the partner's entries (per currency) in time order,
    computed before any LIMIT/OFFSET, so every page shows true balances. Only filters that
    keep whole currency partitions (partner, currency) may be applied to this queryset.
    """
    qs = LedgerEntry.objects.filter(partner_id=partner_id)
    if currency:
        qs = qs.filter(currency=currency)
    return (
        qs.select_related("run_link")
        .annotate(
            running_balance=Window(
                Sum("amount"),
                partition_by=[F("currency")],
                order_by=[F("occurred_at").asc(), F("id").asc()],
            )
        )
        .order_by("-occurred_at", "-id")
    )


def partner_balances(*, partner_id: int) -> dict[str, Decimal]:
    """What we owe the partner now, per currency: the plain sum of their entries."""
    rows = (
        LedgerEntry.objects.filter(partner_id=partner_id)
        .values("currency")
        .annotate(balance=Sum("amount"))
        .order_by("currency")
    )
    return {row["currency"]: row["balance"] for row in rows}


def may_read_partner_page(user: User | None, partner_id: int, permission: str) -> bool:
    """A partner's money pages (ledger, MG plan): the back-office roles the matrix grants
    `permission` (the page's own, as the view names it), or the partner login whose page it
    is; another partner's page is not there for a partner login (404)."""
    sees_all, own = _partner_scope(user)
    return (sees_all and may(user, permission)) or own == partner_id


# The partner page: metrics, next payout preview (the ledger is ledger_statement above).

METRICS_WINDOW_DAYS = 90

# Cancellation codes that put a cancellation on the partner (OOS SOP: "Pro Cannot Deliver",
# "Can't Deliver"), whoever pressed the button; a cancellation by the partner always counts.
CODES_AGAINST_PARTNER = (CancellationCode.PRO_CANNOT_DELIVER, CancellationCode.CANT_DELIVER)

# OOS SOP decisions taken once the team has validated the work as out of scope (policies.sop.oos):
# the cancellation that follows is not the partner's doing and is not marked against him.
VALIDATED_OOS_OUTCOMES = (
    "ask_customer_to_cancel",
    "customer_cancelled_incorrect_service",
    "partner_cancels_pro_cannot_deliver",
    "cancelled_after_validation",
)


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def partner_metrics(
    partner: Partner, *, days: int = METRICS_WINDOW_DAYS, today: date | None = None
) -> dict[str, Any]:
    """The partner's job and PAF figures for the jobs whose service date falls in the last
    `days` days (region time), in two aggregate queries.

    paf_rate = PAFs not reversed / completed jobs (None without completed jobs). A
    cancellation is marked against the partner when the partner cancelled or the code is
    pro_cannot_deliver / cant_deliver, unless an OOS decision on the job validated it first.
    """
    today = today or datetime.now(ZoneInfo(partner.city.region.timezone)).date()
    since = today - timedelta(days=days - 1)
    validated_oos = CaseEvent.objects.filter(
        case__booking=OuterRef("pk"),
        case__kind=CaseKind.OUT_OF_SCOPE,
        type=EventType.DECISION,
        payload__outcome__in=VALIDATED_OOS_OUTCOMES,
    )
    cancelled = Q(status=BookingStatus.CANCELLED)
    against_partner = Q(cancelled_by=CancelledBy.PARTNER) | Q(
        cancellation_code__in=CODES_AGAINST_PARTNER
    )
    jobs = Booking.objects.filter(
        partner=partner, service_date__gte=since, service_date__lte=today
    ).aggregate(
        allocated=Count("id"),
        delivered=Count("id", filter=Q(status=BookingStatus.COMPLETED)),
        cancelled=Count("id", filter=cancelled),
        cancellations_against_partner=Count(
            "id", filter=cancelled & against_partner & ~Exists(validated_oos)
        ),
    )
    pafs = PartnerAtFault.objects.filter(
        partner=partner, booking__service_date__gte=since, booking__service_date__lte=today
    ).aggregate(
        paf_count=Count("id"),
        pafs_standing=Count("id", filter=~Q(state=PafState.REVERSED)),
        genuine=Count("id", filter=Q(state=PafState.GENUINE)),
        not_genuine=Count("id", filter=Q(state=PafState.NOT_GENUINE)),
        pending_review=Count("id", filter=Q(state=PafState.PENDING_REVIEW)),
        reversed=Count("id", filter=Q(state=PafState.REVERSED)),
    )
    return {
        "since": since,
        "until": today,
        "days": days,
        **jobs,
        **pafs,
        "paf_rate": _ratio(pafs["pafs_standing"], jobs["delivered"]),
        "cancellation_rate": _ratio(jobs["cancellations_against_partner"], jobs["allocated"]),
    }


def paf_rate(partner_id: int, *, today: date, days: int = METRICS_WINDOW_DAYS) -> dict[str, Any]:
    """The PAF rate of partner_metrics alone (PAFs not reversed / completed jobs, service
    dates in the window), in one query: the case page shows it on every visit, so the
    statement is written once rather than compiled by the ORM per page (its two subqueries
    cost more to compile than to run).

    {"rate": Decimal | None, "standing": int, "delivered": int, "days": int}
    """
    since = today - timedelta(days=days - 1)
    with connection.cursor() as cursor:
        cursor.execute(
            _PAF_RATE,
            [partner_id, BookingStatus.COMPLETED, since, today]
            + [partner_id, PafState.REVERSED, since, today],
        )
        done, pafs = cursor.fetchone()
    return {"rate": _ratio(pafs, done), "standing": pafs, "delivered": done, "days": days}


_BOOKINGS = f'"{Booking._meta.db_table}"'
_PAFS = f'"{PartnerAtFault._meta.db_table}"'
_PAF_RATE = (
    f"SELECT (SELECT count(*) FROM {_BOOKINGS} b WHERE b.partner_id = %s AND b.status = %s"
    " AND b.service_date BETWEEN %s AND %s),"
    f" (SELECT count(*) FROM {_PAFS} p JOIN {_BOOKINGS} b ON b.id = p.booking_id"
    " WHERE p.partner_id = %s AND p.state <> %s AND b.service_date BETWEEN %s AND %s)"
)


def next_payout_preview(partner: Partner, *, period_end: date | None = None) -> dict[str, Any]:
    """The line the partner would get if the region's next payout run were computed now, by
    the rules of services.compute_payout_run: the partner's entries in the region's currency
    that no run holds (payouts aside), the pending penalties the run will schedule, and the
    negative net the last paid run carried forward. With period_end, only what the run's
    cutoff (the end of that day, region time) admits.

    An open run that may still be (re)computed is the next run: the entries it holds count
    too, as recomputing releases and retakes them (`run`). An approved or exported run is
    fixed: the preview is of the run after it, which takes that run's carried-forward net
    (`after_run`; `after_run_line_net` is what that run pays the partner, None without a line).
    """
    region = partner.city.region
    currency = region.currency
    last_paid = (
        PayoutRun.objects.filter(region=region, state=RunState.PAID)
        .order_by("-period_end", "-id")
        .values("pk")[:1]
    )
    partner_line = PayoutLine.objects.filter(run=OuterRef("pk"), partner=partner)
    runs = list(
        PayoutRun.objects.filter(region=region)
        .filter(~Q(state=RunState.PAID) | Q(pk=Subquery(last_paid)))
        .annotate(
            partner_net=Subquery(partner_line.values("net")[:1]),
            partner_carried_out=Subquery(partner_line.values("carried_forward_out")[:1]),
        )
    )
    open_run = next((r for r in runs if r.state != RunState.PAID), None)
    paid_run = next((r for r in runs if r.state == RunState.PAID), None)
    recomputable = (RunState.DRAFT, RunState.COMPUTING, RunState.COMPUTED)
    run = open_run if open_run is not None and open_run.state in recomputable else None
    after_run = open_run if open_run is not None and run is None else None
    carried_from = after_run or paid_run
    carried_in = (carried_from.partner_carried_out if carried_from else None) or Decimal("0.00")

    entries = LedgerEntry.objects.filter(partner=partner, currency=currency).exclude(
        kind=EntryKind.PAYOUT
    )
    pending = Penalty.objects.filter(
        partner=partner, currency=currency, state=PenaltyState.PENDING, amount__gt=0
    )
    if period_end is not None:
        cutoff = PayoutRun(region=region, period_end=period_end).cutoff
        entries = entries.filter(occurred_at__lt=cutoff)
        pending = pending.filter(created_at__lt=cutoff)
    penalties = deductible_penalties(pending)
    free = Q(run_link__isnull=True)
    if run is not None:
        free |= Q(run_link__run=run)

    def kind_sum(*kinds: str) -> Sum:
        return Sum("amount", filter=Q(kind__in=kinds), default=Decimal("0.00"))

    sums = entries.filter(free).aggregate(
        earnings=kind_sum(EntryKind.EARNING),
        ledger_deductions=kind_sum(EntryKind.PENALTY_DEDUCTION, EntryKind.RECOVERY),
        bonuses=kind_sum(EntryKind.BONUS),
        reversals=kind_sum(EntryKind.REVERSAL),
        entry_count=Count("id"),
    )
    due = penalties.aggregate(total=Sum("amount", default=Decimal("0.00")), count=Count("id"))
    held = held_penalties(pending).aggregate(
        total=Sum("amount", default=Decimal("0.00")), count=Count("id")
    )
    deductions = sums.pop("ledger_deductions") - due["total"]
    net = sums["earnings"] + deductions + sums["bonuses"] + sums["reversals"] + carried_in
    return {
        "currency": currency,
        "period_end": period_end,
        "run": run,
        "after_run": after_run,
        "after_run_line_net": after_run.partner_net if after_run else None,
        "carried_from_run": carried_from if carried_in else None,
        **sums,
        "deductions": deductions,
        "pending_penalties": due["count"],
        "pending_penalty_total": due["total"],
        # Not in the net: penalties whose PAF awaits review (or has a reversal request open).
        "held_penalties": held["count"],
        "held_penalty_total": held["total"],
        "carried_forward_in": carried_in,
        "net": net,
        "payable": max(net, Decimal("0.00")),
        "carried_forward_out": min(net, Decimal("0.00")),
        "entry_count": sums["entry_count"] + due["count"],
    }


# Console queues.


def reversal_queue() -> QuerySet[ReversalRequest]:
    """Requests awaiting a decision, oldest first."""
    return (
        ReversalRequest.objects.filter(state__in=OPEN_REVERSAL_STATES)
        .select_related("partner", "booking", "paf", "requested_by")
        .order_by("requested_at", "id")
    )


def penalties_due_next_run() -> QuerySet[Penalty]:
    """Penalties the next payout run will deduct (their PAF is genuine), oldest first."""
    return deductible_penalties().select_related("partner", "booking").order_by("created_at", "id")


def penalties_held() -> QuerySet[Penalty]:
    """Penalties no run deducts yet (PAF awaiting review, or a reversal open), oldest first."""
    return held_penalties().select_related("partner", "booking").order_by("created_at", "id")


def refunds_to_approve() -> QuerySet[Refund]:
    """Refunds awaiting finance's decision, oldest first."""
    return (
        Refund.objects.filter(state=RefundState.REQUESTED)
        .select_related("customer", "booking", "requested_by")
        .order_by("requested_at", "id")
    )


def mg_plan_summary(partner: Partner, *, month: date | None = None) -> dict[str, Any]:
    """A partner's minimum-guarantee plan for a calendar month (default: this month in the
    partner's region): the jobs given to him, those excluded (validated OOS and other SOP
    exclusions, with why) and the count toward the plan."""
    zone = ZoneInfo(partner.city.region.timezone)
    day = month or timezone.localtime(timezone.now(), zone).date()
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    jobs = Booking.objects.filter(
        partner_id=partner.pk, service_date__gte=start, service_date__lt=end
    )
    exclusions = list(
        MgPlanExclusion.objects.filter(
            partner_id=partner.pk, booking__service_date__gte=start, booking__service_date__lt=end
        )
        .select_related("booking")
        .order_by("-excluded_at")
    )
    assigned = jobs.count()
    return {
        "on_mg_plan": Programme.MG_PLAN in partner.programmes,
        "period_start": start,
        "period_end": end - timedelta(days=1),
        "jobs": assigned,
        "excluded": len(exclusions),
        "counted": assigned - len(exclusions),
        "exclusions": exclusions,
    }
