"""The supervisors' and finance's dashboard: aggregates over indexed columns, each over a
bounded window (open work, the last weeks), cached briefly so a room of people refreshing it
costs one computation a minute."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from cases.catalog import CaseKind, Team
from cases.models import OPEN_STATES, Case, CaseStatus
from conversations.models import Survey
from payouts.models import (
    PartnerAtFault,
    PayoutLine,
    PayoutRun,
    Penalty,
    Refund,
    RefundReason,
    RefundState,
    ReversalRequest,
    ReversalState,
)

CACHE_SECONDS = 60
DAYS = 14
WEEKS = 8
PALETTE = ["#7c3aed", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#6366f1", "#84cc16", "#ec4899"]


def _options(*, stacked: bool, whole_numbers: bool, legend: bool, y_max: int | None) -> dict:
    """Complete Chart.js options: the theme uses ours instead of its defaults (it does not
    merge them), and its defaults draw grouped bars on top of each other, 4 px wide."""
    y: dict[str, Any] = {"stacked": stacked, "beginAtZero": True}
    if whole_numbers:
        y["ticks"] = {"precision": 0}  # counts: no 0.5 steps that make a 1 look like half
    if y_max is not None:
        y["max"] = y_max
    return {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": False,
        "datasets": {"bar": {"borderRadius": 4, "maxBarThickness": 32}},
        "plugins": {
            "legend": {"display": legend, "position": "bottom"},
            "tooltip": {"enabled": True},
        },
        "scales": {"x": {"stacked": stacked, "grid": {"display": False}}, "y": y},
    }


def _chart(
    labels: list[str],
    datasets: list[tuple[str, list]],
    *,
    stacked: bool = False,
    whole_numbers: bool = True,
    y_max: int | None = None,
) -> dict:
    data = {
        "labels": labels,
        "datasets": [
            {
                "label": label,
                "data": [float(v) if isinstance(v, Decimal) else v for v in values],
                "backgroundColor": PALETTE[i % len(PALETTE)],
                "borderColor": PALETTE[i % len(PALETTE)],
            }
            for i, (label, values) in enumerate(datasets)
        ],
    }
    options = _options(
        stacked=stacked, whole_numbers=whole_numbers, legend=len(datasets) > 1, y_max=y_max
    )
    return {"data": json.dumps(data), "options": json.dumps(options)}


def backlog_by_status_and_team() -> dict:
    rows = (
        Case.objects.filter(status__in=OPEN_STATES)
        .values_list("team", "status")
        .annotate(n=Count("id"))
        .values_list("team", "status", "n")
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for team, status, n in rows:
        counts[status][team] = n
    teams = [t for t in Team.values if any(t in by_team for by_team in counts.values())]
    datasets = [
        (CaseStatus(status).label, [counts[status].get(team, 0) for team in teams])
        for status in OPEN_STATES
        if status in counts
    ]
    return _chart([Team(t).label for t in teams], datasets, stacked=True)


def sla_compliance_by_day(now: datetime) -> dict:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start -= timedelta(days=DAYS - 1)
    rows = (
        Case.objects.filter(resolved_at__gte=start, resolved_at__lte=now)
        .annotate(day=TruncDate("resolved_at"))
        .values_list("day", "team")
        .annotate(n=Count("id"), met=Count("id", filter=Q(resolution_breached_at__isnull=True)))
        .values_list("day", "team", "n", "met")
    )
    days = [(start + timedelta(days=i)).date() for i in range(DAYS)]
    by_team: dict[str, dict] = defaultdict(dict)
    for day, team, n, met in rows:
        by_team[team][day] = round(100 * met / n) if n else None
    datasets = [
        (Team(team).label, [by_team[team].get(day) for day in days]) for team in sorted(by_team)
    ]
    return _chart([f"{d:%d %b}" for d in days], datasets, y_max=100)


def cases_by_kind(now: datetime) -> dict:
    rows = (
        Case.objects.filter(created_at__gte=now - timedelta(days=30))
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("kind", "n")[:12]
    )
    rows = list(rows)
    return _chart(
        [CaseKind(k).label for k, _ in rows], [("Cases, last 30 days", [n for _, n in rows])]
    )


def paf_and_penalties_by_city_and_week(now: datetime) -> dict:
    since = now - timedelta(weeks=WEEKS)
    pafs = (
        PartnerAtFault.objects.filter(marked_at__gte=since)
        .annotate(week=TruncWeek("marked_at"))
        .values_list("week", "booking__city__name")
        .annotate(n=Count("id"))
        .values_list("week", "booking__city__name", "n")
    )
    weeks = sorted({week.date() for week, _, _ in pafs})
    cities: dict[str, dict] = defaultdict(dict)
    for week, city, n in pafs:
        cities[city][week.date()] = n
    datasets = [
        (f"PAFs: {city}", [cities[city].get(w, 0) for w in weeks]) for city in sorted(cities)
    ]
    return _chart([f"week of {w:%d %b}" for w in weeks], datasets, stacked=True)


def penalty_totals_by_city(now: datetime) -> list[tuple[str, str, int]]:
    rows = (
        Penalty.objects.filter(created_at__gte=now - timedelta(weeks=WEEKS))
        .values_list("booking__city__name", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("booking__city__name")
        .values_list("booking__city__name", "currency", "total", "n")
    )
    return [(city, f"{total:,.2f} {currency}", n) for city, currency, total, n in rows]


def reversal_approval_rate(now: datetime) -> dict:
    row = ReversalRequest.objects.filter(decided_at__gte=now - timedelta(days=30)).aggregate(
        approved=Count("id", filter=Q(state=ReversalState.APPROVED)),
        rejected=Count("id", filter=Q(state=ReversalState.REJECTED)),
    )
    chart = _chart(
        ["Approved", "Rejected"], [("Decided, last 30 days", [row["approved"], row["rejected"]])]
    )
    decided = row["approved"] + row["rejected"]
    chart["rate"] = f"{round(100 * row['approved'] / decided)}%" if decided else "–"
    return chart


def refund_totals_by_reason(now: datetime) -> dict:
    rows = list(
        Refund.objects.filter(requested_at__gte=now - timedelta(days=30))
        .exclude(state=RefundState.REJECTED)
        .values_list("reason", "currency")
        .annotate(total=Sum("amount"))
        .order_by("reason", "currency")
        .values_list("reason", "currency", "total")
    )
    reasons = sorted({reason for reason, _, _ in rows})
    currencies = sorted({currency for _, currency, _ in rows})
    table = {(r, c): t for r, c, t in rows}
    datasets = [(c, [table.get((r, c), 0) for r in reasons]) for c in currencies]
    return _chart([RefundReason(r).label for r in reasons], datasets, whole_numbers=False)


def payout_totals_by_run() -> dict:
    runs = list(PayoutRun.objects.select_related("region").order_by("-period_end", "-id")[:10])
    totals = dict(
        PayoutLine.objects.filter(run__in=runs)
        .values_list("run_id")
        .annotate(total=Sum("net"))
        .values_list("run_id", "total")
    )
    runs.reverse()
    return _chart(
        [run.title for run in runs],
        [("Net payout", [totals.get(run.pk, 0) for run in runs])],
        whole_numbers=False,
    )


CSAT_DAYS = 30
CSAT_GROUPS = {
    "team": ("team", lambda value: Team(value).label if value in Team.values else value),
    "agent": ("agent__username", lambda value: value or "(nobody assigned)"),
    "kind": (
        "case__kind",
        lambda value: CaseKind(value).label if value in CaseKind.values else value,
    ),
    "region": ("case__city__region__name", lambda value: value),
}


def csat_by(now: datetime) -> dict[str, list[tuple[str, str, int]]]:
    """The customers' ratings of the last CSAT_DAYS days (by the rated_at index): average and
    count per team, agent, case kind and region, best first."""
    rated = Survey.objects.filter(
        rated_at__gte=now - timedelta(days=CSAT_DAYS), rating__isnull=False
    )
    out: dict[str, list[tuple[str, str, int]]] = {}
    for name, (column, label) in CSAT_GROUPS.items():
        rows = (
            rated.values_list(column)
            .annotate(average=Avg("rating"), n=Count("id"))
            .order_by("-average", column)
            .values_list(column, "average", "n")
        )
        out[name] = [(label(value), f"{average:.1f}", n) for value, average, n in rows]
    total = rated.aggregate(average=Avg("rating"), n=Count("id"))
    out["all"] = [("All", f"{total['average']:.1f}" if total["n"] else "–", total["n"])]
    return out


def dashboard(now: datetime | None = None) -> dict[str, Any]:
    """Every chart of the dashboard, cached for CACHE_SECONDS."""
    cached = cache.get("console:dashboard")
    if cached is not None:
        return cached
    now = now or timezone.now()
    data = {
        "backlog": backlog_by_status_and_team(),
        "sla": sla_compliance_by_day(now),
        "kinds": cases_by_kind(now),
        "pafs": paf_and_penalties_by_city_and_week(now),
        "penalties": penalty_totals_by_city(now),
        "reversals": reversal_approval_rate(now),
        "refunds": refund_totals_by_reason(now),
        "payouts": payout_totals_by_run(),
        "csat": csat_by(now),
        "computed_at": now,
    }
    cache.set("console:dashboard", data, CACHE_SECONDS)
    return data
