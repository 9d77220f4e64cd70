"""The case page's header: who and what the case is about, and its clocks, at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse

from core.counts import capped_counts

from ..models import Booking, Case
from .sla_badge import sla_badge

OTHER_CASES_CAP = 99


@dataclass(frozen=True)
class Clock:
    label: str
    at: datetime | None
    note: str = ""


def case_header(case: Case) -> dict[str, Any]:
    """Customer (with their other cases and bookings), booking, partner and the SLA clocks;
    two capped counts in one query beyond the rows the page already read with the case."""
    header: dict[str, Any] = {
        "customer": case.customer,
        "booking": case.booking,
        "partner": case.partner,
        "zone": case.city.region.timezone if case.city_id else "",
        "sla": sla_badge(case),
    }
    if case.customer_id:
        others, bookings = capped_counts(
            [
                Case.objects.filter(customer_id=case.customer_id).exclude(pk=case.pk),
                Booking.objects.filter(customer_id=case.customer_id),
            ],
            OTHER_CASES_CAP,
        )
        header["other_cases"] = str(others)
        header["bookings"] = str(bookings)
        header["other_cases_url"] = (
            reverse("admin:cases_case_changelist")
            + f"?work=all&customer__id__exact={case.customer_id}&other_than={case.pk}"
        )
        header["customer_url"] = reverse("admin:cases_customer_change", args=[case.customer_id])
    clocks = [
        Clock(
            "First response due",
            case.first_response_due_at,
            "answered" if case.first_responded_at else "",
        ),
        Clock("Resolution due", case.resolution_due_at),
    ]
    if case.paused_since:
        clocks.append(Clock("Clock paused since", case.paused_since))
    if case.first_response_breached_at or case.resolution_breached_at:
        clocks.append(
            Clock("Breached at", case.resolution_breached_at or case.first_response_breached_at)
        )
    if case.due_at:  # the agent's own promise, beside the system's clocks
        passed = case.is_overdue
        clocks.append(Clock("Promised to the customer by", case.due_at, "passed" if passed else ""))
    header["clocks"] = clocks
    return header
