"""The conversation in the console: the case page shows the messages with their delivery
state and the reply form; sending from it queues the mail; attachments download only for
those who may read the case; the inbound list reads the raw message and processes a
quarantined one again; the page's queries stay flat as messages pile up."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations.models import InboundMail, InboundState, Message
from conversations.services import receive_mail, send_message
from events.models import OutgoingMail
from tests.factories import CustomerFactory, UserFactory
from tests.helpers import logged_in

from .conftest import mail

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def emailed_case():
    CustomerFactory(email="asha@example.com")
    raw = mail(
        sender="Asha Rao <asha@example.com>",
        subject="Water on the floor",
        html="<p>Water <b>everywhere</b></p><script>x()</script>",
        attachments=[("floor.png", "image/png", PNG)],
    )
    return receive_mail(raw, via="smtp").result.case


def page(client, case):
    return client.get(reverse("admin:cases_case_change", args=[case.pk]))


def test_the_case_page_shows_the_conversation_and_sends_a_reply(emailed_case, agent):
    client = logged_in(agent)
    html = page(client, emailed_case).content.decode()
    assert 'id="messages"' in html and "Water on the floor" in html
    assert "Asha Rao" in html and "<b>everywhere</b>" in html and "x()" not in html
    assert 'id="case-reply"' in html and "Customer: asha@example.com" in html
    sent = client.post(
        reverse("case_messages:send", args=[emailed_case.pk]),
        {"to": "customer", "subject": "", "body": "A technician comes at 4 pm."},
    )
    assert sent.status_code == 302 and sent.url.endswith("#messages")
    message = Message.objects.get(direction="out")
    assert message.author == agent and message.outgoing.to == ["asha@example.com"]
    html = page(client, emailed_case).content.decode()
    assert "A technician comes at 4 pm." in html and "cw-delivery-pending" in html


def test_a_refused_send_says_why_and_writes_nothing(emailed_case, agent):
    client = logged_in(agent)
    response = client.post(
        reverse("case_messages:send", args=[emailed_case.pk]),
        {"to": "partner", "body": "Hello"},
        follow=True,
    )
    assert "Not sent" in response.content.decode()
    assert not OutgoingMail.objects.exists()


def test_roles_that_do_not_work_cases_get_no_reply_form(emailed_case, finance_user):
    client = logged_in(finance_user)
    html = page(client, emailed_case).content.decode()
    assert 'id="messages"' in html and 'id="case-reply"' not in html
    response = client.post(
        reverse("case_messages:send", args=[emailed_case.pk]),
        {"to": "customer", "body": "Hi"},
        follow=True,
    )
    assert "Not sent" in response.content.decode() and not OutgoingMail.objects.exists()


def test_an_attachment_downloads_for_readers_of_the_case_only(emailed_case, agent):
    attachment = Message.objects.get().attachments.get()
    url = reverse("case_messages:attachment", args=[emailed_case.pk, attachment.pk])
    response = logged_in(agent).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    wrong_case = reverse("case_messages:attachment", args=[emailed_case.pk + 1, attachment.pk])
    assert logged_in(agent).get(wrong_case).status_code == 404
    stranger = UserFactory(username="no-role", is_staff=True)
    assert logged_in(stranger).get(url).status_code == 403


def test_the_case_page_queries_stay_flat_as_messages_grow(emailed_case, agent):
    client = logged_in(agent)
    page(client, emailed_case)
    with CaptureQueriesContext(connection) as few:
        page(client, emailed_case)
    for n in range(30):
        send_message(case_id=emailed_case.pk, actor=agent, to="customer", body=f"Update {n}")
    with CaptureQueriesContext(connection) as many:
        assert page(client, emailed_case).status_code == 200
    assert len(many) == len(few)


def test_the_inbound_list_shows_the_raw_mail_and_processes_it_again(settings, supervisor):
    settings.INBOUND_MAIL_CASE_KIND = "no_such_kind"
    inbound = receive_mail(mail(subject="Quarantined one"), via="smtp")
    assert inbound.state == InboundState.QUARANTINED
    client = logged_in(supervisor)
    listing = client.get(
        reverse("admin:conversations_inboundmail_changelist"), {"state": "quarantined"}
    )
    assert "Quarantined one" in listing.content.decode()
    detail = client.get(reverse("admin:conversations_inboundmail_change", args=[inbound.pk]))
    assert "Subject: Quarantined one" in detail.content.decode()
    settings.INBOUND_MAIL_CASE_KIND = "service_enquiry"
    url = reverse("admin:conversations_inboundmail_changelist")
    confirm = client.post(url, {"action": "retry", "_selected_action": [inbound.pk]})
    assert confirm.status_code == 200 and "Process these messages again" in confirm.content.decode()
    client.post(url, {"action": "retry", "_selected_action": [inbound.pk], "apply": "1"})
    inbound.refresh_from_db()
    assert inbound.state == InboundState.PROCESSED and inbound.result.case.subject == (
        "Quarantined one"
    )
    assert InboundMail.objects.count() == 1


def test_a_long_history_shows_its_latest_entries_and_the_rest_on_asking(agent):
    from cases.services import add_note
    from tests.factories import CaseFactory

    case = CaseFactory()
    for n in range(55):
        add_note(case_id=case.pk, actor=agent, text=f"Note number {n:02d}")
    client = logged_in(agent)
    first = page(client, case).content.decode()
    assert first.count('data-kind="note"') == 50 and 'id="timeline-all"' in first
    assert "Note number 54" in first and "Note number 04" not in first
    url = reverse("admin:cases_case_change", args=[case.pk])
    whole = client.get(url, {"history": "all"}).content.decode()
    assert whole.count('data-kind="note"') == 55 and 'id="timeline-all"' not in whole
