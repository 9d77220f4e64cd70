"""Running a sweep: batches, each its own transaction (`FOR UPDATE SKIP LOCKED` over the
due rows, taken by the batch step), until a batch comes back short or the budget is spent;
the run recorded for the health check. And one helper sweeps share: many rows saved in one
statement."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import SweepStatus

BATCH = 500
BUDGET_SECONDS = 50.0  # a sweep started every minute ends before the next one starts


@dataclass(frozen=True)
class SweepResult:
    name: str
    processed: int
    batches: int


def run_sweep(
    name: str,
    batch_step: Callable[[datetime, int], int],
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    budget_seconds: float = BUDGET_SECONDS,
    max_batches: int | None = None,
) -> SweepResult:
    """Run a sweep's batches (each its own transaction) until a batch comes back short, the
    budget is spent or max_batches ran; record the run for the health check. `now` fixes the
    sweep's moment (tests and benchmarks); by default each batch reads the clock."""
    started = timezone.now()
    _status(name, last_started_at=started)
    deadline = time.monotonic() + budget_seconds
    processed = batches = 0
    try:
        while True:
            done = batch_step(now or timezone.now(), batch)
            processed += done
            batches += 1
            if done < batch or time.monotonic() > deadline:
                break
            if max_batches is not None and batches >= max_batches:
                break
    except Exception as exc:
        _status(name, last_finished_at=timezone.now(), last_error=f"{type(exc).__name__}: {exc}")
        raise
    _status(name, last_finished_at=timezone.now(), last_processed=processed, last_error="")
    return SweepResult(name=name, processed=processed, batches=batches)


def _status(name: str, **fields: object) -> None:
    updated = SweepStatus.objects.filter(name=name).update(
        **fields, **({"runs": F("runs") + 1} if "last_started_at" in fields else {})
    )
    if not updated:
        SweepStatus.objects.get_or_create(name=name, defaults={**fields, "runs": 1})


def update_rows(model: type, rows: list, fields: tuple[str, ...]) -> None:
    """Save `fields` of many rows in one `UPDATE ... FROM (VALUES ...)` (a sweep's batch;
    Django's bulk_update builds a CASE per field and row, slow at hundreds of rows)."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    casts = [column.db_type(connection) for column in columns]
    assignments = ", ".join(
        f'"{column.column}" = v."{column.column}"::{cast}'
        for column, cast in zip(columns, casts, strict=True)
    )
    placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"] * len(rows))
    names = ", ".join(['"id"', *(f'"{column.column}"' for column in columns)])
    params: list[object] = []
    for row in rows:
        params.append(row.pk)
        params.extend(
            column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{meta.db_table}" AS t SET {assignments} '
            f"FROM (VALUES {placeholders}) AS v({names}) WHERE t.id = v.id::bigint",
            params,
        )
