"""The clock health's queues from the apps above the domain (a backtest's lease): each app
registers how to read its due rows (flows.clocks reads the domain's own and these), so the
health knows every sweep without the layers below importing the ones above."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Q

# name -> now -> (manager, the due column, the due condition)
QUEUES: dict[str, Callable[[datetime], tuple[Any, str, Q]]] = {}


def register_queue(name: str, build: Callable[[datetime], tuple[Any, str, Q]]) -> None:
    QUEUES[name] = build
