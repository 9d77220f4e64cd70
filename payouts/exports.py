"""The bank file of a payout run, streamed as CSV (console and API share it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse

from core.csv import stream_rows

from .models import PayoutRun


def stream_bank_file(run: PayoutRun, rows: Iterable[tuple[str, ...]]) -> StreamingHttpResponse:
    """The run's bank file as a download; the rows are cells the export service made safe."""
    filename = f"payout-run-{run.pk}-{run.currency}-{run.period_end:%Y%m%d}.csv"
    return stream_rows(filename, rows)
