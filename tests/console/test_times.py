"""Times in the console: a page about one case (or a list of one case's rows) reads in the
case's region zone, everything else in the user's own zone, and the zone is written beside
every time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Task
from console.models import TimeZonePreference
from partners.models import City
from policies.actions import ActionKind
from policies.models import PolicyStatus, PolicyVersion
from tests.factories import CaseFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

# 13:18 UTC: 15:18 in Cairo (EET, UTC+2 in December), 18:48 in Kolkata (IST, UTC+5:30).
DUE = datetime(2026, 12, 14, 13, 18, tzinfo=UTC)


@pytest.fixture
def cairo_task():
    case = CaseFactory(city=City.objects.get(name="Cairo"))
    return Task.objects.create(
        case=case,
        kind=ActionKind.CALL_CUSTOMER,
        title="Call the customer back",
        owner_team="customer_care",
        due_at=DUE,
    )


def test_a_cairo_case_page_writes_its_times_in_cairo_with_the_zone(agent_console, cairo_task):
    html = agent_console.get(
        reverse("admin:cases_case_change", args=[cairo_task.case_id])
    ).content.decode()
    assert "14 Dec 2026, 15:18 EET" in html
    assert "18:48" not in html and "6:48 p.m." not in html


def test_the_task_list_of_that_case_agrees_with_the_case_page(agent_console, cairo_task):
    html = agent_console.get(
        reverse("admin:cases_task_changelist") + f"?case={cairo_task.case_id}"
    ).content.decode()
    assert "14 Dec 2026, 15:18 EET" in html


def test_the_whole_task_list_reads_in_the_users_zone_with_the_zone_written(
    agent_console, cairo_task
):
    html = agent_console.get(reverse("admin:cases_task_changelist")).content.decode()
    assert "14 Dec 2026, 18:48 IST" in html  # the console's default zone: Asia/Kolkata
    assert "p.m." not in html


def test_a_task_page_reads_in_its_cases_zone(agent_console, cairo_task):
    html = agent_console.get(
        reverse("admin:cases_task_change", args=[cairo_task.pk])
    ).content.decode()
    assert "15:18" in html and "EET" in html


def test_a_user_who_chose_cairo_reads_the_whole_list_in_cairo(agent, cairo_task):
    console = logged_in(agent)
    page = reverse("console-time-zone")
    assert console.get(page).status_code == 200
    response = console.post(page, {"time_zone": "Africa/Cairo"}, follow=True)
    assert response.status_code == 200
    assert TimeZonePreference.objects.get(user=agent).time_zone == "Africa/Cairo"
    html = console.get(reverse("admin:cases_task_changelist")).content.decode()
    assert "14 Dec 2026, 15:18 EET" in html
    # and the next sign-in starts in the chosen zone
    again = logged_in(agent)
    assert "15:18 EET" in again.get(reverse("admin:cases_task_changelist")).content.decode()


def test_a_zone_not_offered_is_refused_with_the_reason(agent_console, agent):
    response = agent_console.post(reverse("console-time-zone"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]
    assert not TimeZonePreference.objects.filter(user=agent).exists()


def test_a_policy_drafts_title_and_its_messages_give_the_same_day(supervisor):
    # 20:00 UTC on 14 Dec is already 15 Dec in Kolkata: every place must say the 15th.
    moment = datetime(2026, 12, 14, 20, 0, tzinfo=UTC)
    row = PolicyVersion.objects.create(
        version="sop-2026.9",
        effective_from=moment,
        status=PolicyStatus.DRAFT,
        parameters={},
        change_note="Test",
    )
    with timezone.override("Asia/Kolkata"):
        assert "15 Dec 2026, 01:30 IST" in str(row)
    html = (
        logged_in(supervisor)
        .get(reverse("admin:policies_policyversion_change", args=[row.pk]))
        .content.decode()
    )
    assert "14 Dec 2026" not in html
    assert "15 Dec 2026, 01:30 IST" in html


def test_the_user_menu_names_the_zone(agent_console):
    html = agent_console.get(reverse("admin:index")).content.decode()
    assert "Time zone: Asia/Kolkata" in html
    assert reverse("console-time-zone") in html


def test_times_across_days_keep_their_zone(agent_console):
    # a moment just after midnight in Cairo is still the day before in UTC
    case = CaseFactory(city=City.objects.get(name="Cairo"))
    Task.objects.create(
        case=case,
        kind=ActionKind.CALL_CUSTOMER,
        title="Late call",
        owner_team="customer_care",
        due_at=datetime(2026, 12, 14, 22, 30, tzinfo=UTC) + timedelta(0),
    )
    html = agent_console.get(
        reverse("admin:cases_task_changelist") + f"?case={case.pk}"
    ).content.decode()
    assert "15 Dec 2026, 00:30 EET" in html
