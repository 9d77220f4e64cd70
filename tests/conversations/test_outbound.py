"""Writing from a case: the mail queued in the outbox with the threading headers and the
signed reply-to address, the message on the trail, the first response stopped; refusals
for a missing or bounced address, a closed case, a role; the API through its URLs."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import CaseStatus, EventType
from conversations import addresses
from conversations.models import Message
from conversations.services import receive_mail, send_message
from core.errors import InvalidInput, NotPermitted, PolicyRefusal, TransitionConflict
from events import mail as outbox
from events.models import MailState, OutgoingMail
from tests.factories import CaseFactory, CustomerFactory, PartnerFactory
from tests.helpers import case_in, client_for

from .conftest import mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed_case():
    """A case opened by the customer's mail."""
    CustomerFactory(email="asha@example.com")
    raw = mail(sender="asha@example.com", message_id="<asha-1@example.com>")
    inbound = receive_mail(raw, via="smtp", envelope_to=["support@casework.test"])
    return inbound.result.case


def test_a_reply_is_queued_threaded_and_on_the_trail(emailed_case, agent):
    message = send_message(
        case_id=emailed_case.pk, actor=agent, to="customer", body="We come on Tuesday."
    )
    queued = message.outgoing
    assert queued.to == ["asha@example.com"] and queued.state == MailState.PENDING
    assert queued.subject == f"Re: {emailed_case.subject} [#{emailed_case.pk}]"
    assert queued.headers["In-Reply-To"] == "<asha-1@example.com>"
    assert queued.headers["References"] == "<asha-1@example.com>"
    assert queued.headers["Reply-To"] == addresses.reply_address(emailed_case.pk)
    assert "Auto-Submitted" not in queued.headers  # a person wrote it
    assert message.message_id == queued.message_id and message.author == agent
    event = emailed_case.events.get(type=EventType.MESSAGE, payload__direction="out")
    assert event.actor == agent and event.reason == "We come on Tuesday."
    emailed_case.refresh_from_db()
    assert emailed_case.first_responded_at == event.at
    assert outbox.send_due_mail() == 1
    (sent,) = django_mail.outbox
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.extra_headers["Reply-To"] == addresses.reply_address(emailed_case.pk)


def test_the_customers_answer_to_our_reply_comes_back_to_the_case(emailed_case, agent):
    ours = send_message(case_id=emailed_case.pk, actor=agent, to="customer", body="Tuesday?")
    answer = mail(
        sender="asha@example.com",
        subject="Re: anything",
        in_reply_to=ours.message_id,
        references=f"<asha-1@example.com> {ours.message_id}",
        text="Yes.\n\nOn Mon, 7 Dec 2026, Support wrote:\n> Tuesday?",
    )
    inbound = receive_mail(answer, via="smtp")
    assert inbound.result.case_id == emailed_case.pk and inbound.result.text == "Yes."
    second = send_message(case_id=emailed_case.pk, actor=agent, to="customer", body="Booked.")
    assert second.outgoing.headers["In-Reply-To"] == inbound.result.message_id
    assert second.outgoing.headers["References"].split() == [
        "<asha-1@example.com>",
        ours.message_id,
        inbound.result.message_id,
    ]


def test_a_message_to_the_partner_goes_to_the_partners_address(agent):
    case = CaseFactory(partner=PartnerFactory(email="pro@example.com"))
    message = send_message(case_id=case.pk, actor=agent, to="partner", body="Please call.")
    assert message.outgoing.to == ["pro@example.com"] and message.party == "partner"
    case.refresh_from_db()
    assert case.first_responded_at is None  # only the customer's answer stops that clock


def test_attachments_go_with_the_mail(emailed_case, agent):
    photo = SimpleUploadedFile("quote.pdf", b"%PDF-1.4 quote", content_type="application/pdf")
    message = send_message(
        case_id=emailed_case.pk, actor=agent, to="customer", body="Quote attached.", files=[photo]
    )
    (kept,) = message.attachments.all()
    assert kept.filename == "quote.pdf" and message.outgoing.attachments == [kept.file.name]
    outbox.send_due_mail()
    ((name, content, kind),) = django_mail.outbox[0].attachments
    assert (name, content, kind) == ("quote.pdf", b"%PDF-1.4 quote", "application/pdf")


def test_refusals_write_nothing(agent, finance_user, settings):
    no_mail = CaseFactory(customer=CustomerFactory(email=""))
    with pytest.raises(InvalidInput) as err:
        send_message(case_id=no_mail.pk, actor=agent, to="customer", body="Hi")
    assert "no e-mail address" in err.value.fields["to"][0]
    bounced = CaseFactory(
        customer=CustomerFactory(email="b@example.com", email_failing_since=timezone.now())
    )
    with pytest.raises(PolicyRefusal, match="bounced"):
        send_message(case_id=bounced.pk, actor=agent, to="customer", body="Hi")
    closed = case_in(CaseStatus.CLOSED)
    with pytest.raises(TransitionConflict):
        send_message(case_id=closed.pk, actor=agent, to="customer", body="Hi")
    with pytest.raises(NotPermitted):
        send_message(case_id=no_mail.pk, actor=finance_user, to="customer", body="Hi")
    settings.MAIL_ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 20, content_type="application/pdf")
    with pytest.raises(InvalidInput, match="Invalid"):
        send_message(case_id=bounced.pk, actor=agent, to="customer", body="Hi", files=[big])
    assert not Message.objects.exists() and not OutgoingMail.objects.exists()


def test_the_api_sends_and_lists_messages(emailed_case, agent):
    client = client_for(agent)
    url = f"/api/v1/cases/{emailed_case.pk}/messages/"
    created = client.post(url, {"to": "customer", "body": "On our way."}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["direction"] == "out" and body["delivery"] == "pending"
    assert body["author"] == agent.username and body["to"] == ["asha@example.com"]
    listed = client.get(url).json()["results"]
    assert [m["direction"] for m in listed] == ["out", "in"]  # newest first
    assert listed[1]["from_address"] == "asha@example.com" and listed[1]["delivery"] is None


def test_the_api_takes_multipart_attachments_and_refuses_bad_ones(emailed_case, agent):
    client = client_for(agent)
    url = f"/api/v1/cases/{emailed_case.pk}/messages/"
    pdf = SimpleUploadedFile("q.pdf", b"%PDF-1.4", content_type="application/pdf")
    ok = client.post(url, {"to": "customer", "body": "See file.", "files": [pdf]})
    assert ok.status_code == 201 and ok.json()["attachments"][0]["filename"] == "q.pdf"
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    refused = client.post(url, {"to": "customer", "body": "x", "files": [exe]})
    assert refused.status_code == 400 and "not allowed" in refused.json()["errors"]["files"][0]


def test_api_errors_have_the_one_body(emailed_case, agent, finance_user, partner_user):
    url = f"/api/v1/cases/{emailed_case.pk}/messages/"
    bad = client_for(agent).post(url, {"to": "neighbour", "body": "x"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"to"}
    empty = client_for(agent).post(url, {"body": " "}, format="json")
    assert empty.status_code == 400 and set(empty.json()["errors"]) == {"to", "body"}
    assert client_for(finance_user).post(url, {"to": "customer", "body": "x"}).status_code == 403
    assert client_for(partner_user.user).get(url).status_code == 403
    assert client_for(agent).get("/api/v1/cases/999999/messages/").status_code == 404
    closed_case = case_in(CaseStatus.CLOSED, customer=CustomerFactory(email="c@example.com"))
    closed_url = f"/api/v1/cases/{closed_case.pk}/messages/"
    closed = client_for(agent).post(closed_url, {"to": "customer", "body": "x"}, format="json")
    assert closed.status_code == 409 and closed.json()["code"]


def test_other_channels_go_out_as_message_requested_events(agent):
    from events.models import OutboxEvent

    case = CaseFactory(customer=CustomerFactory(phone="+919800000001", email=""))
    message = send_message(
        case_id=case.pk, actor=agent, to="customer", body="At 4 pm.", channel="sms"
    )
    assert message.channel == "sms" and message.outgoing is None
    event = OutboxEvent.objects.get(type="message.requested")
    assert event.subject == f"case:{case.pk}"
    assert event.payload == {
        "message_id": message.message_id,
        "case_id": case.pk,
        "channel": "sms",
        "party": "customer",
        "to": "+919800000001",
        "body": "At 4 pm.",
        "template": "",
        "actor_id": agent.pk,
    }
    assert not OutgoingMail.objects.exists()
    pdf = SimpleUploadedFile("q.pdf", b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(InvalidInput, match="Invalid"):
        send_message(
            case_id=case.pk, actor=agent, to="customer", body="x", channel="sms", files=[pdf]
        )
    with pytest.raises(InvalidInput):
        send_message(case_id=case.pk, actor=agent, to="customer", body="x", channel="pigeon")
    response = client_for(agent).post(
        f"/api/v1/cases/{case.pk}/messages/",
        {"to": "customer", "body": "Hi", "channel": "whatsapp"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["channel"] == "whatsapp"


def test_correcting_a_bounced_address_makes_it_usable_again(agent):
    from cases.models import Customer

    customer = CustomerFactory(email="old@example.com", email_failing_since=timezone.now())
    Customer.objects.filter(pk=customer.pk).update(phone="+911")  # other edits keep the mark
    customer.refresh_from_db()
    assert customer.email_failing_since is not None
    Customer.objects.filter(pk=customer.pk).update(email="new@example.com")
    customer.refresh_from_db()
    assert customer.email_failing_since is None
    case = CaseFactory(customer=customer)
    assert send_message(case_id=case.pk, actor=agent, to="customer", body="Hi").to == [
        "new@example.com"
    ]
