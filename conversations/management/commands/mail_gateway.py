"""`manage.py mail_gateway --port 2525`: take the support address's mail over SMTP."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from conversations.gateway import start_gateway


class Command(BaseCommand):
    help = "Run the SMTP gateway that turns mail to the support address into cases."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--workers", type=int, default=4)

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        controller = start_gateway(host, port, workers=workers)
        self.stdout.write(f"Mail gateway on smtp://{host}:{port}/ (Ctrl-C to stop)")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        controller.stop()
