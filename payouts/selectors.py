"""Reads for the payouts API and console: who sees which rows, queues, the ledger statement."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Window

from cases import roles
from cases.selectors import is_active_partner_user, is_back_office, partner_of

from .models import (
    OPEN_REVERSAL_STATES,
    LedgerEntry,
    PartnerAtFault,
    PayoutLine,
    PayoutRun,
    Penalty,
    PenaltyState,
    Refund,
    RefundState,
    ReversalRequest,
)

User = AbstractBaseUser | AnonymousUser

RUN_READERS = (roles.FINANCE, roles.SUPERVISOR)


def _partner_scope(user: User | None) -> tuple[bool, int | None]:
    """(sees every partner, the one partner id a partner login is limited to)."""
    if is_back_office(user):
        return True, None
    if is_active_partner_user(user):
        return False, partner_of(user).pk  # type: ignore[union-attr]
    return False, None


def may_read_partner_money(user: User | None) -> bool:
    sees_all, partner_id = _partner_scope(user)
    return sees_all or partner_id is not None


def may_read_runs(user: User | None) -> bool:
    return is_back_office(user) and roles.has_role(user, *RUN_READERS)


def _visible(qs: QuerySet, user: User | None, field: str = "partner_id") -> QuerySet:
    sees_all, partner_id = _partner_scope(user)
    if sees_all:
        return qs
    if partner_id is not None:
        return qs.filter(**{field: partner_id})
    return qs.none()


# PAFs, penalties, reversal requests: the back office sees all, a partner its own.


def paf_list(*, user: User | None) -> QuerySet[PartnerAtFault]:
    return (
        _visible(PartnerAtFault.objects.all(), user)
        .select_related("partner", "booking", "penalty", "marked_by", "reviewer")
        .order_by("-id")
    )


def penalty_list(*, user: User | None) -> QuerySet[Penalty]:
    return (
        _visible(Penalty.objects.all(), user)
        .select_related("partner", "booking", "paf")
        .order_by("-id")
    )


def reversal_request_list(*, user: User | None) -> QuerySet[ReversalRequest]:
    return (
        _visible(ReversalRequest.objects.all(), user)
        .select_related("partner", "booking", "paf", "requested_by", "decided_by")
        .order_by("-id")
    )


def refund_list(*, user: User | None) -> QuerySet[Refund]:
    """Refunds are customer money: back office only."""
    qs = Refund.objects.all() if is_back_office(user) else Refund.objects.none()
    return qs.select_related("customer", "booking", "requested_by", "approved_by").order_by("-id")


# Payout runs: finance and supervisors.


def runs_with_totals(qs: QuerySet[PayoutRun]) -> QuerySet[PayoutRun]:
    """Each run with its number of lines and total net (one subquery each, by run index)."""
    lines = PayoutLine.objects.filter(run=OuterRef("pk")).order_by().values("run")
    return qs.annotate(
        line_count=Subquery(lines.annotate(n=Count("id")).values("n")),
        net_total=Subquery(lines.annotate(total=Sum("net")).values("total")),
    )


def run_list(*, user: User | None) -> QuerySet[PayoutRun]:
    qs = PayoutRun.objects.all() if may_read_runs(user) else PayoutRun.objects.none()
    return runs_with_totals(
        qs.select_related("region", "created_by", "computed_by", "approved_by")
    ).order_by("-id")


def run_lines(*, run: PayoutRun) -> QuerySet[PayoutLine]:
    return PayoutLine.objects.filter(run=run).select_related("partner").order_by("partner_id")


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


def may_read_ledger(user: User | None, partner_id: int) -> bool:
    sees_all, own = _partner_scope(user)
    return sees_all or own == partner_id


# Console queues.


def reversal_queue() -> QuerySet[ReversalRequest]:
    """Requests awaiting a decision, oldest first."""
    return (
        ReversalRequest.objects.filter(state__in=OPEN_REVERSAL_STATES)
        .select_related("partner", "booking", "paf", "requested_by")
        .order_by("requested_at", "id")
    )


def penalties_due_next_run() -> QuerySet[Penalty]:
    return (
        Penalty.objects.filter(state=PenaltyState.PENDING)
        .select_related("partner", "booking")
        .order_by("created_at", "id")
    )


def refunds_to_approve() -> QuerySet[Refund]:
    return (
        Refund.objects.filter(state=RefundState.REQUESTED)
        .select_related("customer", "booking", "requested_by")
        .order_by("requested_at", "id")
    )
