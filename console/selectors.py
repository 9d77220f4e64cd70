"""What each role's home page shows: tiles (a count that links to the filtered list that
shows exactly those rows) and, for finance, the runs in progress. Every count is a capped
index range scan or an aggregate over a small indexed set, so the page costs the same at a
million cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count as SqlCount
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from cases.admin.filters import PARKED_SOON
from cases.catalog import CaseKind, Team
from cases.models import OPEN_STATES, SLA_BREACHED, Case, CaseStatus, Task, TaskState
from cases.selectors import end_of_local_day
from core import roles
from core.counts import Count, capped_count
from core.roles import User
from partners.models import Region
from payouts.models import (
    OPEN_REVERSAL_STATES,
    PayoutRun,
    Refund,
    RefundState,
    ReversalRequest,
    ReversalState,
    RunState,
)
from payouts.selectors import deductible_penalties, held_penalties
from policies.actions import ActionKind
from policies.models import PolicyStatus, PolicyVersion

from .models import SavedView, TimeZonePreference

OOS_KINDS = (CaseKind.OUT_OF_SCOPE, CaseKind.OOS_OTP_OR_PAYMENT)


@dataclass(frozen=True)
class Tile:
    label: str
    count: Count | int | str
    url: str
    tone: str = ""  # "danger", "warn" or "" (neutral)
    hint: str = ""


@dataclass
class Panel:
    role: str
    title: str
    tiles: list[Tile] = field(default_factory=list)
    totals: list[tuple[str, str]] = field(default_factory=list)  # (label, "1,234.00 INR")
    runs: list[PayoutRun] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


def _url(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def _tone(count: Count, tone: str) -> str:
    return tone if count.value else ""


def _open_cases() -> QuerySet[Case]:
    return Case.objects.filter(status__in=OPEN_STATES)


def _breached(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.filter(SLA_BREACHED)


def agent_panel(user: User, now: datetime) -> Panel:
    cases = reverse("admin:cases_case_changelist")
    tasks = reverse("admin:cases_task_changelist")
    mine = _open_cases().filter(assignee_id=user.pk)
    open_mine = capped_count(mine)
    due_hour = capped_count(mine.filter(next_deadline_at__lte=now + timedelta(hours=1)))
    breached = capped_count(_breached(mine))
    parked = capped_count(
        Case.objects.filter(
            assignee_id=user.pk, status=CaseStatus.PARKED, parked_until__lte=now + PARKED_SOON
        )
    )
    calls = capped_count(
        Task.objects.filter(
            state=TaskState.OPEN, kind=ActionKind.CALL_CUSTOMER, due_at__lte=end_of_local_day(now)
        )
    )
    my_tasks = capped_count(Task.objects.filter(state=TaskState.OPEN, owner_id=user.pk))
    return Panel(
        roles.AGENT,
        "My work",
        [
            Tile("My open cases", open_mine, f"{cases}?assignee=me"),
            Tile(
                "Due in the next hour",
                due_hour,
                f"{cases}?assignee=me&sla=next_hour",
                _tone(due_hour, "warn"),
            ),
            Tile(
                "Breached", breached, f"{cases}?assignee=me&sla=breached", _tone(breached, "danger")
            ),
            Tile(
                "Parked, back within 2 hours",
                parked,
                f"{cases}?assignee=me&work=parked_soon",
            ),
            Tile(
                "Follow-up calls due today",
                calls,
                f"{tasks}?due=today&kind={ActionKind.CALL_CUSTOMER}",
                _tone(calls, "warn"),
            ),
            Tile("My tasks", my_tasks, f"{tasks}?due=mine"),
        ],
    )


def partner_support_panel(user: User, now: datetime) -> Panel:
    reversals = reverse("admin:payouts_reversalrequest_changelist")
    cases = reverse("admin:cases_case_changelist")
    by_state = dict(
        ReversalRequest.objects.filter(requested_by_id=user.pk)
        .values_list("state")
        .annotate(n=SqlCount("id"))
        .values_list("state", "n")
    )
    tiles = [
        Tile(
            f"My reversal requests: {label.lower()}",
            by_state.get(state, 0),
            f"{reversals}?queue=mine&state__exact={state}",
        )
        for state, label in ReversalState.choices
    ]
    oos = capped_count(_open_cases().filter(kind__in=OOS_KINDS))
    escalations = capped_count(_open_cases().filter(team=Team.PARTNER_SUPPORT))
    tiles += [
        Tile(
            "OOS tickets awaiting validation",
            oos,
            f"{cases}?kind__in={','.join(OOS_KINDS)}",
            _tone(oos, "warn"),
        ),
        Tile(
            "Partner escalations (open)", escalations, f"{cases}?team__exact={Team.PARTNER_SUPPORT}"
        ),
    ]
    return Panel(roles.PARTNER_SUPPORT, "Partner support", tiles)


def _totals(qs: QuerySet, label: str) -> list[tuple[str, str]]:
    rows = qs.values_list("currency").annotate(total=Sum("amount"), n=SqlCount("id"))
    return [
        (f"{label} ({n})", f"{total or Decimal(0):,.2f} {currency}")
        for currency, total, n in rows.values_list("currency", "total", "n").order_by("currency")
    ]


def finance_panel(user: User, now: datetime) -> Panel:
    awaiting = capped_count(ReversalRequest.objects.filter(state__in=OPEN_REVERSAL_STATES))
    # The money rule: a run deducts only penalties whose PAF is genuine; the rest are held.
    pending = deductible_penalties()
    held = capped_count(held_penalties())
    to_approve = Refund.objects.filter(state=RefundState.REQUESTED)
    penalties = capped_count(pending)
    refunds = capped_count(to_approve)
    runs = list(
        PayoutRun.objects.filter(state__in=[RunState.DRAFT, RunState.COMPUTING, RunState.COMPUTED])
        .select_related("region")
        .order_by("-period_end", "-id")[:10]
    )
    return Panel(
        roles.FINANCE,
        "Finance",
        [
            Tile(
                "Reversal requests awaiting decision",
                awaiting,
                _url("admin:payouts_reversalrequest_changelist", "queue=awaiting"),
                _tone(awaiting, "warn"),
            ),
            Tile(
                "Penalties due in the next run",
                penalties,
                _url("admin:payouts_penalty_changelist", "queue=next_run"),
            ),
            Tile(
                "Penalties held: PAF awaiting review",
                held,
                _url("admin:payouts_penalty_changelist", "queue=held"),
            ),
            Tile(
                "Refunds to approve",
                refunds,
                _url("admin:payouts_refund_changelist", "queue=to_approve"),
                _tone(refunds, "warn"),
            ),
        ],
        totals=_totals(pending, "Penalties due") + _totals(to_approve, "Refunds to approve"),
        runs=runs,
        links=[("Payout runs", _url("admin:payouts_payoutrun_changelist"))],
    )


def sla_compliance_today(now: datetime, team: str | None = None) -> tuple[int, int]:
    """(cases resolved today, of which within their SLA): the partial index on resolved_at."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    qs = Case.objects.filter(resolved_at__gte=start, resolved_at__lte=now)
    if team:
        qs = qs.filter(team=team)
    row = qs.aggregate(
        resolved=SqlCount("id"),
        met=SqlCount("id", filter=Q(resolution_breached_at__isnull=True)),
    )
    return row["resolved"], row["met"]


def supervisor_panel(user: User, now: datetime) -> Panel:
    cases = reverse("admin:cases_case_changelist")
    tiles = []
    for team in (Team.CUSTOMER_CARE, Team.PARTNER_SUPPORT, Team.FINANCE, Team.OPERATIONS):
        backlog = capped_count(_open_cases().filter(team=team))
        tiles.append(Tile(f"Backlog: {team.label}", backlog, f"{cases}?team__exact={team}"))
    resolved, met = sla_compliance_today(now)
    compliance = f"{round(100 * met / resolved)}%" if resolved else "–"
    escalations = capped_count(_open_cases().filter(team=Team.ESCALATIONS))
    drafts = PolicyVersion.objects.filter(status=PolicyStatus.DRAFT).count()
    breached = capped_count(_breached(_open_cases()))
    tiles += [
        Tile(
            "SLA met today",
            compliance,
            f"{cases}?work=done",
            "danger" if resolved and met / resolved < 0.9 else "",
            f"{met} of {resolved} resolved today",
        ),
        Tile("Breached (open)", breached, f"{cases}?sla=breached", _tone(breached, "danger")),
        Tile("Escalations", escalations, f"{cases}?team__exact={Team.ESCALATIONS}"),
        Tile(
            "Policy versions awaiting activation",
            drafts,
            _url("admin:policies_policyversion_changelist", "status__exact=draft"),
            _tone(Count(drafts, False), "warn"),
        ),
    ]
    return Panel(
        roles.SUPERVISOR,
        "Supervision",
        tiles,
        links=[("Dashboard", reverse("console-dashboard"))],
    )


BUILDERS = {
    roles.AGENT: agent_panel,
    roles.PARTNER_SUPPORT: partner_support_panel,
    roles.FINANCE: finance_panel,
    roles.SUPERVISOR: supervisor_panel,
}


def home_panels(user: User, now: datetime | None = None) -> list[Panel]:
    """The panels of the roles the user holds, in the order of the day's work (a superuser
    sees every role's)."""
    now = now or timezone.now()
    held = roles.ALL_ROLES if getattr(user, "is_superuser", False) else roles.role_names(user)
    return [build(user, now) for role, build in BUILDERS.items() if role in held]


def saved_views(user: User) -> list:
    """The user's saved views, by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(SavedView.objects.filter(owner_id=user.pk).order_by("name")[:50])


# --- the user's time zone ----------------------------------------------------------------------


def time_zone_choices() -> list[tuple[str, str]]:
    """The zones a user may read times in: the regions' zones, the server's, and UTC."""
    names: dict[str, str] = {}
    for name, zone in Region.objects.order_by("name").values_list("name", "timezone"):
        names.setdefault(zone, f"{zone} ({name})")
    names.setdefault(settings.TIME_ZONE, f"{settings.TIME_ZONE} (the console's default)")
    names.setdefault("UTC", "UTC")
    return list(names.items())


def time_zone_of(user: User) -> str:
    """The zone the user chose, else settings.TIME_ZONE (teams have no region to go by)."""
    if user is None or not user.is_authenticated:
        return settings.TIME_ZONE
    chosen = (
        TimeZonePreference.objects.filter(user_id=user.pk)
        .values_list("time_zone", flat=True)
        .first()
    )
    return chosen or settings.TIME_ZONE
