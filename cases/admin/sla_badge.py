"""The SLA badge of a queue row: time left, red when breached, grey when paused."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.times import when

from ..models import OPEN_STATES, Case

SOON = timedelta(hours=1)


def _left(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def sla_badge(case: Case) -> str:
    if case.status not in OPEN_STATES:
        return format_html('<span class="cw-badge">{}</span>', case.get_status_display())
    if case.sla_breached:
        return mark_safe('<span class="cw-badge cw-danger" title="SLA breached">Breached</span>')
    if case.paused_since is not None:
        return mark_safe('<span class="cw-badge cw-paused" title="Clock paused">Paused</span>')
    if case.next_deadline_at is None:
        return mark_safe('<span class="cw-badge">No clock</span>')
    left = case.next_deadline_at - timezone.now()
    if left <= timedelta(0):
        return mark_safe('<span class="cw-badge cw-danger">Due now</span>')
    tone = "cw-warn" if left <= SOON else "cw-ok"
    return format_html(
        '<span class="cw-badge {}" title="Next deadline {}">{} left</span>',
        tone,
        when(case.next_deadline_at, short=True),
        _left(left),
    )
