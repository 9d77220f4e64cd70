"""`{{ moment|when }}`: a moment written with its zone, in the zone the page activated
(core.times.when). `{{ moment|when:"short" }}` for badges and tight columns."""

from __future__ import annotations

from datetime import datetime

from django import template

from core.times import when as write_when

register = template.Library()


@register.filter(expects_localtime=False)
def when(moment: datetime | None, style: str = "") -> str:
    return write_when(moment, short=style == "short")
