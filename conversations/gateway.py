"""The SMTP gateway: the company's mail server forwards the support address here (as
Request Tracker's mail gate takes mail). aiosmtpd speaks SMTP; each message is handed to
`receive_mail` on a worker thread (the ORM is synchronous). The gateway answers 250 only
once the message is stored, and 451 (try again later) when it could not be, so the sending
server keeps it and retries: nothing is lost either way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connections

from .services import receive_mail

log = logging.getLogger(__name__)


def _receive(content: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
    close_old_connections()
    try:
        inbound = receive_mail(content, via="smtp", envelope_from=mail_from, envelope_to=rcpt_tos)
    except Exception:
        log.exception("an inbound message could not be stored")
        return "451 4.3.0 Could not store the message; try again later"
    finally:
        close_old_connections()
    return f"250 2.0.0 Stored as {inbound.pk}"


class MailHandler:
    """Takes mail for the support address's domain; refuses to be anybody's relay."""

    def __init__(self, workers: int = 4) -> None:
        self.domain = settings.SUPPORT_EMAIL.rpartition("@")[2].lower()
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mailgate")

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.rpartition("@")[2].lower() != self.domain:
            return f"550 5.7.1 Only mail for {self.domain} is taken here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", errors="surrogateescape")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, _receive, content, envelope.mail_from or "", list(envelope.rcpt_tos)
        )


def _smtp(handler: MailHandler) -> SMTP:
    return SMTP(
        handler,
        data_size_limit=settings.MAIL_MAX_MESSAGE_BYTES,
        enable_SMTPUTF8=True,
        ident="Casework mail gateway",
    )


def serve_processes(host: str, port: int, *, processes: int, workers: int) -> None:
    """Run the gateway in `processes` processes sharing one listening socket (the kernel
    hands each connection to one of them), each with its own worker threads and database
    connection: processing is Python-bound, so processes, not threads, use the cores.
    Returns when every process has ended (SIGTERM or SIGINT ends them)."""
    listener = socket.create_server((host, port), reuse_port=False, backlog=128)
    connections.close_all()  # each process opens its own
    children: list[int] = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 0
            try:
                _serve_one(listener, workers)
            except BaseException:
                log.exception("mail gateway process failed")
                code = 1
            os._exit(code)
        children.append(pid)
    listener.close()

    def stop(*_: Any) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _serve_one(listener: socket.socket, workers: int) -> None:  # pragma: no cover - child
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = MailHandler(workers=workers)
    server = loop.run_until_complete(loop.create_server(lambda: _smtp(handler), sock=listener))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        handler.executor.shutdown(wait=True)


def start_gateway(host: str, port: int, *, workers: int = 4) -> Controller:
    """Start the gateway on a thread of its own; `stop()` the returned controller to end."""
    controller = Controller(
        MailHandler(workers=workers),
        hostname=host,
        port=port,
        data_size_limit=settings.MAIL_MAX_MESSAGE_BYTES,
        enable_SMTPUTF8=True,
        ident="Casework mail gateway",
    )
    controller.start()
    return controller
