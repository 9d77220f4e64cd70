"""The demo's e-mailed case: a customer writes to the support address (through the same
service the SMTP gateway calls), and the agent answers from the case."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from cases.models import Customer
from conversations.models import Message
from conversations.services import receive_mail, send_message

DEMO_MESSAGE_ID = "<demo-mail-1@customer.example>"


def ensure_demo_conversation(users: dict[str, User]) -> None:
    if Message.objects.filter(message_id=DEMO_MESSAGE_ID).exists():
        return
    customer = Customer.objects.order_by("pk").first()
    if customer is None:
        return
    if not customer.email:
        customer.email = f"{customer.external_id.lower()}@customer.example"
        customer.save(update_fields=["email"])
    mail = EmailMessage()
    mail["From"] = f"{customer.name} <{customer.email}>"
    mail["To"] = settings.SUPPORT_EMAIL
    mail["Subject"] = "The geyser installed on Saturday is leaking"
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = DEMO_MESSAGE_ID
    mail.set_content(
        "Hello,\n\nThe geyser your technician installed on Saturday drips from the bottom"
        " valve. Can someone come and look at it this week?\n\nThanks,\n" + customer.name
    )
    inbound = receive_mail(mail.as_bytes(), via="demo")
    if inbound.result is None:
        return
    send_message(
        case_id=inbound.result.case_id,
        actor=users["agent"],
        to="customer",
        body="Sorry about the leak. A technician can come on Thursday between 10 and 12;"
        " reply to this mail if another time suits you better.",
    )
