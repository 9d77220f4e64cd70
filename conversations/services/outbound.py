"""Writing from a case: an e-mail to the case's customer or partner, queued in the outbox in
the same transaction as the message and its trail event (sent by a worker, retried while
the mail server is down), threaded so the reply comes back to the case."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cases.models import Case, CaseStatus, Customer, EventType
from cases.services.audit import append_event
from cases.services.sla import mark_first_response
from cases.services.transitions import lock_case
from core import limits, roles
from core.errors import InvalidInput, PolicyRefusal, TransitionConflict
from core.roles import User
from partners.models import Partner

from .. import addresses
from ..channels import CHANNELS, Channel, Outgoing, channel_named
from ..models import Attachment, Direction, Message, Party
from .attachments import check_uploads

REFERENCES_KEPT = 10


def recipient_of(
    case: Case, party: str, channel: Channel
) -> tuple[str, Customer | None, Partner | None]:
    """The address a message to the case's customer or partner goes to on the channel, or a
    clear refusal."""
    where = "e-mail address" if channel.name == "email" else f"number for {channel.name}"
    if party == Party.CUSTOMER:
        customer = case.customer
        if customer is None:
            raise InvalidInput({"to": "The case has no customer."})
        address = channel.address_of(customer)
        if not address:
            raise InvalidInput({"to": f"{customer.name} has no {where} on file."})
        if channel.name == "email" and customer.email_failing_since is not None:
            raise PolicyRefusal(
                f"Mail to {customer.email} bounced on {customer.email_failing_since:%Y-%m-%d};"
                " confirm the address with the customer and correct it first."
            )
        return address, customer, None
    if party == Party.PARTNER:
        partner = case.partner
        if partner is None:
            raise InvalidInput({"to": "The case has no partner."})
        address = channel.address_of(partner)
        if not address:
            raise InvalidInput({"to": f"{partner.name} has no {where} on file."})
        return address, None, partner
    raise InvalidInput({"to": "Write to the customer or the partner."})


def thread_headers(case: Case, party: str) -> dict[str, str]:
    """In-Reply-To and References from the case's latest message with the same party."""
    last = (
        Message.objects.filter(case=case, party=party, channel="email")
        .order_by("-at", "-id")
        .values("message_id", "references")
        .first()
    )
    if last is None:
        return {}
    references = [*last["references"], last["message_id"]][-REFERENCES_KEPT:]
    return {"In-Reply-To": last["message_id"], "References": " ".join(references)}


def send_message(
    *,
    case_id: int,
    actor: User,
    to: str,
    body: str,
    subject: str = "",
    files: Sequence[UploadedFile] = (),
    template: str = "",
    channel: str = "email",
) -> Message:
    """Write to the case's customer or partner (`to`), from an agent, on a channel (e-mail
    by default; see conversations.channels). A mail carries the case token in its Reply-To
    and the case tag in its subject; a message to the customer is a first response on the
    SLA clock."""
    roles.require_role(actor, roles.CASE_WORKERS, doing="write to customers and partners")
    body = limits.bounded(body, "body", limits.DESCRIPTION)
    if not body:
        raise InvalidInput({"body": "Write the message."})
    carrier = channel_named(channel)
    if carrier is None:
        raise InvalidInput({"channel": f"No channel {channel!r}; known: {', '.join(CHANNELS)}."})
    if files and not carrier.takes_attachments:
        raise InvalidInput({"files": f"Files cannot be sent by {carrier.name}."})
    check_uploads(files)
    with transaction.atomic():
        case = lock_case(case_id)
        if case.status == CaseStatus.CLOSED:
            raise TransitionConflict(f"Case #{case.pk} is closed; reopen it to write.")
        case = Case.objects.select_related("customer", "partner").get(pk=case.pk)
        address, customer, partner = recipient_of(case, to, carrier)
        subject = limits.bounded(subject, "subject", limits.SUBJECT) or f"Re: {case.subject}"
        subject = addresses.tagged_subject(subject, case.pk)
        stored = [_store(file, case.pk) for file in files]
        headers = {}
        if carrier.name == "email":
            headers = {**thread_headers(case, to), "Reply-To": addresses.reply_address(case.pk)}
        sent = carrier.send(
            Outgoing(
                case_id=case.pk,
                party=to,
                to=address,
                subject=subject,
                body=body,
                headers=headers,
                attachments=[name for name, _ in stored],
                template=template[:64],
                actor_id=getattr(actor, "pk", None),
            )
        )
        message = Message.objects.create(
            case=case,
            direction=Direction.OUT,
            channel=carrier.name,
            party=to,
            customer=customer,
            partner=partner,
            author=actor,
            message_id=sent.message_id,
            in_reply_to=headers.get("In-Reply-To", ""),
            references=headers.get("References", "").split(),
            from_address=addresses.support_address() if carrier.name == "email" else "",
            to=[address],
            subject=subject,
            text=body,
            full_text=body,
            template=template[:64],
            outgoing=sent.mail,
        )
        Attachment.objects.bulk_create(
            Attachment(
                message=message,
                file=name,
                filename=file.name or "attachment",
                content_type=file.content_type or "application/octet-stream",
                size=file.size or 0,
            )
            for name, file in stored
        )
        event = append_event(
            case,
            type=EventType.MESSAGE,
            actor=actor,
            reason=body[: limits.REASON],
            payload={
                "message": message.pk,
                "direction": "out",
                "channel": carrier.name,
                "party": to,
                "to": address,
                "subject": subject[:200],
                "template": template[:64],
                "attachments": len(stored),
            },
        )
        if to == Party.CUSTOMER:
            mark_first_response(case.pk, at=event.at, actor=actor)
    return message


def _store(file: UploadedFile, case_id: int) -> tuple[str, UploadedFile]:
    name = default_storage.save(f"conversations/out/{case_id}/{file.name}", file)
    return name, file
