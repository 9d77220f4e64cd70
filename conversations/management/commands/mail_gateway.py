"""`manage.py mail_gateway --port 2525`: take the support address's mail over SMTP."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from conversations.gateway import serve_processes, start_gateway


class Command(BaseCommand):
    help = "Run the SMTP gateway that turns mail to the support address into cases."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument("--workers", type=int, default=4, help="threads per process")
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="processes sharing the port (processing is Python-bound: one per core)",
        )

    def handle(
        self, *args: Any, host: str, port: int, workers: int, processes: int, **options: Any
    ) -> None:
        if processes > 1:
            self.stdout.write(
                f"Mail gateway on smtp://{host}:{port}/ in {processes} processes (Ctrl-C to stop)"
            )
            self.stdout.flush()
            serve_processes(host, port, processes=processes, workers=workers)
            return
        controller = start_gateway(host, port, workers=workers)
        self.stdout.write(f"Mail gateway on smtp://{host}:{port}/ (Ctrl-C to stop)")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        controller.stop()
