"""The seam for channels: how a message from a case reaches its party. E-mail is carried
here (through the outbox's mail: retried, logged, threaded); other channels are asked of
the company's messaging platform as a `message.requested` event (through the webhooks).

To add a provider of your own (an SMS gateway called directly, say): write a Channel whose
`address_of` reads the party's address for it and whose `send` records what is to be
sent in the caller's transaction (an outbox row or an event, never a network call from
inside a transaction that may roll back), and add it to CHANNELS. docs/conversations.md
says the same with an example."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from events.mail import queue_mail
from events.models import OutgoingMail
from events.services import record_event

from .events import MESSAGE_REQUESTED


@dataclass(frozen=True)
class Outgoing:
    """What a channel is asked to deliver."""

    case_id: int
    party: str
    to: str
    subject: str
    body: str
    headers: dict[str, str]
    attachments: list[str]
    template: str
    actor_id: int | None


@dataclass(frozen=True)
class Sent:
    message_id: str  # what a reply names (e-mail's Message-ID), unique per message
    mail: OutgoingMail | None  # the outbox's mail, for a channel carried here


class Channel(Protocol):
    name: str
    takes_attachments: bool

    def address_of(self, person: object) -> str:
        """The party's address on this channel ("" when they have none)."""

    def send(self, outgoing: Outgoing) -> Sent:
        """Record what is to be sent, in the caller's transaction (no network call)."""


class EmailChannel:
    name = "email"
    takes_attachments = True

    def address_of(self, person: object) -> str:
        return getattr(person, "email", "") or ""

    def send(self, outgoing: Outgoing) -> Sent:
        mail = queue_mail(
            to=[outgoing.to],
            subject=outgoing.subject,
            body=outgoing.body,
            headers=outgoing.headers,
            automatic=False,
            attachments=outgoing.attachments,
        )
        assert mail is not None  # it has an address
        return Sent(message_id=mail.message_id, mail=mail)


class RequestedChannel:
    """A channel the messaging platform carries: the message goes out as an event."""

    takes_attachments = False

    def __init__(self, name: str) -> None:
        self.name = name

    def address_of(self, person: object) -> str:
        return getattr(person, "phone", "") or ""

    def send(self, outgoing: Outgoing) -> Sent:
        message_id = f"<{uuid.uuid4().hex}@{self.name}.casework>"
        record_event(
            MESSAGE_REQUESTED,
            ("case", outgoing.case_id),
            {
                "message_id": message_id,
                "case_id": outgoing.case_id,
                "channel": self.name,
                "party": outgoing.party,
                "to": outgoing.to,
                "body": outgoing.body,
                "template": outgoing.template,
                "actor_id": outgoing.actor_id,
            },
        )
        return Sent(message_id=message_id, mail=None)


CHANNELS: dict[str, Channel] = {
    "email": EmailChannel(),
    "sms": RequestedChannel("sms"),
    "whatsapp": RequestedChannel("whatsapp"),
}


def channel_named(name: str) -> Channel | None:
    return CHANNELS.get(name)
