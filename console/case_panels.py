"""What the console adds to the case page from the apps below it (registered with
cases.admin.page, since payouts may not import the case admin): the partner's PAF rate over
the metrics window, next to their rating and programmes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from cases.models import Case
from payouts.selectors import paf_rate


def case_page_panel(request: HttpRequest, case: Case, page: dict[str, Any]) -> dict[str, Any]:
    if not case.partner_id:
        return {}
    # The page renders in the case's region zone, so "today" is the region's day.
    figures = paf_rate(case.partner_id, today=timezone.localdate())
    rate = figures["rate"]
    return {"partner_pafs": {**figures, "rate": None if rate is None else f"{rate * 100:.1f}%"}}
