"""load_demo: the role logins, the demo world and its payouts part, each added once."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from backtests.services import request_backtest, run_backtest
from cases.catalog import Team
from cases.models import TeamLead
from partners.models import (
    Partner,
)
from policies.models import PolicyVersion
from policies.parameters import DEFAULT_POLICY
from policies.services import draft_policy_version

from .conversation import ensure_demo_conversation
from .history import HISTORY_DAYS, HistoryBuilder, history_lines, history_loaded
from .money import MoneyDemoBuilder
from .money_summary import MoneySummary, money_demo_loaded
from .seed import (
    DEMO_PASSWORD,
    MARKER_EXTERNAL_ID,
    ROLE_USERS,
    SEED,
)
from .summary import DemoSummary
from .world import WorldBuilder


def ensure_role_users() -> tuple[dict[str, User], int]:
    """The five demo logins; existing ones are left exactly as they are."""
    users: dict[str, User] = {}
    created = 0
    for username, group_name in ROLE_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@casework.example",
                is_staff=True,
                is_superuser=group_name is None,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name is not None:
                user.groups.add(Group.objects.get(name=group_name))
            created += 1
        users[username] = user
    return users, created


# Who leads each team in the demo: escalations are assigned and notified to them.
TEAM_LEADS = {
    Team.CUSTOMER_CARE: "supervisor",
    Team.PARTNER_SUPPORT: "partnersup",
    Team.ENGINEERING_OPS: "supervisor",
    Team.FINANCE: "finance",
    Team.ESCALATIONS: "supervisor",
    Team.TRAINING: "supervisor",
    Team.SAFETY: "supervisor",
    Team.FRAUD_REVIEW: "finance",
    Team.OPERATIONS: "supervisor",
    Team.TECH_SUPPORT: "supervisor",
}


def ensure_team_leads(users: dict[str, User]) -> int:
    """Give every team without a lead its demo lead; leads already set stay."""
    done = 0
    for team, username in TEAM_LEADS.items():
        done += TeamLead.objects.filter(team=team, lead__isnull=True).update(lead=users[username])
    return done


DEMO_ENDPOINT_URL = "https://booking-platform.example/hooks/casework"


def ensure_demo_endpoint(users: dict[str, User]) -> None:
    """One webhook endpoint, for the booking platform, disabled (its host does not exist):
    it shows the endpoint pages; `make run WEBHOOK_LISTEN=1` adds a live local one."""
    from events.models import WebhookEndpoint
    from events.services import new_secret

    WebhookEndpoint.objects.get_or_create(
        url=DEMO_ENDPOINT_URL,
        defaults={
            "description": "Booking platform (demo: disabled, the host does not exist)",
            "enabled": False,
            "disabled_reason": "Demo endpoint: switch it on with a real URL.",
            "secret": new_secret(),
            "created_by": users.get("admin"),
        },
    )


DEMO_DRAFT = "sop-2027.1"


def ensure_demo_backtest(users: dict[str, User]) -> None:
    """A draft waiting for activation, and finance's backtest of it over the history's last
    30 days, so the checker's page shows what the change would have done."""
    if PolicyVersion.objects.filter(version=DEMO_DRAFT).exists():
        return
    draft = draft_policy_version(
        actor=users["supervisor"],
        version=DEMO_DRAFT,
        parameters={
            **DEFAULT_POLICY.params.to_dict(),
            "revisit_penalty_rate": "0.50",
            "goodwill_threshold_cart_value": "600",
        },
        effective_from=timezone.now() + timedelta(days=14),
        change_note="Revisit penalty at half the original invoice; goodwill threshold 600.",
    )
    backtest, created = request_backtest(actor=users["finance"], version_id=draft.pk, queue=False)
    if created:
        run_backtest(backtest_id=backtest.pk)


def demo_loaded() -> bool:
    return Partner.objects.filter(external_id=MARKER_EXTERNAL_ID).exists()


def load_demo(*, seed: int = SEED, history_days: int = HISTORY_DAYS) -> DemoSummary:
    """Create the demo world once, its past (`history_days` days lived through the services,
    demo.history; 0 for none) once, and its payouts part once (each has its own marker, so a
    database holding the demo world from before a part existed gets that part added); a
    later call only reports what is there."""
    started = timezone.now()
    with transaction.atomic():
        users, users_created = ensure_role_users()
        ensure_team_leads(users)
        if demo_loaded():
            summary = DemoSummary(already_loaded=True)
        else:
            summary = WorldBuilder(seed=seed, users=users).build()
        summary.users_created = users_created
        if history_days and not history_loaded():
            history_started = timezone.now()
            counts = HistoryBuilder(seed=seed, users=users, days=history_days).build()
            seconds = (timezone.now() - history_started).total_seconds()
            summary.history = history_lines(counts, seconds, history_days)
        notes: list[str] = []
        if not money_demo_loaded():
            notes = MoneyDemoBuilder(seed=seed, users=users).build()
            summary.money_added = True
        summary.money = MoneySummary.read(notes=notes)
        ensure_demo_endpoint(users)
        ensure_demo_conversation(users)
        if history_days:
            ensure_demo_backtest(users)
    summary.seconds = (timezone.now() - started).total_seconds()
    return summary
