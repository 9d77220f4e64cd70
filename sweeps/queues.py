"""The sweeps of the apps above the domain (a backtest's lease): each app registers its sweep
and how to read its due rows, so flows.clocks (the clock health, "every sweep once") knows
every sweep without the layers below importing the ones above."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Q

# name -> now -> (manager, the due column, the due condition)
QUEUES: dict[str, Callable[[datetime], tuple[Any, str, Q]]] = {}
# name -> the sweep (called with now=)
SWEEPS: dict[str, Callable[..., Any]] = {}


def register_queue(
    name: str, build: Callable[[datetime], tuple[Any, str, Q]], sweep: Callable[..., Any]
) -> None:
    QUEUES[name] = build
    SWEEPS[name] = sweep
