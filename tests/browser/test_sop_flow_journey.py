"""An agent decides a revisit case with the SOP in a real browser: preview, apply, and the
PAF and the 60% penalty exist, with the decision on the case page."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from payouts.models import PartnerAtFault, Penalty
from tests.browser.test_case_journey import CHROMIUM, browser, log_in  # noqa: F401
from tests.factories import UserFactory
from tests.helpers import case_on, job, revisit_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_agent_applies_revisit_scenario_4_from_the_console(live_server, browser, reference_data):  # noqa: F811
    UserFactory(username="agent-flow", role="agent")
    original = job(status="completed", invoice_amount=Decimal("1000.00"))
    case = case_on("revisit_partner_fault", revisit_of(original))

    page = log_in(browser, live_server.url, "agent-flow")
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    page.locator("#sop-flows").click()
    page.locator('tr[data-flow="revisit.scenario_4"] a').click()

    page.locator('select[name="partner_failure"]').select_option("no_show")
    page.locator('button[name="_preview"]').click()
    expect(page.locator("#decision-preview")).to_contain_text("600.00")
    page.locator('button[name="_apply"]').click()

    expect(page.locator("#decision-history")).to_contain_text("sop-2026.1")
    paf = PartnerAtFault.objects.get(case=case)
    penalty = Penalty.objects.get(paf=paf)
    assert penalty.amount == Decimal("600.00")
    assert penalty.state == "pending"
