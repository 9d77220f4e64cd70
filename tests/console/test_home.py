"""Each role's home page: its own tiles, each count opening the list of exactly those rows,
finance's totals and runs, the supervisor's compliance and dashboard; menus per role."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Task
from payouts.models import PayoutRun, Penalty, period_in_words
from policies.actions import ActionKind
from tests.factories import (
    CaseFactory,
    PafFactory,
    PayoutRunFactory,
    RefundFactory,
    UserFactory,
)
from tests.helpers import case_in, logged_in, set_state

pytestmark = pytest.mark.django_db
HOME = reverse("admin:index")


def tiles(response) -> dict[str, tuple[str, str]]:
    """label -> (count as shown, url) of every tile on the page."""
    return {
        tile.label: (str(tile.count), tile.url)
        for panel in response.context["panels"]
        for tile in panel.tiles
    }


def rows_behind(console, url: str) -> int:
    response = console.get(url)
    assert response.status_code == 200, url
    return len(response.context["cl"].result_list)


def task(case, *, owner=None, kind=ActionKind.CALL_CUSTOMER, due_in=timedelta(hours=1)):
    return Task.objects.create(
        case=case,
        kind=kind,
        title="Call the customer back",
        owner_team="customer_care",
        owner=owner,
        due_at=timezone.now() + due_in,
    )


def test_an_agent_lands_on_their_work_and_every_count_opens_those_rows(agent, agent_console):
    # Pinned to the middle of the local day, so that "due in an hour" is still "today"
    # whatever the hour the suite runs at.
    local_noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    traveller = time_machine.travel(local_noon, tick=True)
    traveller.start()
    try:
        _agent_home_counts(agent, agent_console)
    finally:
        traveller.stop()


def _agent_home_counts(agent, agent_console):
    now = timezone.now()
    CaseFactory(assignee=agent, next_deadline_at=now + timedelta(minutes=30))
    CaseFactory(assignee=agent, next_deadline_at=now + timedelta(hours=5))
    CaseFactory(assignee=agent, resolution_breached_at=now - timedelta(minutes=1))
    case_in("parked", assignee=agent)  # back in 3 hours: not "soon"
    soon = case_in("parked", assignee=agent)
    type(soon).objects.filter(pk=soon.pk).update(parked_until=now + timedelta(minutes=90))
    case_in("resolved", assignee=agent)  # not open work
    CaseFactory()  # someone else's
    mine = CaseFactory(assignee=agent)
    task(mine, owner=agent)
    task(mine, due_in=timedelta(days=3))  # not today
    task(mine, kind=ActionKind.CALL_PARTNER, owner=agent)

    response = agent_console.get(HOME)

    assert response.status_code == 200
    shown = tiles(response)
    assert {label: count for label, (count, _) in shown.items()} == {
        "My open cases": "6",
        "Due in the next hour": "1",
        "Breached": "1",
        "Parked, back within 2 hours": "1",
        "Follow-up calls due today": "1",
        "My tasks": "2",
    }
    for label, (count, url) in shown.items():
        assert rows_behind(agent_console, url) == int(count), label


def test_partner_support_sees_its_reversals_oos_tickets_and_escalations(
    partner_support, partner_support_console
):
    from payouts.models import ReversalRequest

    paf = PafFactory()
    ReversalRequest.objects.create(
        paf=paf, partner=paf.partner, booking=paf.booking, requested_by=partner_support
    )
    CaseFactory(kind="out_of_scope")
    CaseFactory(kind="oos_otp_or_payment")
    case_in("resolved", kind="out_of_scope")
    CaseFactory(team="partner_support")

    shown = tiles(partner_support_console.get(HOME))

    assert shown["My reversal requests: submitted"][0] == "1"
    assert shown["My reversal requests: approved"][0] == "0"
    assert shown["OOS tickets awaiting validation"][0] == "2"
    for label in ("My reversal requests: submitted", "OOS tickets awaiting validation"):
        count, url = shown[label]
        assert rows_behind(partner_support_console, url) == int(count), label


def test_finance_sees_its_queues_totals_per_currency_and_truthful_runs(finance_console):
    for amount, paf_state in (("100.00", "genuine"), ("250.50", "genuine"), ("70.00", None)):
        paf = PafFactory()
        if paf_state:
            set_state(paf, paf_state)
        Penalty.objects.create(
            paf=paf,
            booking=paf.booking,
            partner=paf.partner,
            currency="INR",
            base_amount=Decimal("1000"),
            rate=Decimal("0.1"),
            amount=Decimal(amount),
        )
    RefundFactory(amount=Decimal("99.00"))
    run = PayoutRunFactory()
    set_state(run, "computing")  # a worker has not counted its partners yet

    response = finance_console.get(HOME)

    shown = tiles(response)
    assert shown["Penalties due in the next run"][0] == "2"
    # The third one's PAF awaits review: held, not due (the money rule).
    assert shown["Penalties held: PAF awaiting review"][0] == "1"
    assert shown["Refunds to approve"][0] == "1"
    panel = response.context["panels"][0]
    assert ("Penalties due (2)", "350.50 INR") in panel.totals
    assert ("Refunds to approve (1)", "99.00 INR") in panel.totals
    html = response.content.decode()
    assert "Queued for computing" in html
    assert "India payout" in html
    for label in (
        "Penalties due in the next run",
        "Penalties held: PAF awaiting review",
        "Refunds to approve",
    ):
        count, url = shown[label]
        assert rows_behind(finance_console, url) == int(count), label


def test_the_supervisor_sees_backlog_compliance_drafts_and_the_dashboard(supervisor_console):
    from policies.models import PolicyVersion

    CaseFactory(team="customer_care")
    met = case_in("resolved")
    late = case_in("resolved")
    type(late).objects.filter(pk=late.pk).update(resolution_breached_at=timezone.now())
    active = PolicyVersion.objects.get(status="active")
    PolicyVersion.objects.create(
        version="sop-draft-1",
        status="draft",
        effective_from=timezone.now() + timedelta(days=1),
        parameters=active.parameters,
    )

    response = supervisor_console.get(HOME)

    shown = tiles(response)
    assert shown["SLA met today"][0] == "50%"
    assert shown["Backlog: Customer care"][0] == "1"
    assert shown["Policy versions awaiting activation"][0] == "1"
    assert met.pk  # resolved today, within the SLA
    dashboard = supervisor_console.get(reverse("console-dashboard"))
    assert dashboard.status_code == 200
    assert dashboard.content.decode().count('<canvas class="chart"') == 7


@pytest.mark.parametrize("role", ["agent", "partner support"])
def test_the_dashboard_is_not_for_case_workers(role):
    console = logged_in(UserFactory(username=f"dash-{role[:3]}", role=role))
    assert console.get(reverse("console-dashboard")).status_code == 403


def test_a_login_without_a_role_gets_a_plain_explanation(roleless_console):
    response = roleless_console.get(HOME)
    assert response.status_code == 200
    assert "no back-office role" in response.content.decode()


def test_the_home_page_costs_the_same_with_more_rows(
    agent, agent_console, django_assert_max_num_queries
):
    agent_console.get(HOME)  # warm the session and the permission caches
    for _ in range(30):
        CaseFactory(assignee=agent)
    with django_assert_max_num_queries(14):
        agent_console.get(HOME)


MENU = {
    "agent": (
        {"Cases", "Tasks", "Refunds"},
        {"Payout runs", "Ledger entries", "Reversal requests"},
    ),
    "partner support": (
        {"Cases", "Reversal requests"},
        {"Refunds", "Payout runs", "Ledger entries"},
    ),
    "finance": ({"Payout runs", "Ledger entries", "Refunds", "Dashboard"}, {"Sign-in lockouts"}),
    "supervisor": ({"Policy versions", "Dashboard", "Sign-in lockouts"}, {"Ledger entries"}),
}


@pytest.mark.parametrize("role", MENU)
def test_the_menu_shows_only_what_the_role_may_use(role):
    console = logged_in(UserFactory(username=f"menu-{role[:3]}", role=role))
    response = console.get(HOME)
    titles = {
        item["title"] for group in response.context["sidebar_navigation"] for item in group["items"]
    }
    present, absent = MENU[role]
    assert present <= titles
    assert not (absent & titles)
    assert "Payout run entries" not in titles and "Case events" not in titles


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (date(2026, 12, 1), date(2026, 12, 31), "1-31 Dec 2026"),
        (date(2026, 11, 28), date(2026, 12, 4), "28 Nov-4 Dec 2026"),
        (date(2026, 12, 28), date(2027, 1, 3), "28 Dec 2026-3 Jan 2027"),
        (date(2026, 12, 4), date(2026, 12, 4), "4 Dec 2026"),
    ],
)
def test_a_run_is_titled_in_words(start, end, words):
    assert period_in_words(start, end) == words


@pytest.mark.parametrize(
    ("state", "done", "total", "message"),
    [
        ("draft", 0, 0, "Not computed yet"),
        ("computing", 0, 0, "Queued for computing"),
        ("computing", 3, 10, "Computing: 3 of 10 partners"),
        ("computed", 10, 10, "Computed, not approved"),  # partners paid: the lines' count
        ("approved", 10, 10, "Approved, bank file not exported"),
    ],
)
def test_a_run_says_truthfully_what_it_is_doing(state, done, total, message):
    run = PayoutRunFactory()
    set_state(run, state, progress_done=done, progress_total=total)
    run = PayoutRun.objects.select_related("region").get(pk=run.pk)
    assert run.state_message == message
    assert str(run).startswith("India payout ")
