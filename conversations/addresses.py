"""Where replies come back: the support address with a case token in it
(`support+c123-<signature>@…`, signed with the secret key so nobody can make a token for
a case they were not written from), and the `[#123]` tag in subjects."""

from __future__ import annotations

import hmac
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

_TOKEN = re.compile(r"\+c(\d{1,12})-([0-9a-f]{16})@", re.I)
_SUBJECT_TAG = re.compile(r"\[#(\d{1,12})\]")
_SALT = "conversations.case-token"


def _signature(case_id: int) -> str:
    return salted_hmac(_SALT, f"case:{case_id}").hexdigest()[:16]


def support_address() -> str:
    return settings.SUPPORT_EMAIL


def reply_address(case_id: int) -> str:
    """The support address that brings a reply back to the case."""
    local, _, domain = support_address().partition("@")
    return f"{local}+c{case_id}-{_signature(case_id)}@{domain}"


def token_case(addresses: list[str]) -> tuple[int | None, bool]:
    """The case a reply-to token names among the addresses, and whether a token was there
    at all (a token present but not verified is forged or damaged)."""
    seen = False
    for address in addresses:
        match = _TOKEN.search(address)
        if not match:
            continue
        seen = True
        case_id, signature = int(match.group(1)), match.group(2).lower()
        if hmac.compare_digest(signature, _signature(case_id)):
            return case_id, True
    return None, seen


def subject_case(subject: str) -> int | None:
    match = _SUBJECT_TAG.search(subject or "")
    return int(match.group(1)) if match else None


def tagged_subject(subject: str, case_id: int) -> str:
    """The subject with the case's tag, once."""
    tag = f"[#{case_id}]"
    return subject if tag in subject else f"{subject} {tag}".strip()
