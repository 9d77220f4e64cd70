"""An agent works a case end to end in a real browser; finance looks at it and cannot act."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from cases.models import Case
from tests.factories import BookingFactory, CaseFactory, UserFactory, tag_for

PASSWORD = "pw-12345678"  # what UserFactory sets
CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright's own browsers are not downloaded
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    # live_server flushes the tables afterwards; serialized rollback restores the seed data.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser(monkeypatch) -> Browser:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(browser: Browser, base_url: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#home")).to_be_visible()  # each role lands on its home page
    return page


def click_transition(page: Page, label: str) -> Locator:
    """Open the action's form on the case page; it asks what that action needs."""
    page.locator("#case-transitions summary").get_by_text(label, exact=True).click()
    form = page.get_by_role("form", name=label, exact=True)
    expect(form).to_be_visible()
    return form


def confirm(form: Locator, label: str, expected_status: str) -> None:
    page = form.page
    form.get_by_role("button", name=label, exact=True).click()
    expect(page.locator("#case-status")).to_have_text(expected_status)
    expect(page.locator("ul.messagelist")).to_contain_text(f"is now {expected_status}")


def offered(page: Page) -> list[str]:
    return page.locator("#case-transitions summary.transition-button").all_inner_texts()


def test_agent_opens_parks_unparks_and_resolves_a_case(
    live_server, reference_data, browser, artifacts
):
    agent = UserFactory(username="journey-agent", role="agent")
    case = CaseFactory(
        kind="status_check",
        subject="Technician has not arrived",
        booking=BookingFactory(external_id="BK-JOURNEY-1"),
    )
    tag = tag_for("status_check")
    case_url = f"{live_server.url}/admin/cases/case/{case.pk}/change/"

    page = log_in(browser, live_server.url, agent.username)
    page.goto(case_url)
    expect(page.locator("#case-status")).to_have_text("New")
    assert offered(page) == ["Open", "Park"]

    form = click_transition(page, "Open")
    form.get_by_label("Reason").fill("Picked up from the status-check queue")
    confirm(form, "Open", "Open")

    form = click_transition(page, "Park")
    until = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    form.get_by_label("Park until").fill(until.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Reason").fill("Partner confirms the slot tomorrow")
    confirm(form, "Park", "Parked")
    assert offered(page) == [
        "Mark pending",
        "Unpark",
        "Wait on customer",
        "Wait on third party",
        "Resolve",
    ]

    confirm(click_transition(page, "Unpark"), "Unpark", "Open")

    form = click_transition(page, "Resolve")
    form.get_by_label("Disposition (tag)").fill(tag.path)  # searched in the kind's tags
    form.get_by_label("Reason").fill("Told the customer the new ETA")
    form.get_by_role("checkbox", name=re.compile("I understand")).check()  # not simply undone
    confirm(form, "Resolve", "Resolved")

    trail = page.locator("#timeline")
    for change in ("New → Open", "Open → Parked", "Parked → Open", "Open → Resolved"):
        expect(trail).to_contain_text(change)
    expect(trail).to_contain_text("Told the customer the new ETA")
    expect(trail).to_contain_text(agent.username)
    expect(page.locator("#case-status")).to_have_text("Resolved")
    assert offered(page) == ["Close"]

    shot = artifacts / "agent-case-resolved.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.exists() and shot.stat().st_size > 0

    case = Case.objects.get(pk=case.pk)
    assert case.status == "resolved"
    assert case.disposition == tag


def test_finance_sees_the_case_without_transition_buttons(live_server, reference_data, browser):
    finance = UserFactory(username="journey-finance", role="finance")
    case = CaseFactory(subject="Refund not received")

    page = log_in(browser, live_server.url, finance.username)
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    expect(page.locator("#case-status")).to_have_text("New")
    expect(page.get_by_text("Refund not received", exact=True)).to_be_visible()
    expect(page.locator("#case-transitions")).to_have_count(0)
    expect(page.locator(".transition-button")).to_have_count(0)
    expect(page.locator("#case-note")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
