"""Reply templates: every SOP step that tells someone something has one (walked over the
flows' decisions); placeholders filled from the case in the region's time, in one pass;
an unknown placeholder refused at save; a template's move and priority done through the
services; a task's "Send" sends it and closes the task; the API previews and sends."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import CaseStatus, Task, TaskState
from conversations.models import Message, ReplyTemplate
from conversations.seeds import seed_rows
from conversations.services import compose, send_with_template
from conversations.templating import fill
from core.errors import InvalidInput, TransitionConflict
from flows.coverage import sample_decisions
from flows.table import FLOWS
from tests.factories import (
    BookingFactory,
    CaseFactory,
    CustomerFactory,
    PartnerFactory,
    RefundFactory,
    TaskFactory,
    tag_for,
)
from tests.factories.partners import city
from tests.helpers import case_in, client_for, logged_in

pytestmark = pytest.mark.django_db

# Steps that tell the customer or the partner something, by the action kind that asks.
TELLING = {
    "call_customer",
    "call_partner",
    "ask_customer_to_cancel",
    "ask_partner_to_cancel",
    "request_images",
    "send_ob_form",
    "convert_order",
    "close_at_bpc",
}
DONE_BY_THE_SYSTEM = {"call_partner.mark_leave_for_slot"}  # marks the leave; nothing to say


def test_every_sop_step_that_tells_someone_has_an_english_template():
    seeded = {row["key"] for row in seed_rows() if row["language"] == "en"}
    needed = set()
    for flow in FLOWS.values():
        for kind in flow.kinds:
            for decision in sample_decisions(flow, kind):
                for action in decision.actions:
                    if action.kind.value in TELLING:
                        purpose = action.param("purpose")
                        needed.add(f"{action.kind.value}.{purpose}" if purpose else action.kind)
    assert len(needed) > 40
    assert needed - DONE_BY_THE_SYSTEM - seeded == set()
    assert ReplyTemplate.objects.filter(language="en").count() == len(seeded)  # migrate seeds


def test_the_seeds_are_in_english_hindi_and_arabic_and_all_valid():
    assert set(ReplyTemplate.objects.values_list("language", flat=True)) == {"en", "hi", "ar"}
    for template in ReplyTemplate.objects.all():
        template.full_clean()


def test_an_unknown_placeholder_is_refused_when_saved():
    template = ReplyTemplate(key="x", name="X", body="Hello {customer_nmae}, {policy.nope}")
    with pytest.raises(ValidationError) as err:
        template.full_clean()
    message = err.value.message_dict["body"][0]
    assert "{customer_nmae}" in message and "{policy.nope}" in message
    assert "{customer_name}" in message  # says what it may use
    bad_move = ReplyTemplate(key="y", name="Y", body="Hi", then_transition="resolve")
    with pytest.raises(ValidationError) as err:
        bad_move.full_clean()
    assert "then_tag" in err.value.message_dict


def test_the_console_form_shows_the_refusal(supervisor):
    client = logged_in(supervisor)
    response = client.post(
        reverse("admin:conversations_replytemplate_add"),
        {"key": "k", "language": "en", "name": "N", "audience": "customer", "body": "{oops}"},
    )
    assert response.status_code == 200 and "Unknown placeholder" in response.content.decode()
    assert not ReplyTemplate.objects.filter(key="k").exists()


@pytest.fixture
def egypt_case():
    cairo = city("Cairo")
    customer = CustomerFactory(name="Mona Adel", email="mona@example.com", city=cairo)
    booking = BookingFactory(
        customer=customer,
        partner=PartnerFactory(name="Karim Samy", city=cairo, email="karim@example.com"),
        external_id="BK-EG-1",
        booking_time=datetime(2026, 12, 9, 8, 30, tzinfo=ZoneInfo("UTC")),
        payment_mode="online",
    )
    case = CaseFactory(booking=booking, subject="Refund please")
    RefundFactory(booking=booking, case=case, amount=Decimal("1250.50"), currency="EGP")
    return case


def test_placeholders_are_filled_from_the_case_in_the_regions_time(egypt_case, agent):
    draft = compose(
        case_id=egypt_case.pk, actor=agent, key="call_customer.refund_within_tat", language="en"
    )
    assert draft.to == "customer" and draft.subject == "Your refund on booking BK-EG-1"
    assert "Dear Mona Adel" in draft.body and "EGP 1,250.50" in draft.body
    assert "within 7 days of the cancellation" in draft.body  # online: 7 (the policy)
    confirm = compose(case_id=egypt_case.pk, actor=agent, key="call_customer.confirm_spd")
    assert "9 Dec 2026, 10:30 EET" in confirm.body  # 08:30 UTC in Cairo
    assert confirm.language == "en"  # no Arabic of this one: English
    arabic = compose(case_id=egypt_case.pk, actor=agent, key="general.acknowledge")
    assert arabic.language == "ar" and "Mona Adel" in arabic.body  # Egypt's default


def test_filling_is_one_pass_so_a_value_is_never_read_as_a_placeholder():
    assert fill("Hi {customer_name}", {"customer_name": "{case_id}", "case_id": "7"}) == (
        "Hi {case_id}"
    )


def test_a_template_that_resolves_moves_the_case_through_the_transition_path(agent):
    case = case_in(CaseStatus.OPEN, customer=CustomerFactory(email="a@example.com"))
    ReplyTemplate.objects.create(
        key="general.done",
        name="Done",
        body="Fixed, {customer_name}.",
        then_transition="resolve",
        then_tag=tag_for(case.kind).path,
        then_priority="high",
    )
    message = send_with_template(case_id=case.pk, actor=agent, key="general.done")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.priority == "high"
    assert message.template == "general.done" and message.text.startswith("Fixed, ")
    moved = case.events.get(transition="resolve")
    assert moved.reason == "Template 'Done' sent." and moved.actor == agent


def test_a_failing_template_action_sends_nothing(agent):
    case = case_in(CaseStatus.OPEN, customer=CustomerFactory(email="b@example.com"))
    ReplyTemplate.objects.create(
        key="general.bad", name="Bad", body="x", then_transition="unpark"
    )  # not allowed from open
    with pytest.raises(TransitionConflict):
        send_with_template(case_id=case.pk, actor=agent, key="general.bad")
    assert not Message.objects.exists()


def _ob_task(case, agent):
    return TaskFactory(
        case=case, kind="call_customer", params={"purpose": "confirm_email"}, owner=agent
    )


def test_a_tasks_send_fills_sends_and_closes_the_task(agent):
    case = case_in(CaseStatus.OPEN, customer=CustomerFactory(email="c@example.com"))
    task = _ob_task(case, agent)
    client = logged_in(agent)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert f'data-task-send="{task.pk}"' in page
    client.post(
        reverse("case_messages:send", args=[case.pk]),
        {"template": "call_customer.confirm_email", "task": task.pk, "to": "customer"},
    )
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.outcome.startswith("Sent by e-mail: ")
    message = Message.objects.get()
    assert "within 24 hours" in message.text and message.template == "call_customer.confirm_email"
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert f'data-task-send="{task.pk}"' not in page  # done: nothing more to send


def test_edit_first_fills_the_reply_form(agent):
    case = case_in(CaseStatus.OPEN, customer=CustomerFactory(name="Asha", email="d@example.com"))
    task = _ob_task(case, agent)
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = logged_in(agent).get(url, {"template": "call_customer.confirm_email", "task": task.pk})
    html = page.content.decode()
    assert 'id="reply-draft-note"' in html and "Dear Asha" in html
    assert f'name="task" value="{task.pk}"' in html


def test_the_api_lists_previews_and_sends_templates(agent, egypt_case):
    client = client_for(agent)
    listed = client.get("/api/v1/reply-templates/", {"key": "general.acknowledge"}).json()
    assert {t["language"] for t in listed["results"]} == {"en", "hi", "ar"}
    base = f"/api/v1/cases/{egypt_case.pk}/messages/"
    preview = client.get(f"{base}preview/", {"template": "general.acknowledge", "language": "hi"})
    assert preview.status_code == 200 and "Mona Adel" in preview.json()["body"]
    assert not Message.objects.exists()
    sent = client.post(base, {"template": "general.acknowledge", "language": "en"}, format="json")
    assert sent.status_code == 201 and sent.json()["text"].startswith("Dear Mona Adel")
    unknown = client.post(base, {"template": "nope"}, format="json")
    assert unknown.status_code == 400 and "template" in unknown.json()["errors"]
    assert client.get(f"{base}preview/").status_code == 400


def test_task_from_another_case_is_refused(agent):
    case = case_in(CaseStatus.OPEN, customer=CustomerFactory(email="e@example.com"))
    other = _ob_task(case_in(CaseStatus.OPEN), agent)
    with pytest.raises(InvalidInput):
        send_with_template(
            case_id=case.pk, actor=agent, key="call_customer.confirm_email", task_id=other.pk
        )
    assert Task.objects.get(pk=other.pk).state == TaskState.OPEN
