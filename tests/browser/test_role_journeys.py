"""One journey per role in a real browser, clicking only from the home page: an agent finds a
breached case and decides it with the SOP; partner support logs a reversal from a PAF page;
finance approves it and a payout run computed by someone else; a supervisor changes an SOP
number and opens the dashboard. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from payouts import services as payout_services
from payouts.models import PayoutRun, ReversalRequest
from policies.models import PolicyVersion
from tests.browser.test_case_journey import CHROMIUM, browser, log_in  # noqa: F401
from tests.factories import (
    CaseFactory,
    LedgerEntryFactory,
    PafFactory,
    PayoutRunFactory,
    UserFactory,
)
from tests.helpers import case_on, job, revisit_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_agent_finds_a_breached_case_from_home_and_decides_it(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
):
    agent = UserFactory(username="journey-agent-1", role="agent")
    original = job(status="completed", invoice_amount=Decimal("1000.00"))
    case = case_on("revisit_partner_fault", revisit_of(original))
    Case.objects.filter(pk=case.pk).update(
        assignee=agent, resolution_breached_at=timezone.now() - timedelta(minutes=5)
    )

    page = log_in(browser, live_server.url, agent.username)
    breached = page.locator('[data-tile="breached"]')
    expect(breached).to_contain_text("1")
    breached.click()
    page.get_by_role("link", name=case.subject).first.click()
    expect(page.locator("#case-header")).to_be_visible()
    guidance = page.locator("#sop-guidance")
    expect(guidance).to_contain_text("60%")  # the SOP's own words for this scenario

    guidance.locator('a[data-flow="revisit.scenario_4"]').click()
    page.locator('select[name="partner_failure"]').select_option("no_show")
    page.locator('button[name="_preview"]').click()
    page.locator('button[name="_apply"]').click()

    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("decided with the SOP")
    case.refresh_from_db()
    assert case.disposition_id is not None  # the decision tagged the case
    expect(page.locator("#case-tag")).to_contain_text(case.disposition.path)
    page.screenshot(path=str(artifacts / "agent-decided.png"), full_page=True)


def test_partner_support_logs_a_reversal_from_the_paf_page(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
):
    UserFactory(username="journey-ps", role="partner support")
    paf = PafFactory()

    page = log_in(browser, live_server.url, "journey-ps")
    page.get_by_role("link", name="PAF marks").click()
    page.locator(f'a[href*="/partneratfault/{paf.pk}/change/"]').first.click()
    page.locator('[data-action="log_reversal_request"]').click()
    page.get_by_label("Call recording").fill("REC-2026-001")
    page.get_by_label("Notes").fill("The customer confirmed the partner was on time.")
    page.get_by_role("button", name="Confirm: Log a PAF and penalty reversal request").click()

    expect(page.locator("ul.messagelist")).to_contain_text("Reversal requests logged: 1 done")
    assert ReversalRequest.objects.get().paf_id == paf.pk
    page.screenshot(path=str(artifacts / "partner-support-logged.png"), full_page=True)


def test_finance_approves_a_reversal_and_a_run_computed_by_someone_else(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
):
    logger = UserFactory(username="journey-ps-2", role="partner support")
    computer = UserFactory(username="journey-fin-a", role="finance")
    UserFactory(username="journey-fin-b", role="finance")
    request = payout_services.submit_reversal_request(
        kind="paf_penalty", actor=logger, paf=PafFactory(), notes="Wrong mark", evidence=[]
    )
    LedgerEntryFactory(amount=Decimal("250.00"))
    run = payout_services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=computer)

    page = log_in(browser, live_server.url, "journey-fin-b")
    page.locator('[data-tile="reversal-requests-awaiting-decision"]').click()
    page.locator(f'a[href*="/reversalrequest/{request.pk}/change/"]').first.click()
    page.locator('[data-action="approve"]').click()
    page.get_by_label("Reason").fill("The recording shows he arrived on time.")
    page.get_by_role("button", name="Confirm: Approve this reversal request").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Reversal requests approved: 1 done")

    page.goto(f"{live_server.url}/admin/")
    expect(page.locator('[data-tile="reversal-requests-awaiting-decision"]')).to_contain_text("0")
    page.locator("#runs-in-progress").get_by_role("link", name=run.title).click()
    page.locator("#run-approve").click()
    page.get_by_role("button", name="Yes, approve the run").click()
    expect(page.locator("ul.messagelist")).to_contain_text("approved")
    assert PayoutRun.objects.get(pk=run.pk).state == "approved"
    assert ReversalRequest.objects.get(pk=request.pk).state == "approved"
    page.screenshot(path=str(artifacts / "finance-approved-run.png"), full_page=True)


def test_a_supervisor_changes_an_sop_number_and_opens_the_dashboard(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
):
    UserFactory(username="journey-super", role="supervisor")
    for team in ("customer_care", "partner_support"):
        CaseFactory(team=team)

    page = log_in(browser, live_server.url, "journey-super")
    page.locator("#nav-sidebar").get_by_role("link", name="Policy versions").click()
    page.locator('a[href$="/policyversion/add/"]').first.click()
    page.locator("#id_version").fill("sop-2026.journey")
    page.locator("#id_change_note").fill("Festive season: longer warranty.")
    page.locator("#id_p_warranty_days").fill("45")
    page.locator('button[name="_save"], input[name="_save"]').first.click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    assert PolicyVersion.objects.get(version="sop-2026.journey").parameters["warranty_days"] == 45

    page.goto(f"{live_server.url}/admin/")
    page.locator("#panel-supervisor").get_by_role("link", name="Dashboard").click()
    expect(page.locator("#dashboard")).to_be_visible()
    drawn = page.wait_for_function(
        "() => { const c = [...document.querySelectorAll('canvas.chart')];"
        " return c.length === 7 && c.every(el => window.Chart && Chart.getChart(el)); }"
    )
    assert drawn
    page.screenshot(path=str(artifacts / "supervisor-dashboard.png"), full_page=True)
