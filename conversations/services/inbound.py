"""Mail received: stored whole first (its own transaction: nothing is lost, whatever
happens next), then processed in a second one. Processing finds the case the mail belongs
to (our Message-IDs in its In-Reply-To/References, then a signed case token in an address,
then the case tag in the subject from a sender the case knows), or opens one; matches the
sender to a customer or a partner (an unknown sender becomes an unverified customer);
stores the message, its safe HTML and its attachments; and puts it on the case's trail.
A message that cannot be processed goes to the quarantine with the reason, for an admin to
read and retry."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from cases.models import Case, CaseStatus, Channel, Customer, EventType, Reporter
from cases.services import create_case, transition_case
from cases.services.audit import append_event
from cases.services.notifications import notify
from core import limits, roles
from core.errors import NotPermitted
from core.roles import User
from partners.models import City, Partner
from policies.selectors import policy_in_force

from .. import addresses
from ..junk import automatic_reason, is_bounce, read_bounce
from ..models import Attachment, Direction, InboundMail, InboundState, Message, Party
from ..parsing import Parsed, Unreadable, parse
from ..quoting import new_text

log = logging.getLogger(__name__)


def receive_mail(
    raw: bytes,
    *,
    via: str,
    envelope_from: str | None = None,
    envelope_to: Iterable[str] = (),
) -> InboundMail:
    """Keep a message as it arrived, then process it. Returns the stored row, whatever the
    outcome (on a case, a duplicate, refused, quarantined)."""
    inbound = InboundMail.objects.create(
        via=via[:32],
        envelope_from=(envelope_from or "")[:254],
        envelope_to=[a[:254] for a in envelope_to],
        raw=raw,
        size=len(raw),
    )
    return process_inbound(inbound.pk)


def retry_inbound(*, inbound_id: int, actor: User) -> InboundMail:
    """An admin's retry of a quarantined or refused message."""
    roles.require_role(actor, roles.CASE_WORKERS, doing="retry inbound e-mail")
    inbound = InboundMail.objects.get(pk=inbound_id)
    if inbound.state not in (InboundState.QUARANTINED, InboundState.REFUSED):
        raise NotPermitted(f"This message is {inbound.get_state_display().lower()}.")
    return process_inbound(inbound_id, retry=True)


def process_inbound(inbound_id: int, *, retry: bool = False) -> InboundMail:
    """Process one stored message, in one transaction; a failure quarantines it."""
    try:
        with transaction.atomic():
            inbound = InboundMail.objects.select_for_update().get(pk=inbound_id)
            wanted = (InboundState.QUARANTINED, InboundState.REFUSED) if retry else ()
            if inbound.state == InboundState.RECEIVED or inbound.state in wanted:
                _Processing(inbound, retry=retry).run()
                inbound.attempts += 1
                inbound.processed_at = timezone.now()
                inbound.save()
            return inbound
    except Exception as exc:  # whatever went wrong, the message is kept and can be retried
        log.exception("inbound mail %s quarantined", inbound_id)
        InboundMail.objects.filter(pk=inbound_id).update(
            state=InboundState.QUARANTINED,
            reason=f"Could not be processed: {type(exc).__name__}: {_said(exc)}"[:500],
            attempts=F("attempts") + 1,
            processed_at=timezone.now(),
            **_headline(inbound_id),
        )
        return InboundMail.objects.get(pk=inbound_id)


def _said(exc: Exception) -> str:
    fields = getattr(exc, "fields", None)
    if fields:
        return "; ".join(f"{name}: {' '.join(map(str, said))}" for name, said in fields.items())
    return str(exc)


def _headline(inbound_id: int) -> dict[str, str]:
    """Sender, subject and id of a quarantined message, for its list (when they can be read)."""
    raw = InboundMail.objects.filter(pk=inbound_id).values_list("raw", flat=True).first()
    try:
        parsed = parse(bytes(raw or b""))
    except Exception:
        return {}
    return {
        "message_id": parsed.message_id,
        "from_address": parsed.from_address,
        "subject": parsed.subject,
    }


@dataclass
class Sender:
    party: str
    customer: Customer | None = None
    partner: Partner | None = None


class _Processing:
    def __init__(self, inbound: InboundMail, *, retry: bool) -> None:
        self.inbound = inbound
        self.retry = retry
        self.notes: list[str] = []

    def finish(self, state: str, reason: str = "", message: Message | None = None) -> None:
        self.inbound.state = state
        self.inbound.reason = "; ".join([*self.notes, reason] if reason else self.notes)[:500]
        self.inbound.result = message
        log.info("inbound mail %s: %s %s", self.inbound.pk, state, self.inbound.reason)

    def run(self) -> None:
        inbound = self.inbound
        try:
            parsed = parse(bytes(inbound.raw))
        except Unreadable as exc:
            self.finish(InboundState.QUARANTINED, str(exc))
            return
        inbound.message_id = parsed.message_id
        inbound.from_address = parsed.from_address
        inbound.subject = parsed.subject
        if not parsed.from_address:
            self.finish(InboundState.REFUSED, "No From address: nobody to answer.")
            return
        existing = Message.objects.filter(message_id=parsed.message_id).first()
        if existing is not None:
            self.finish(InboundState.DUPLICATE, "Already stored (same Message-ID).", existing)
            return
        automatic = automatic_reason(parsed, envelope_from=inbound.envelope_from or None)
        if automatic and is_bounce(parsed):
            self.bounce(parsed)
            return
        if not self.retry and self.over_rate_limit(parsed.from_address):
            self.finish(
                InboundState.REFUSED,
                f"Over the limit of {settings.INBOUND_MAIL_PER_SENDER} messages from one "
                f"sender in {settings.INBOUND_MAIL_WINDOW_SECONDS} s.",
            )
            return
        case, how = self.find_case(parsed)
        sender = self.sender_of(parsed, case, create=not automatic)
        if case is None and automatic:
            self.finish(InboundState.AUTOMATIC, f"Automatic ({automatic}) and on no case.")
            return
        case = self.case_for(case, parsed, sender)
        message = self.store(case, parsed, sender, automatic=bool(automatic), how=how)
        if automatic:
            self.finish(InboundState.AUTOMATIC, f"Automatic ({automatic}); kept on the case.")
        else:
            self.finish(InboundState.PROCESSED, f"On case #{case.pk} ({how}).", message)
        self.inbound.result = message

    # --- what the message is ----------------------------------------------------------------

    def over_rate_limit(self, address: str) -> bool:
        since = timezone.now() - timedelta(seconds=settings.INBOUND_MAIL_WINDOW_SECONDS)
        recent = (
            InboundMail.objects.annotate(sender=Lower("from_address"))
            .filter(sender=address.lower(), received_at__gte=since)
            .exclude(pk=self.inbound.pk)
            .exclude(state=InboundState.REFUSED)
        )
        return recent[: settings.INBOUND_MAIL_PER_SENDER].count() >= (
            settings.INBOUND_MAIL_PER_SENDER
        )

    def find_case(self, parsed: Parsed) -> tuple[Case | None, str]:
        ids = [i for i in [parsed.in_reply_to, *reversed(parsed.references)] if i]
        if ids:
            known = (
                Message.objects.filter(message_id__in=ids)
                .order_by("-at", "-id")
                .values_list("case_id", flat=True)
                .first()
            )
            if known is not None:
                return Case.objects.get(pk=known), "reply headers"
        recipients = [*self.inbound.envelope_to, *parsed.to, *parsed.cc]
        case_id, token_seen = addresses.token_case(recipients)
        if case_id is not None:
            case = Case.objects.filter(pk=case_id).first()
            if case is not None:
                return case, "case token"
        if token_seen:
            self.notes.append("A case token in the address did not verify (ignored)")
        tagged = addresses.subject_case(parsed.subject)
        if tagged is not None:
            case = Case.objects.filter(pk=tagged).first()
            if case is not None and self.case_knows(case, parsed.from_address):
                return case, "subject tag"
            self.notes.append(f"Subject names case #{tagged}, which does not know this sender")
        return None, "new case"

    def case_knows(self, case: Case, address: str) -> bool:
        """The sender is the case's customer or partner, or has written on it before."""
        people = []
        if case.customer_id:
            people.append(Customer.objects.filter(pk=case.customer_id).values_list("email"))
        if case.partner_id:
            people.append(Partner.objects.filter(pk=case.partner_id).values_list("email"))
        for rows in people:
            if any((email or "").lower() == address for (email,) in rows):
                return True
        return (
            Message.objects.filter(case=case)
            .annotate(sender=Lower("from_address"))
            .filter(sender=address)
            .exists()
        )

    def sender_of(self, parsed: Parsed, case: Case | None, *, create: bool) -> Sender:
        address = parsed.from_address
        if case is not None and case.partner_id:
            partner = Partner.objects.filter(pk=case.partner_id).first()
            if partner is not None and partner.email.lower() == address:
                return Sender(Party.PARTNER, partner=partner)
        if case is not None and case.customer_id:
            customer = Customer.objects.filter(pk=case.customer_id).first()
            if customer is not None and customer.email.lower() == address:
                return Sender(Party.CUSTOMER, customer=customer)
        customer = (
            Customer.objects.annotate(address=Lower("email"))
            .filter(address=address)
            .order_by("pk")
            .first()
        )
        if customer is not None:
            return Sender(Party.CUSTOMER, customer=customer)
        partner = (
            Partner.objects.annotate(address=Lower("email"))
            .filter(address=address)
            .order_by("pk")
            .first()
        )
        if partner is not None:
            return Sender(Party.PARTNER, partner=partner)
        if not create:
            return Sender(Party.OTHER)
        return Sender(Party.CUSTOMER, customer=self.new_customer(parsed))

    def new_customer(self, parsed: Parsed) -> Customer:
        """An unknown sender becomes a customer with that address, unverified. Two mails from
        one new address at once make one customer (a lock on the address)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [parsed.from_address])
        found = (
            Customer.objects.annotate(address=Lower("email"))
            .filter(address=parsed.from_address)
            .first()
        )
        if found is not None:
            return found
        name = parsed.from_name or parsed.from_address.split("@")[0]
        self.notes.append("New customer from an unknown sender (unverified)")
        return Customer.objects.create(
            external_id=f"mail-{uuid.uuid4().hex[:24]}",
            name=name[:128],
            phone="",
            email=parsed.from_address,
            city=inbound_city(),
            verified=False,
        )

    # --- where it goes ---------------------------------------------------------------------

    def case_for(self, case: Case | None, parsed: Parsed, sender: Sender) -> Case:
        """The case the message lands on: its thread's, reopened when it was resolved within
        the policy's window; a new case (linked to a closed or long-resolved one) otherwise."""
        if case is not None and case.status == CaseStatus.RESOLVED:
            days = policy_in_force().params.reply_reopen_days
            if case.resolved_at and timezone.now() - case.resolved_at <= timedelta(days=days):
                transition_case(
                    case_id=case.pk,
                    name="reopen",
                    actor=None,
                    reason=f"{parsed.from_address} replied by e-mail within {days} days.",
                    role_checked=True,
                )
                self.notes.append(f"Case #{case.pk} reopened by the reply")
                return Case.objects.get(pk=case.pk)
        if case is not None and case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            return case
        subject = parsed.subject or "E-mail without a subject"
        new = create_case(
            actor=None,
            kind=settings.INBOUND_MAIL_CASE_KIND,
            channel=Channel.EMAIL,
            reporter=Reporter.PARTNER if sender.party == Party.PARTNER else Reporter.CUSTOMER,
            subject=subject[: limits.SUBJECT],
            description=new_text(parsed.text)[: limits.DESCRIPTION],
            customer=sender.customer,
            partner=sender.partner,
            city=_city_of(sender),
            related_to=case,
        )
        if case is not None:
            self.notes.append(f"Case #{case.pk} was {case.get_status_display().lower()}")
        return new

    def store(
        self, case: Case, parsed: Parsed, sender: Sender, *, automatic: bool, how: str
    ) -> Message:
        text = new_text(parsed.text)
        message = Message.objects.create(
            case=case,
            direction=Direction.IN,
            party=sender.party,
            customer=sender.customer,
            partner=sender.partner,
            message_id=parsed.message_id,
            in_reply_to=parsed.in_reply_to,
            references=parsed.references,
            from_address=parsed.from_address,
            from_name=parsed.from_name,
            to=parsed.to[:20],
            subject=parsed.subject,
            text=text,
            full_text=parsed.text,
            html=parsed.html,
            automatic=automatic,
        )
        self.attach(message, parsed)
        append_event(
            case,
            type=EventType.MESSAGE,
            actor=None,
            reason=text[: limits.REASON],
            payload={
                "message": message.pk,
                "direction": "in",
                "party": sender.party,
                "from": parsed.from_address,
                "subject": parsed.subject[:200],
                "automatic": automatic,
                "threaded_by": how,
                "attachments": message.attachments.count(),
            },
        )
        if not automatic and how != "new case" and case.assignee_id:
            notify(
                case.assignee,
                kind="message",
                title=f"{parsed.from_address} wrote on case #{case.pk}",
                body=text[:1000],
                case=case,
            )
        return message

    def attach(self, message: Message, parsed: Parsed) -> None:
        limit = settings.MAIL_ATTACHMENT_MAX_BYTES
        allowed = set(settings.MAIL_ATTACHMENT_TYPES)
        for part in parsed.attachments:
            if part.content_type not in allowed:
                self.notes.append(f"Attachment {part.filename!r} dropped: {part.content_type}")
                continue
            if len(part.data) > limit:
                self.notes.append(
                    f"Attachment {part.filename!r} dropped: {len(part.data)} bytes over the"
                    f" {limit} allowed"
                )
                continue
            attachment = Attachment(
                message=message,
                filename=part.filename,
                content_type=part.content_type,
                size=len(part.data),
            )
            attachment.file.save(part.filename, ContentFile(part.data), save=False)
            attachment.save()

    def bounce(self, parsed: Parsed) -> None:
        """A delivery failure: the address is marked failing on its customer, and the owner
        of the case whose mail bounced is told."""
        report = read_bounce(parsed)
        now = timezone.now()
        marked = (
            Customer.objects.annotate(address=Lower("email"))
            .filter(address__in=report.failed, email_failing_since__isnull=True)
            .update(email_failing_since=now)
        )
        sent = (
            Message.objects.filter(message_id__in=report.original_ids, direction=Direction.OUT)
            .select_related("case__assignee")
            .first()
        )
        if sent is not None and sent.case.assignee_id:
            notify(
                sent.case.assignee,
                kind="bounce",
                title=f"Mail on case #{sent.case_id} could not be delivered",
                body=f"{', '.join(report.failed) or 'The recipient'} did not receive "
                f"{sent.subject!r}. Confirm the address with them another way.",
                case=sent.case,
            )
        failed = ", ".join(report.failed) or "an unknown address"
        self.finish(InboundState.BOUNCE, f"Delivery failed to {failed}; {marked} marked failing.")


def _city_of(sender: Sender) -> City:
    if sender.customer is not None:
        return sender.customer.city
    if sender.partner is not None:
        return sender.partner.city
    return inbound_city()


def inbound_city() -> City:
    """The city of a case from an unknown sender: the setting's, else the first city."""
    code = settings.INBOUND_MAIL_CITY
    cities = City.objects.order_by("pk")
    city = cities.filter(name__iexact=code).first() if code else None
    city = city or cities.first()
    if city is None:
        raise RuntimeError("No city is set up: inbound mail needs one for its cases.")
    return city
