"""Issue 22 in a real browser: partner support logs a PAF and penalty reversal request for
each kind of PAF the revisit SOP allows (pending review, not genuine: from the PAF's page and
from the Add form with its PAF search) and reads the SOP's refusal for a genuine one before
any form; an agent decides with a flow and reads words, not codes, on styled pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Task
from payouts.models import PafState, ReversalRequest
from tests.browser.test_case_journey import CHROMIUM, browser, log_in  # noqa: F401
from tests.factories import PafFactory, UserFactory
from tests.helpers import case_on, job, revisit_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def styled(locator) -> bool:
    """A button drawn by the console's stylesheet: a coloured background, not the browser's
    plain grey or none at all."""
    colour = locator.evaluate("el => getComputedStyle(el).backgroundColor")
    return colour not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(239, 239, 239)")


def test_partner_support_logs_a_reversal_for_each_kind_the_sop_allows(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    UserFactory(username="journey-ps-kinds", role="partner support")
    pending, not_genuine, genuine = (
        PafFactory(),
        PafFactory(in_state=PafState.NOT_GENUINE),
        PafFactory(in_state=PafState.GENUINE),
    )
    page = log_in(browser, live_server.url, "journey-ps-kinds")

    # A genuine PAF: the SOP's refusal on its page, and no form to fill.
    page.goto(f"{live_server.url}/admin/payouts/partneratfault/{genuine.pk}/change/")
    notice = page.locator('[data-notice="reversal-refused"]')
    expect(notice).to_contain_text("tell the partner this cannot be reversed")
    expect(page.locator('[data-action="log_reversal_request"]')).to_have_count(0)
    page.screenshot(path=str(artifacts / "ps-genuine-refused.png"), full_page=True)

    # Pending review: from the PAF's page, on the styled confirmation form.
    page.goto(f"{live_server.url}/admin/payouts/partneratfault/{pending.pk}/change/")
    button = page.locator('[data-action="log_reversal_request"]')
    expect(button).to_have_text("Log a PAF and penalty reversal request")
    button.click()
    expect(page.locator('label[for="id_call_recording_ref"] .cw-required')).to_have_count(1)
    page.get_by_label("Call recording").fill("REC-PENDING-1")
    page.get_by_label("Notes").fill("The recording shows the partner called on time.")
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
    page.locator("#id_evidence_files").set_input_files(
        [{"name": "arrival.png", "mimeType": "image/png", "buffer": photo}]
    )
    confirm = page.get_by_role("button", name="Confirm: Log a PAF and penalty reversal request")
    assert styled(confirm)
    confirm.click()
    expect(page.locator("ul.messagelist")).to_contain_text("Reversal requests logged: 1 done")

    # Not genuine: from the Add form, finding the PAF by its own search.
    page.goto(f"{live_server.url}/admin/payouts/reversalrequest/add/")
    page.locator("#id_kind").select_option("paf_penalty")
    page.locator(".field-paf .select2-selection").click()
    page.locator(".select2-search__field").fill(not_genuine.booking.external_id)
    page.locator(".select2-results__option", has_text=not_genuine.booking.external_id).click()
    page.get_by_label("Call recording").fill("REC-NG-1")
    page.locator("#id_notes").fill("Not genuine: the customer cancelled.")
    page.locator('[name="_save"]').click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    page.screenshot(path=str(artifacts / "ps-logged-from-add.png"), full_page=True)

    logged = {r.paf_id: r for r in ReversalRequest.objects.all()}
    assert set(logged) == {pending.pk, not_genuine.pk}
    assert logged[not_genuine.pk].booking_id == not_genuine.booking_id
    assert logged[not_genuine.pk].partner_id == not_genuine.partner_id

    # The photo attached to the first request opens from its page, as the photo.
    page.goto(f"{live_server.url}/admin/payouts/reversalrequest/{logged[pending.pk].pk}/change/")
    link = page.get_by_role("link", name="arrival.png")
    opened = page.request.get(live_server.url + link.get_attribute("href"))
    assert (opened.status, opened.headers["content-type"], opened.body()) == (
        200,
        "image/png",
        photo,
    )


def test_an_agent_decides_with_a_flow_reading_words_on_styled_pages(
    live_server,
    browser,  # noqa: F811
    reference_data,
    artifacts,
):
    agent = UserFactory(username="journey-agent-words", role="agent")
    original = job(status="completed", invoice_amount=Decimal("1000.00"))
    case = case_on("revisit_partner_fault", revisit_of(original))
    page = log_in(browser, live_server.url, agent.username)

    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/sop/")
    expect(page.locator("#flow-list")).to_contain_text("Original invoice amount")
    page.locator('[data-flow="revisit.scenario_4"] a').click()
    page.locator('select[name="partner_failure"]').select_option(
        label="No show: the partner did not come"
    )
    preview = page.locator('button[name="_preview"]')
    assert styled(preview)
    preview.click()

    steps = page.locator("#decision-actions")
    expect(steps).to_contain_text("Mark the partner at fault (PAF)")
    expect(steps).to_contain_text("rate: 60%")
    preview_text = page.locator("#decision-preview").inner_text()
    for code in ("mark_paf", "create_penalty", "revisit_scenario_4", "no_show"):
        assert code not in preview_text
    page.screenshot(path=str(artifacts / "agent-flow-words.png"), full_page=True)
    page.locator('button[name="_apply"]').click()
    expect(page.locator("#timeline")).to_contain_text("decided with the SOP")

    # A task on the case reads in words, with its Done button.
    task = Task.objects.create(
        case=case,
        kind="call_customer",
        title="Call the customer back",
        owner_team="customer_care",
        params={"purpose": "confirm_address"},
        due_at=timezone.now() + timedelta(hours=2),
    )
    page.goto(f"{live_server.url}/admin/cases/task/{task.pk}/change/")
    expect(page.locator('[data-action="mark_done"]')).to_have_text("Done")
    body = page.locator("#content").inner_text()
    assert "Call the customer" in body and "why: confirm address" in body
    assert "call_customer" not in body and '"purpose"' not in body
