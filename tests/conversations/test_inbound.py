"""Mail in: a case opened or continued, threading by headers, token and subject (and
never into a stranger's case), duplicates stored once, senders matched, automatic mail
and bounces recognised, attachments checked, reopening by the policy's window, and every
message kept, processed or quarantined with its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseStatus, Customer, EventType, Notification
from conversations import addresses
from conversations.models import InboundMail, InboundState, Message
from conversations.services import receive_mail, retry_inbound
from events.models import OutgoingMail
from tests.factories import CaseFactory, CustomerFactory, PartnerFactory, UserFactory
from tests.helpers import case_in

from .conftest import mail

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def receive(raw: bytes, **kwargs) -> InboundMail:
    return receive_mail(raw, via="smtp", envelope_to=["support@casework.test"], **kwargs)


def test_an_unknown_sender_opens_an_email_case_as_a_new_unverified_customer():
    inbound = receive(mail(sender="Asha Rao <Asha@Example.com>", subject="AC leaking"))
    assert inbound.state == InboundState.PROCESSED, inbound.reason
    message = inbound.result
    case = message.case
    assert case.channel == "email" and case.kind == "service_enquiry"
    assert case.subject == "AC leaking" and "leaks again" in case.description
    customer = case.customer
    assert customer.email == "asha@example.com" and customer.name == "Asha Rao"
    assert customer.verified is False
    assert message.direction == "in" and message.party == "customer"
    event = case.events.get(type=EventType.MESSAGE)
    assert event.payload["from"] == "asha@example.com" and event.actor is None
    assert "unverified" in inbound.reason


def test_a_known_customer_is_matched_by_address_whatever_its_case():
    customer = CustomerFactory(email="ravi@example.com")
    inbound = receive(mail(sender="RAVI@example.com"))
    assert inbound.result.case.customer == customer
    assert Customer.objects.count() == 1


def test_a_partner_writing_in_opens_a_partner_case():
    partner = PartnerFactory(email="pro@example.com")
    case = receive(mail(sender="pro@example.com")).result.case
    assert case.partner == partner and case.reporter == "partner" and case.customer is None
    assert case.city == partner.city


def test_a_reply_joins_its_case_by_its_headers():
    first = receive(mail(message_id="<first@example.com>")).result
    reply = receive(
        mail(
            subject="Re: something else entirely",
            in_reply_to="<first@example.com>",
            references="<first@example.com>",
            text="Any news?\n\nOn Mon, 7 Dec 2026, Support wrote:\n> old",
        )
    )
    assert reply.result.case_id == first.case_id
    assert reply.result.text == "Any news?" and "threaded" not in reply.reason
    assert "reply headers" in reply.reason
    assert Case.objects.count() == 1


def test_a_reply_joins_by_the_signed_token_alone():
    case = CaseFactory()
    inbound = receive(mail(to=addresses.reply_address(case.pk), subject="no tag here"))
    assert inbound.result.case_id == case.pk and "case token" in inbound.reason


def test_a_forged_token_is_ignored_and_the_mail_opens_its_own_case():
    case = CaseFactory()
    forged = f"support+c{case.pk}-0123456789abcdef@casework.test"
    inbound = receive(mail(to=forged, sender="stranger@example.com"))
    assert inbound.result.case_id != case.pk
    assert "did not verify" in inbound.reason


def test_the_subject_tag_joins_only_for_a_sender_the_case_knows():
    case = CaseFactory(customer=CustomerFactory(email="known@example.com"))
    known = receive(mail(sender="known@example.com", subject=f"Re: your visit [#{case.pk}]"))
    assert known.result.case_id == case.pk and "subject tag" in known.reason
    stranger = receive(mail(sender="other@example.com", subject=f"Re: [#{case.pk}]"))
    assert stranger.result.case_id != case.pk
    assert "does not know this sender" in stranger.reason


def test_the_same_message_delivered_twice_is_stored_once():
    raw = mail(message_id="<twice@example.com>")
    first = receive(raw)
    second = receive(raw)
    assert second.state == InboundState.DUPLICATE and second.result == first.result
    assert Message.objects.count() == 1 and Case.objects.count() == 1
    assert InboundMail.objects.count() == 2  # both deliveries are on record


def test_a_message_without_from_is_refused_and_kept():
    inbound = receive(mail(sender=""))
    assert inbound.state == InboundState.REFUSED and "No From" in inbound.reason
    assert not Case.objects.exists() and bytes(inbound.raw).startswith(b"To:")


def test_bytes_that_are_no_mail_are_quarantined():
    inbound = receive(b"   \r\n")
    assert inbound.state == InboundState.QUARANTINED and "empty" in inbound.reason


def test_a_failure_while_processing_quarantines_and_a_retry_processes(settings, supervisor):
    settings.INBOUND_MAIL_CASE_KIND = "no_such_kind"
    inbound = receive(mail())
    assert inbound.state == InboundState.QUARANTINED and "no_such_kind" in inbound.reason
    assert not Case.objects.exists() and not Customer.objects.exists()  # nothing half-written
    settings.INBOUND_MAIL_CASE_KIND = "service_enquiry"
    retried = retry_inbound(inbound_id=inbound.pk, actor=supervisor)
    assert retried.state == InboundState.PROCESSED and retried.attempts == 2
    assert Case.objects.count() == 1


def test_html_with_script_and_a_tracking_pixel_is_stored_safe():
    html = '<p>Hi</p><script>steal()</script><img src="https://t.example.com/p.gif">'
    message = receive(mail(html=html)).result
    assert message.html.strip() == "<p>Hi</p>"


def test_allowed_attachments_are_stored_and_others_dropped_with_the_reason(settings):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 1000
    inbound = receive(
        mail(
            attachments=[
                ("leak.png", "image/png", PNG),
                ("big.png", "image/png", PNG + b"\x00" * 2000),
                ("run.exe", "application/x-msdownload", b"MZ..."),
            ]
        )
    )
    (kept,) = inbound.result.attachments.all()
    assert kept.filename == "leak.png" and kept.size == len(PNG)
    assert kept.file.read() == PNG
    assert "'big.png' dropped" in inbound.reason and "over the 1000 allowed" in inbound.reason
    assert "'run.exe' dropped: application/x-msdownload" in inbound.reason


def test_a_25_mb_attachment_is_dropped_and_the_case_still_opens():
    big = PNG + b"\x00" * (25 * 1024 * 1024)
    inbound = receive(mail(attachments=[("scan.png", "image/png", big)]))
    assert inbound.state == InboundState.PROCESSED
    assert not inbound.result.attachments.exists() and "'scan.png' dropped" in inbound.reason


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<offers.shop.example.com>"},
    ],
)
def test_automatic_mail_on_no_case_is_kept_without_a_case_or_customer(headers):
    inbound = receive(mail(headers=headers))
    assert inbound.state == InboundState.AUTOMATIC
    assert not Case.objects.exists() and not Customer.objects.exists()


def test_auto_submitted_no_is_a_person_writing():
    inbound = receive(mail(headers={"Auto-Submitted": "no"}))
    assert inbound.state == InboundState.PROCESSED


def test_an_auto_reply_storm_on_a_case_answers_nothing_and_is_cut_by_the_rate_limit(settings):
    settings.INBOUND_MAIL_PER_SENDER = 20
    first = receive(mail(sender="away@example.com")).result
    outbox_before = OutgoingMail.objects.count()
    states = [
        receive(
            mail(
                sender="away@example.com",
                in_reply_to=first.message_id,
                subject="Out of office",
                headers={"Auto-Submitted": "auto-replied"},
            )
        ).state
        for _ in range(50)
    ]
    assert states.count(InboundState.AUTOMATIC) == 19  # the first mail counts too
    assert states.count(InboundState.REFUSED) == 31
    assert OutgoingMail.objects.count() == outbox_before  # nothing answered them
    assert Message.objects.filter(case=first.case, automatic=True).count() == 19


def test_the_rate_limit_is_per_sender_and_per_window(settings):
    settings.INBOUND_MAIL_PER_SENDER, settings.INBOUND_MAIL_WINDOW_SECONDS = 2, 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert receive(mail(sender="a@example.com")).state == InboundState.PROCESSED
        assert receive(mail(sender="a@example.com")).state == InboundState.PROCESSED
        assert receive(mail(sender="a@example.com")).state == InboundState.REFUSED
        assert receive(mail(sender="b@example.com")).state == InboundState.PROCESSED
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert receive(mail(sender="a@example.com")).state == InboundState.PROCESSED


def test_a_bounce_marks_the_address_failing_and_tells_the_case_owner(agent):
    customer = CustomerFactory(email="gone@example.com")
    case = CaseFactory(customer=customer, assignee=agent)
    sent = Message.objects.create(
        case=case,
        direction="out",
        party="customer",
        message_id="<ours-1@casework.local>",
        from_address="support@casework.test",
        subject="Your visit",
        outgoing=OutgoingMail.objects.create(
            message_id="<ours-1@casework.local>", to=["gone@example.com"], subject="x", body="y"
        ),
    )
    dsn = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: support@casework.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.com>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {sent.message_id}\r\nSubject: Your visit\r\n\r\n--b--\r\n"
    ).encode()
    inbound = receive(dsn, envelope_from="")
    assert inbound.state == InboundState.BOUNCE and "gone@example.com" in inbound.reason
    customer.refresh_from_db()
    assert customer.email_failing_since is not None
    note = Notification.objects.get(recipient=agent, kind="bounce")
    assert note.case == case and "gone@example.com" in note.body
    assert Case.objects.count() == 1  # a bounce opens nothing


def test_a_reply_tells_the_case_assignee(agent):
    case = CaseFactory(customer=CustomerFactory(email="c@example.com"), assignee=agent)
    receive(mail(sender="c@example.com", to=addresses.reply_address(case.pk)))
    assert Notification.objects.get(recipient=agent, kind="message").case == case


def _resolved(days_ago: timedelta) -> Case:
    case = case_in(CaseStatus.RESOLVED, customer=CustomerFactory(email="r@example.com"))
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - days_ago)
    return case


def test_a_reply_within_the_reopen_window_reopens_the_case():
    case = _resolved(timedelta(days=7) - timedelta(minutes=1))  # policy default: 7 days
    inbound = receive(mail(sender="r@example.com", to=addresses.reply_address(case.pk)))
    case.refresh_from_db()
    assert inbound.result.case_id == case.pk and case.status == CaseStatus.OPEN
    reopen = case.events.get(type=EventType.TRANSITION, transition="reopen")
    assert "within 7 days" in reopen.reason and reopen.policy_version


def test_a_reply_after_the_window_opens_a_new_case_linked_to_the_old():
    case = _resolved(timedelta(days=7, minutes=1))
    inbound = receive(mail(sender="r@example.com", to=addresses.reply_address(case.pk)))
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    new = inbound.result.case
    assert new.pk != case.pk and new.related_to_id == case.pk


def test_a_reply_to_a_closed_case_opens_a_linked_case():
    case = case_in(CaseStatus.CLOSED, customer=CustomerFactory(email="z@example.com"))
    inbound = receive(mail(sender="z@example.com", to=addresses.reply_address(case.pk)))
    assert inbound.result.case.related_to_id == case.pk
    assert "was closed" in inbound.reason


def test_the_timeline_names_the_sender_and_the_new_text():
    from cases.timeline import case_timeline

    case = receive(mail(sender="t@example.com", subject="Broken tap")).result.case
    entry = next(e for e in case_timeline(case) if e.kind == EventType.MESSAGE)
    assert entry.who == "t@example.com" and entry.sentence == "wrote by e-mail: Broken tap"
    assert "leaks again" in entry.reason
    assert CaseEvent.objects.filter(case=case).count() == 2  # created + message


def test_only_case_workers_retry(finance_user):
    inbound = receive(mail(sender=""))
    from core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        retry_inbound(inbound_id=inbound.pk, actor=UserFactory(username="nobody"))
    with pytest.raises(NotPermitted):
        retry_inbound(inbound_id=inbound.pk, actor=finance_user)
