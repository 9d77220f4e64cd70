"""The demo's e-mail: a customer writes to the support address (through the same service
the SMTP gateway calls) and the agent answers from the case; a second customer's case,
opened by mail, is resolved and rated from the survey's link."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from cases.models import Customer, DispositionTag
from cases.services import transition_case
from conversations.models import Message, Survey
from conversations.services import receive_mail, send_message
from conversations.services.csat import rate, survey_token

DEMO_MESSAGE_ID = "<demo-mail-1@customer.example>"
RATED_MESSAGE_ID = "<demo-mail-2@customer.example>"
RATED_SURVEYS = 40
RATINGS = (5, 4, 5, 3, 4, 5, 2, 4, 5, 1)


def _write_in(customer: Customer, message_id: str, subject: str, text: str) -> Message | None:
    if not customer.email:
        customer.email = f"{customer.external_id.lower()}@customer.example"
        customer.save(update_fields=["email"])
    mail = EmailMessage()
    mail["From"] = f"{customer.name} <{customer.email}>"
    mail["To"] = settings.SUPPORT_EMAIL
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id
    mail.set_content(f"Hello,\n\n{text}\n\nThanks,\n{customer.name}")
    return receive_mail(mail.as_bytes(), via="demo").result


def ensure_demo_conversation(users: dict[str, User]) -> None:
    if Message.objects.filter(message_id=DEMO_MESSAGE_ID).exists():
        return
    customers = list(Customer.objects.order_by("pk")[:2])
    if len(customers) < 2:
        return
    agent = users["agent"]
    first = _write_in(
        customers[0],
        DEMO_MESSAGE_ID,
        "The geyser installed on Saturday is leaking",
        "The geyser your technician installed on Saturday drips from the bottom valve. Can"
        " someone come and look at it this week?",
    )
    if first is not None:
        send_message(
            case_id=first.case_id,
            actor=agent,
            to="customer",
            body="Sorry about the leak. A technician can come on Thursday between 10 and 12;"
            " reply to this mail if another time suits you better.",
        )
    second = _write_in(
        customers[1],
        RATED_MESSAGE_ID,
        "Which AC service should I book?",
        "My split AC cools slowly. Which of your services should I book?",
    )
    if second is None:
        return
    case = second.case
    send_message(
        case_id=case.pk,
        actor=agent,
        to="customer",
        body="The 'AC service (deep clean)' fits: it cleans the filters and the coil and"
        " checks the gas. You can book it in the app.",
    )
    tag = DispositionTag.objects.filter(is_selectable=True, kinds__contains=[case.kind]).first()
    transition_case(case_id=case.pk, name="open", actor=agent, reason="Answered by mail.")
    transition_case(
        case_id=case.pk,
        name="resolve",
        actor=agent,
        reason="The customer knows what to book.",
        data={"disposition": tag.path} if tag else {},
    )
    survey = Survey.objects.filter(case=case).first()
    if survey is not None:
        rate(token=survey_token(survey), rating=5, comment="Clear answer, thank you.")
    # Some of the surveys the demo's resolved cases sent come back rated, so the dashboard's
    # satisfaction tables show teams, agents, kinds and both regions.
    waiting = Survey.objects.filter(rating__isnull=True).order_by("pk")[:RATED_SURVEYS]
    for index, survey in enumerate(waiting):
        rate(token=survey_token(survey), rating=RATINGS[index % len(RATINGS)])
