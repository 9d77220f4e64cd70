"""Long lists of the case page rendered in Python rather than by the template engine: the
timeline (up to 200 entries) and, for the apps above, their rows. The markup is the one
the template wrote (the same classes and attributes); every value is escaped. A case with
a long history then costs about what a short one does."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..timeline import Entry


def moment(value: datetime | None, zone: tzinfo | None = None) -> str:
    """As the template's `date:"j M Y, H:i T"`: "7 Dec 2026, 15:20 IST", in `zone` (default:
    the active one; a long list reads it once and passes it: asking for it is not free)."""
    if value is None:
        return ""
    local = value.astimezone(zone or timezone.get_current_timezone())
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".rstrip()


def lines(text: str) -> str:
    """As the template's `linebreaksbr`: escaped, each line break a <br>."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def timeline_html(entries: Iterable[Entry]) -> SafeString:
    out = []
    zone = timezone.get_current_timezone()
    for entry in entries:
        kind = escape(entry.kind)
        told = ' <span class="cw-badge">told the customer</span>' if entry.public else ""
        reason = f'<p class="cw-entry-reason">{lines(entry.reason)}</p>' if entry.reason else ""
        policy = (
            f'<p class="cw-entry-policy">Policy {escape(entry.policy_version)}</p>'
            if entry.policy_version
            else ""
        )
        out.append(
            f'<li class="cw-entry cw-entry-{kind}" data-kind="{kind}">'
            f'<p class="cw-entry-head"><time>{moment(entry.at, zone)}</time> '
            f"<strong>{escape(entry.who)}</strong> {escape(entry.sentence)}{told}</p>"
            f"{reason}{policy}</li>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
