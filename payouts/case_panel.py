"""What payouts adds to the case page (registered with cases.admin.page): the partner's PAF
rate over the metrics window, next to their rating and programmes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from cases.models import Case

from .selectors import paf_rate


def case_page_panel(request: HttpRequest, case: Case, may_change: bool) -> dict[str, Any]:
    if not case.partner_id:
        return {}
    # The page renders in the case's region zone, so "today" is the region's day.
    figures = paf_rate(case.partner_id, today=timezone.localdate())
    rate = figures["rate"]
    return {"partner_pafs": {**figures, "rate": None if rate is None else f"{rate * 100:.1f}%"}}
