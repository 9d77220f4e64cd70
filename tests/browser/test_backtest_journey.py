"""In a real browser: a supervisor backtests a draft from its page, watches it queued, reads
its result once it ran (the changed penalty and both reasons), and the activation page then
shows the backtest; finance opens the same result from the menu."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backtests import services
from backtests.models import Backtest
from flows import runner
from policies.models import PolicyStatus, PolicyVersion
from policies.parameters import DEFAULT_POLICY
from tests.browser.test_case_journey import CHROMIUM, browser, log_in  # noqa: F401
from tests.factories import UserFactory
from tests.helpers import case_on, job, revisit_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_supervisor_backtests_a_draft_before_another_activates_it(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
    monkeypatch,
):
    from backtests.tasks import run_backtest_task

    monkeypatch.setattr(run_backtest_task, "apply_async", lambda *a, **k: None)  # no worker
    agent = UserFactory(username="journey-bt-agent", role="agent")
    author = UserFactory(username="journey-bt-author", role="supervisor")
    UserFactory(username="journey-bt-checker", role="supervisor")
    UserFactory(username="journey-bt-finance", role="finance")
    original = job(status="completed", invoice_amount=Decimal("1000.00"))
    case = case_on("revisit_partner_fault", revisit_of(original))
    runner.decide_case(
        case_id=case.pk,
        flow="revisit.scenario_4",
        inputs={"partner_failure": "no_show"},
        actor=agent,
    )
    draft = PolicyVersion.objects.create(
        version="sop-journey.1",
        parameters={**DEFAULT_POLICY.params.to_dict(), "revisit_penalty_rate": "0.50"},
        effective_from=timezone.now() + timedelta(days=7),
        status=PolicyStatus.DRAFT,
        change_note="Penalty at half the invoice.",
        author=author,
    )

    page = log_in(browser, live_server.url, "journey-bt-author")
    page.goto(f"{live_server.url}/admin/policies/policyversion/{draft.pk}/change/")
    expect(page.locator("#latest-backtest")).to_contain_text("No backtest of this version yet")
    page.locator("#backtest-version").click()
    page.get_by_role("button", name="Run the backtest").click()
    expect(page.locator("#backtest-progress")).to_contain_text("Queued")
    expect(page.locator("#cancel-backtest")).to_be_visible()

    backtest = Backtest.objects.get()
    services.run_backtest(backtest_id=backtest.pk)  # what the worker does
    page.reload()
    expect(page.locator("#backtest-counts")).to_contain_text("Changed")
    expect(page.locator("#backtest-money")).to_contain_text("-100.00")  # 600.00 -> 500.00
    expect(page.locator("#backtest-sample")).to_contain_text("(policy sop-journey.1)")
    page.screenshot(path=str(artifacts / "backtest-result.png"), full_page=True)

    checker = log_in(browser, live_server.url, "journey-bt-checker")
    checker.goto(f"{live_server.url}/admin/policies/policyversion/{draft.pk}/activate/")
    expect(checker.locator("#latest-backtest")).to_contain_text("1 changed")

    finance = log_in(browser, live_server.url, "journey-bt-finance")
    finance.get_by_role("link", name="Policy backtests").first.click()
    finance.get_by_role("link", name=str(backtest.pk), exact=True).first.click()
    expect(finance.locator("#backtest-money")).to_contain_text("-100.00")
