"""Cutting the quoted history from a reply, so the timeline shows only what is new.

Mail programs quote in a few ways; each rule below marks where the history starts:
  "On Mon, 7 Dec 2026, Casework <support@...> wrote:" (Gmail, Apple Mail, Thunderbird;
  the line may wrap before "wrote:"), "-----Original Message-----" (Outlook, Exchange),
  a "From: ..." line followed by "Sent:" or "Date:" (Outlook's header block), a line of
  underscores (Outlook on the web), lines quoted with ">", and "-- " (a signature, RFC 3676).
If the rules would leave nothing, the whole text is kept: something beats nothing."""

from __future__ import annotations

import re

_ON_WROTE = re.compile(r"^\s*(On|Le|Am|El)\s.+(wrote|a écrit|schrieb|escribió)\s*:\s*$", re.I)
_ON_START = re.compile(r"^\s*(On|Le|Am|El)\s.{10,}", re.I)
_WROTE_END = re.compile(r"(wrote|a écrit|schrieb|escribió)\s*:\s*$", re.I)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,}", re.I)
_HEADER_FROM = re.compile(r"^\s*\*?From:\*?\s", re.I)
_HEADER_NEXT = re.compile(r"^\s*\*?(Sent|Date|To|Subject):\*?\s", re.I)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")


def _history_starts(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if _ON_WROTE.match(line) or _ORIGINAL.match(line) or _UNDERSCORES.match(line):
            return index
        if _ON_START.match(line) and index + 1 < len(lines) and _WROTE_END.search(lines[index + 1]):
            return index
        if _HEADER_FROM.match(line) and any(
            _HEADER_NEXT.match(following) for following in lines[index + 1 : index + 4]
        ):
            return index
        if line.rstrip("\r") == "-- ":
            return index
    return None


def new_text(text: str) -> str:
    """The reply without the history it quotes."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = _history_starts(lines)
    if cut is not None:
        lines = lines[:cut]
    kept = [line for line in lines if not line.lstrip().startswith(">")]
    result = "\n".join(kept).strip()
    return result or text.strip()
