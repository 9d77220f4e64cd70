"""The unpark sweep: parked cases whose park time passed go back to the open queue."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from sweeps.engine import BATCH, SweepResult, run_sweep

from ..models import (
    Case,
    CaseStatus,
)
from .transitions import transition_case


def unpark_batch(now: datetime, limit: int) -> int:
    """Return parked cases whose park time has passed to the open queue, each through the
    one transition path (rows another sweep holds are skipped)."""
    with transaction.atomic():
        due = list(
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
                reason=f"Park time {until:%Y-%m-%d %H:%M %Z} reached.",
            )
    return len(due)


def sweep_unpark(*, now: datetime | None = None, **options) -> SweepResult:
    return run_sweep("unpark", unpark_batch, now=now, **options)


def unpark_due_cases(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Unpark everything due; the number unparked."""
    return sweep_unpark(now=now, batch=limit).processed
