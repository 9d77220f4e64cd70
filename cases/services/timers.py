"""Clocks the system keeps on cases: sweeps over indexed due columns, safe to run twice."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import Case, CaseStatus
from .transitions import transition_case


def unpark_due_cases(*, now: datetime | None = None, limit: int = 500) -> int:
    """Return parked cases whose park time has passed to the open queue. Safe to run twice:
    rows another sweep holds are skipped, and each unpark goes through transition_case."""
    now = now or timezone.now()
    done = 0
    with transaction.atomic():
        due = (
            Case.objects.select_for_update(skip_locked=True)
            .filter(status=CaseStatus.PARKED, parked_until__lte=now)
            .order_by("parked_until")
            .values_list("pk", "parked_until")[:limit]
        )
        for case_id, until in due:
            transition_case(
                case_id=case_id,
                name="unpark",
                actor=None,
                role_checked=True,
                reason=f"Park time {until:%Y-%m-%d %H:%M} reached.",
            )
            done += 1
    return done
