"""Reading an e-mail as it arrived: the standard library's `email` package (policy
`default`) for the structure, headers and transfer encodings; any charset, with a fallback
for one Python does not know; the text part preferred, the HTML part made safe with nh3;
attachments as bytes. Nothing here touches the database."""

from __future__ import annotations

import email
import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import getaddresses, parseaddr

import nh3

MSG_ID = re.compile(r"<[^<>\s]{1,250}>")
SUBJECT_MAX = 255
# Tags kept from an HTML body: nh3's defaults without images (remote images are how
# senders track opens, and an agent's console must not fetch them).
SAFE_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}


@dataclass(frozen=True)
class Part:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Parsed:
    """A message as read; `raw_headers` holds each header's first raw value by lower-case
    name (read without the header registry, which is most of a message's parsing time),
    for the headers that need no decoding."""

    message_id: str
    in_reply_to: str
    references: list[str]
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    html: str
    attachments: list[Part]
    message: Message
    defects: list[str] = field(default_factory=list)
    raw_headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """A header that needs no decoding (Auto-Submitted, Precedence, List-Id...)."""
        return self.raw_headers.get(name.lower(), "")


class Unreadable(Exception):
    """The bytes are not an e-mail we can read at all."""


def header_text(message: Message, name: str) -> str:
    """A header's value as text, or "" when it is missing or cannot be decoded."""
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot make sense of counts as absent
        return ""
    if value is None:
        return ""
    return " ".join(str(value).split())


def message_ids(value: str) -> list[str]:
    """The <id@host> identifiers in an In-Reply-To or References header, in order."""
    return MSG_ID.findall(value or "")


def _decode(part: Message) -> str:
    """A text part as a string: its declared charset, else UTF-8, else Latin-1 (which reads
    any bytes), so an unknown or wrong charset never stops the message."""
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        pass
    data = part.get_payload(decode=True) or b""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def safe_html(value: str) -> str:
    """The HTML made safe to show: no scripts, styles, images, handlers or unknown tags."""
    return nh3.clean(value, tags=SAFE_TAGS)


_BREAKS = re.compile(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6])>")


def text_of_html(value: str) -> str:
    """Readable text from an HTML body (for a message that has no text part)."""
    marked = _BREAKS.sub("\n", value)
    stripped = html_lib.unescape(nh3.clean(marked, tags=set()))
    lines = [line.strip() for line in stripped.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _addresses(message: Message, name: str) -> list[str]:
    try:
        values = message.get_all(name) or []
        pairs = getaddresses([str(v) for v in values])
    except Exception:
        return []
    return [address.strip().lower() for _, address in pairs if "@" in address]


def parse(raw: bytes) -> Parsed:
    """Read an e-mail's bytes; raises Unreadable only when there is nothing to read."""
    if not raw or not raw.strip():
        raise Unreadable("The message is empty.")
    try:
        message = email.message_from_bytes(raw, policy=default_policy)
    except Exception as exc:  # the parser is lenient; this is the bytes being no e-mail
        raise Unreadable(f"The message cannot be parsed: {type(exc).__name__}: {exc}") from exc
    defects = [type(d).__name__ for d in message.defects]
    raw_headers = _raw_headers(message)
    message_id = (message_ids(raw_headers.get("message-id", "")) or [""])[0]
    if not message_id:
        # No Message-ID: one made from the bytes, so the same message delivered twice is
        # still stored once.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.casework>"
    try:
        name, address = parseaddr(header_text(message, "From"))
    except Exception:
        name, address = "", ""
    address = address.strip().lower() if "@" in address else ""
    text, html, attachments = _body(message, defects)
    return Parsed(
        message_id=message_id,
        in_reply_to=(message_ids(raw_headers.get("in-reply-to", "")) or [""])[0],
        references=message_ids(raw_headers.get("references", ""))[-20:],
        from_address=address[:254],
        from_name=name.strip()[:128],
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        subject=header_text(message, "Subject")[:SUBJECT_MAX],
        text=text,
        html=html,
        attachments=attachments,
        message=message,
        defects=defects,
        raw_headers=raw_headers,
    )


def _raw_headers(message: Message) -> dict[str, str]:
    headers: dict[str, str] = {}
    try:
        items = message.raw_items()
        for name, value in items:
            key = name.lower()
            if key not in headers:
                headers[key] = " ".join(str(value).split())
    except Exception:  # an unreadable header block: as if it had none
        return headers
    return headers


def _body(message: Message, defects: list[str]) -> tuple[str, str, list[Part]]:
    text = html = ""
    attachments: list[Part] = []
    if not isinstance(message, EmailMessage):  # always one with policy `default`
        return _decode(message), "", []
    try:
        plain_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except Exception as exc:
        defects.append(f"body: {type(exc).__name__}")
        plain_part = html_part = None
    if html_part is not None:
        html = safe_html(_decode(html_part))
    if plain_part is not None:
        text = _decode(plain_part)
    elif html_part is not None:
        text = text_of_html(_decode(html_part))
    elif not message.is_multipart() and message.get_content_maintype() == "text":
        text = _decode(message)
    try:
        parts = list(message.iter_attachments())
    except Exception as exc:
        defects.append(f"attachments: {type(exc).__name__}")
        parts = []
    for index, part in enumerate(parts, start=1):
        if part.get_content_maintype() == "multipart":
            continue
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            defects.append(f"attachment {index}: undecodable")
            continue
        if isinstance(data, str):
            data = data.encode("utf-8")
        filename = part.get_filename() or f"attachment-{index}"
        attachments.append(
            Part(filename=_safe_filename(filename), content_type=part.get_content_type(), data=data)
        )
    return text.replace("\r\n", "\n").strip(), html, attachments


def _safe_filename(name: str) -> str:
    """A name a storage can keep: no directories, no control characters, not too long."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip(" .") or "attachment"
    return base[-120:]
