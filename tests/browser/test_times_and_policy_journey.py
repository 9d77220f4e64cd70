"""In a real browser: a supervisor opens the active policy from the menu and reads its current
numbers in words; an agent sees one Cairo case's task due at the same time, with its zone, on
the case page, in the case's task list and on the task's own page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Task
from partners.models import City
from policies.actions import ActionKind
from policies.models import PolicyStatus, PolicyVersion
from tests.browser.test_case_journey import CHROMIUM, browser, log_in  # noqa: F401
from tests.factories import CaseFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_supervisor_reads_the_active_policys_numbers(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
):
    UserFactory(username="journey-super-policy", role="supervisor")
    active = PolicyVersion.objects.get(status=PolicyStatus.ACTIVE)
    penalty = f"{int(float(active.parameters['revisit_penalty_rate']) * 100)}%"

    page = log_in(browser, live_server.url, "journey-super-policy")
    page.get_by_role("link", name="Policy versions").first.click()
    page.get_by_role("link", name=active.version).first.click()

    body = page.locator("#content")
    expect(body).to_contain_text("Revisit warranty (days after the job)")
    row = page.locator(".form-row", has_text="Revisit penalty (share of the original invoice)")
    expect(row.locator(".readonly")).to_have_text(penalty)
    warranty = page.locator(".form-row", has_text="Revisit warranty (days after the job)")
    expect(warranty.locator(".readonly")).to_have_text(str(active.parameters["warranty_days"]))
    text = body.inner_text()
    assert "warranty_days" not in text and "P warranty days" not in text
    assert ".txt" not in text
    page.screenshot(path=str(artifacts / "supervisor-active-policy.png"), full_page=True)


def test_every_time_of_a_cairo_case_agrees_on_its_page_and_in_the_task_list(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
):
    UserFactory(username="journey-agent-times", role="agent")
    case = CaseFactory(city=City.objects.get(name="Cairo"), subject="Cairo AC not cooling")
    task = Task.objects.create(
        case=case,
        kind=ActionKind.CALL_CUSTOMER,
        title="Call the Cairo customer",
        owner_team="customer_care",
        due_at=datetime(2026, 12, 14, 13, 18, tzinfo=UTC),  # 15:18 in Cairo
    )
    shown = "14 Dec 2026, 15:18 EET"

    page = log_in(browser, live_server.url, "journey-agent-times")
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    expect(page.locator("#content")).to_contain_text(shown)

    page.goto(f"{live_server.url}/admin/cases/task/?case={case.pk}")
    row = page.locator("tr", has_text=task.title)
    expect(row).to_contain_text(shown)

    row.get_by_role("link").first.click()
    expect(page.locator("#content")).to_contain_text("15:18")
    expect(page.locator("#content")).to_contain_text("EET")
    page.screenshot(path=str(artifacts / "agent-cairo-times.png"), full_page=True)
