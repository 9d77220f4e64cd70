"""Conversations in a real browser: a customer's mail opens a case; the agent opens it,
answers with a template filled from the case, and resolves it; the customer follows the
survey link from the mail and rates it; the supervisor's dashboard shows the rating."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from conversations.models import Message, Survey
from conversations.seeds import ensure_seed_templates
from conversations.services import receive_mail
from tests.browser.test_case_journey import (  # noqa: F401
    CHROMIUM,
    browser,
    click_transition,
    confirm,
    log_in,
)
from tests.conversations.conftest import mail
from tests.factories import CustomerFactory, UserFactory, tag_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_emailed_case_answered_with_a_template_resolved_and_rated(
    live_server,
    reference_data,
    browser,  # noqa: F811
    settings,
    tmp_path,
    artifacts,
):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = live_server.url
    ensure_seed_templates()
    agent = UserFactory(username="mail-agent", role="agent", first_name="Ravi")
    UserFactory(username="mail-supervisor", role="supervisor")
    CustomerFactory(name="Asha Rao", email="asha@example.com")
    inbound = receive_mail(
        mail(sender="Asha Rao <asha@example.com>", subject="Is my booking confirmed?"),
        via="smtp",
    )
    case = inbound.result.case

    page = log_in(browser, live_server.url, agent.username)
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    conversation = page.locator("#messages")
    expect(conversation).to_contain_text("Is my booking confirmed?")
    expect(conversation).to_contain_text("Asha Rao")

    page.locator("#id_template_pick").select_option("general.acknowledge")
    page.locator("#template-fill").click()
    body = page.locator("#id_reply_body")
    expect(body).to_have_value(re.compile(r"^Dear Asha Rao,"))
    expect(body).to_have_value(re.compile(f"case #{case.pk}"))
    body.fill(body.input_value() + "\nYour booking is confirmed for tomorrow.")
    page.get_by_role("button", name="Send e-mail").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Queued to asha@example.com")
    expect(conversation).to_contain_text("Your booking is confirmed for tomorrow.")
    sent = Message.objects.get(direction="out")
    assert sent.template == "general.acknowledge" and sent.author == agent

    confirm(click_transition(page, "Open"), "Open", "Open")
    form = click_transition(page, "Resolve")
    form.get_by_label("Disposition (tag)").fill(tag_for(case.kind).path)
    form.get_by_label("Reason").fill("Confirmed by mail")
    form.get_by_role("checkbox", name=re.compile("I understand")).check()
    confirm(form, "Resolve", "Resolved")
    expect(page.locator("#timeline")).to_contain_text("sent the customer a satisfaction survey")
    page.screenshot(path=str(artifacts / "conversation-case.png"), full_page=True)

    survey = Survey.objects.get(case=case)
    link = re.findall(r"https?://\S+\?r=4", survey.outgoing.body)[0]
    customer = browser.new_context().new_page()
    customer.goto(link)
    expect(customer.locator('input[name="rating"][value="4"]')).to_be_checked()
    customer.locator("#csat-comment").fill("Quick answer.")
    customer.locator("#csat-send").click()
    expect(customer.locator("#csat-thanks")).to_contain_text("4 out of 5")
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Quick answer.")

    cache.clear()
    boss = log_in(browser, live_server.url, "mail-supervisor")
    boss.goto(f"{live_server.url}/admin/dashboard/")
    csat = boss.locator("#csat")
    expect(csat).to_contain_text("Average rating 4.0 of 5 from 1 rating")
    expect(boss.locator("#csat-by-agent")).to_contain_text("mail-agent")
    boss.screenshot(path=str(artifacts / "conversation-csat-dashboard.png"), full_page=True)
