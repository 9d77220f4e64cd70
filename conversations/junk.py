"""Recognising what must never be answered automatically (RFC 3834 and its common
practice) and delivery status notifications (bounces, RFC 3464)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from .parsing import Parsed, header_text, message_ids

AUTOMATIC_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply")
BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}


def automatic_reason(parsed: Parsed, *, envelope_from: str | None = None) -> str:
    """Why this message is automatic (an auto-reply, a list's mail, a bounce), or ""."""
    auto = parsed.header("Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"
    precedence = parsed.header("Precedence").lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if parsed.header(name):
            return f"{name} header"
    if parsed.header("List-Id"):
        return "List-Id header (a mailing list)"
    local = parsed.from_address.split("@")[0]
    if any(local == s or local.startswith(s + "+") for s in AUTOMATIC_SENDERS):
        return f"sent by {parsed.from_address}"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "null return path (a delivery notification)"
    if is_bounce(parsed):
        return "delivery status notification"
    return ""


def is_bounce(parsed: Parsed) -> bool:
    message = parsed.message
    if message.get_content_type() == "multipart/report":
        return message.get_param("report-type", "").lower() == "delivery-status"
    return parsed.from_address.split("@")[0] in ("mailer-daemon", "postmaster") and (
        "undeliver" in parsed.subject.lower() or "failure" in parsed.subject.lower()
    )


@dataclass(frozen=True)
class Bounce:
    failed: list[str]  # the addresses the mail could not reach
    original_ids: list[str]  # Message-IDs of the mail that bounced (ours)


def read_bounce(parsed: Parsed) -> Bounce:
    """The failed recipients and the bounced mail's Message-ID from a DSN."""
    failed: list[str] = []
    originals: list[str] = []
    for part in parsed.message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in _status_blocks(part):
                action = header_text(block, "Action").lower()
                recipient = header_text(block, "Final-Recipient") or header_text(
                    block, "Original-Recipient"
                )
                address = recipient.split(";")[-1].strip().strip("<>").lower()
                if "@" in address and action in ("", "failed"):
                    failed.append(address)
        elif kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            originals.extend(_original_ids(part))
    if not originals:
        originals = [parsed.in_reply_to, *parsed.references]
    return Bounce(failed=sorted(set(failed)), original_ids=[i for i in originals if i])


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    return []


def _original_ids(part: Message) -> list[str]:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return message_ids(header_text(payload[0], "Message-ID"))
    text = payload if isinstance(payload, str) else ""
    for line in text.splitlines():
        if line.lower().startswith("message-id:"):
            return message_ids(line)
    return []
