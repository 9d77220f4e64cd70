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
from django.db import IntegrityError, connection, transaction
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
    """Keep a message as it arrived, with what became of it (on a case, a duplicate,
    refused...), in the transaction that processes it; when processing fails, that
    transaction rolls back and the message is stored quarantined, with the reason, in a
    transaction of its own. Either way it is stored before this returns (the gateway answers
    250 only then); only a database that cannot store it at all raises."""
    inbound = InboundMail(
        via=via[:32],
        envelope_from=(envelope_from or "")[:254],
        envelope_to=[a[:254] for a in envelope_to],
        raw=raw,
        size=len(raw),
    )
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                _Processing(inbound, raw, retry=False).run()
                inbound.attempts, inbound.processed_at = 1, timezone.now()
                inbound.save(force_insert=True)
            return inbound
        except IntegrityError as exc:
            # The same message delivered twice at once: the other delivery stored it first;
            # processing again finds it a duplicate.
            inbound.pk, inbound.attempts = None, 0
            if attempt == 2:
                return _quarantine(inbound, raw, exc)
        except Exception as exc:  # whatever went wrong, the message is kept and can be retried
            inbound.pk, inbound.attempts = None, 0
            return _quarantine(inbound, raw, exc)
    raise AssertionError("unreachable")  # pragma: no cover


def _quarantine(inbound: InboundMail, raw: bytes, exc: Exception) -> InboundMail:
    """Store a new message quarantined, in a transaction of its own."""
    _mark_quarantined(inbound, raw, exc)
    with transaction.atomic():
        inbound.save(force_insert=True)
    return inbound


def _mark_quarantined(inbound: InboundMail, raw: bytes, exc: Exception) -> None:
    log.error("inbound mail quarantined: %s", exc, exc_info=exc)
    inbound.result = None
    inbound.state = InboundState.QUARANTINED
    inbound.reason = f"Could not be processed: {type(exc).__name__}: {_said(exc)}"[:500]
    inbound.attempts += 1
    inbound.processed_at = timezone.now()
    for name, value in _headline(raw).items():
        setattr(inbound, name, value)


def retry_inbound(*, inbound_id: int, actor: User) -> InboundMail:
    """An admin's retry of a quarantined or refused message, processed again as it arrived
    (the rate limit aside: an admin asked for it)."""
    roles.require_role(actor, roles.CASE_WORKERS, doing="retry inbound e-mail")
    with transaction.atomic():
        inbound = InboundMail.objects.select_for_update().get(pk=inbound_id)
        if inbound.state not in (InboundState.QUARANTINED, InboundState.REFUSED):
            raise NotPermitted(f"This message is {inbound.get_state_display().lower()}.")
        raw = bytes(inbound.raw)
        try:
            with transaction.atomic():
                _Processing(inbound, raw, retry=True).run()
                inbound.attempts += 1
                inbound.processed_at = timezone.now()
                inbound.save(update_fields=[*_OUTCOME, "processed_at"])
        except Exception as exc:  # the message stays kept, quarantined with the new reason
            _mark_quarantined(inbound, raw, exc)
            inbound.save(update_fields=[*_OUTCOME, "processed_at"])
    return inbound


_OUTCOME = ("message_id", "from_address", "subject", "state", "reason", "result", "attempts")


def _said(exc: Exception) -> str:
    fields = getattr(exc, "fields", None)
    if fields:
        return "; ".join(f"{name}: {' '.join(map(str, said))}" for name, said in fields.items())
    return str(exc)


def _headline(raw: bytes) -> dict[str, str]:
    """Sender, subject and id of a quarantined message, for its list (when they can be read)."""
    try:
        parsed = parse(raw)
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


_RECENT_FROM_SENDER = f"""
SELECT count(*) FROM (
    SELECT 1 FROM "{InboundMail._meta.db_table}"
    WHERE lower(from_address) = %s AND received_at >= %s AND state <> 'refused'
    LIMIT %s
) recent
"""


class _Processing:
    def __init__(self, inbound: InboundMail, raw: bytes, *, retry: bool) -> None:
        self.inbound = inbound
        self.raw = raw
        self.retry = retry
        self.notes: list[str] = []

    def finish(self, state: str, reason: str = "", result_id: int | None = None) -> None:
        self.inbound.state = state
        self.inbound.reason = "; ".join([*self.notes, reason] if reason else self.notes)[:500]
        self.inbound.result_id = result_id
        log.info("inbound mail %s: %s %s", self.inbound.message_id, state, self.inbound.reason)

    def run(self) -> None:
        inbound = self.inbound
        try:
            parsed = parse(self.raw)
        except Unreadable as exc:
            self.finish(InboundState.QUARANTINED, str(exc))
            return
        inbound.message_id = parsed.message_id
        inbound.from_address = parsed.from_address
        inbound.subject = parsed.subject
        if not parsed.from_address:
            self.finish(InboundState.REFUSED, "No From address: nobody to answer.")
            return
        # One lookup by the Message-ID index: this message (a duplicate) and those it answers.
        named = [parsed.message_id, parsed.in_reply_to, *parsed.references]
        known = {
            message_id: (pk, case_id)
            for message_id, pk, case_id in Message.objects.filter(
                message_id__in=[i for i in named if i]
            ).values_list("message_id", "pk", "case_id")
        }
        if parsed.message_id in known:
            self.finish(
                InboundState.DUPLICATE,
                "Already stored (same Message-ID).",
                known[parsed.message_id][0],
            )
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
        case, how = self.find_case(parsed, known)
        sender = self.sender_of(parsed, case, create=not automatic)
        if case is None and automatic:
            self.finish(InboundState.AUTOMATIC, f"Automatic ({automatic}) and on no case.")
            return
        case = self.case_for(case, parsed, sender)
        message = self.store(case, parsed, sender, automatic=bool(automatic), how=how)
        if automatic:
            self.finish(InboundState.AUTOMATIC, f"Automatic ({automatic}); kept on the case.")
        else:
            self.finish(InboundState.PROCESSED, f"On case #{case.pk} ({how}).")
        self.inbound.result = message

    # --- what the message is ----------------------------------------------------------------

    def over_rate_limit(self, address: str) -> bool:
        """The sender's mail in the window, counted up to the limit by the sender index
        (SQL of its own: it runs for every message)."""
        since = timezone.now() - timedelta(seconds=settings.INBOUND_MAIL_WINDOW_SECONDS)
        limit = settings.INBOUND_MAIL_PER_SENDER
        with connection.cursor() as cursor:
            cursor.execute(_RECENT_FROM_SENDER, [address.lower(), since, limit])
            return cursor.fetchone()[0] >= limit

    def find_case(
        self, parsed: Parsed, known: dict[str, tuple[int, int]]
    ) -> tuple[Case | None, str]:
        # The message it answers, else the latest of its references that we know.
        for named in [parsed.in_reply_to, *reversed(parsed.references)]:
            if named in known:
                return _case(known[named][1]), "reply headers"
        recipients = [*self.inbound.envelope_to, *parsed.to, *parsed.cc]
        case_id, token_seen = addresses.token_case(recipients)
        if case_id is not None:
            case = _case(case_id)
            if case is not None:
                return case, "case token"
        if token_seen:
            self.notes.append("A case token in the address did not verify (ignored)")
        tagged = addresses.subject_case(parsed.subject)
        if tagged is not None:
            case = _case(tagged)
            if case is not None and self.case_knows(case, parsed.from_address):
                return case, "subject tag"
            self.notes.append(f"Subject names case #{tagged}, which does not know this sender")
        return None, "new case"

    def case_knows(self, case: Case, address: str) -> bool:
        """The sender is the case's customer or partner, or has written on it before."""
        for person in (case.customer, case.partner):
            if person is not None and (person.email or "").lower() == address:
                return True
        return (
            Message.objects.filter(case=case)
            .annotate(sender=Lower("from_address"))
            .filter(sender=address)
            .exists()
        )

    def sender_of(self, parsed: Parsed, case: Case | None, *, create: bool) -> Sender:
        address = parsed.from_address
        partner = case.partner if case is not None else None
        if partner is not None and partner.email.lower() == address:
            return Sender(Party.PARTNER, partner=partner)
        customer = case.customer if case is not None else None
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
                return _case(case.pk)
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
        kept = self.attach(message, parsed)
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
                "attachments": kept,
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

    def attach(self, message: Message, parsed: Parsed) -> int:
        """Store the attachments the settings allow; how many were kept."""
        kept = 0
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
            kept += 1
        return kept

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


def _case(case_id: int) -> Case | None:
    """A case with the people threading compares the sender with (one query)."""
    return Case.objects.select_related("customer", "partner").filter(pk=case_id).first()


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
