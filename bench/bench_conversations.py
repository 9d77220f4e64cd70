"""Benchmark: mail in through the SMTP gateway, threading at 1,000,000 stored messages, and
the case page with 200 messages on it.

Run by `make bench` on the casework_bench database:

    DATABASE_URL=postgres://casework:casework@127.0.0.1:54329/casework_bench \\
        .venv/bin/python bench/bench_conversations.py [--mails 10000]

1. Stored messages are brought to 1,000,000 once (COPY onto existing bench cases), and the
   threading lookup's plan is shown (EXPLAIN ANALYZE: the Message-ID index, whatever the
   number of rows).
2. The gateway runs in this process (4 worker threads, as `manage.py mail_gateway`); 4 SMTP
   clients send `--mails` messages over kept connections: 40% from new senders (new cases),
   60% replies naming an earlier message in In-Reply-To, one in five with a 50 kB image.
   Reported: wall time from the first message sent to the last stored, and per second.
3. A case gets 200 messages (100 in, 100 out); its page is timed as the agent reads it.
Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import threading
import time
import uuid
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.bench_console import console_for, measure  # noqa: E402
from cases.models import Case, Customer  # noqa: E402
from conversations.gateway import start_gateway  # noqa: E402
from conversations.models import InboundMail, Message  # noqa: E402
from conversations.services import receive_mail, send_message  # noqa: E402

STORED = 1_000_000
PNG = b"\x89PNG\r\n\x1a\n" + bytes(50_000)


def fill_messages(target: int) -> int:
    """Bring the stored messages to `target` with COPY (onto the first bench cases)."""
    have = Message.objects.count()
    missing = target - have
    if missing <= 0:
        return have
    cases = list(Case.objects.order_by("pk").values_list("pk", flat=True)[:100_000])
    started = time.perf_counter()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY conversations_message (case_id, direction, channel, party, message_id,"
            ' in_reply_to, "references", from_address, from_name, "to", subject, text,'
            " full_text, html, automatic, template, at) FROM STDIN"
        )
        with cursor.copy(copy_sql) as copy:
            for n in range(have, target):
                copy.write_row(
                    (
                        cases[n % len(cases)],
                        "in",
                        "email",
                        "customer",
                        f"<bench-{n}@bench.casework>",
                        "",
                        "{}",
                        f"sender{n % 50_000}@bench.example",
                        "",
                        "{}",
                        "Bench message",
                        "Stored for the threading plan.",
                        "",
                        "",
                        False,
                        "",
                        "2026-11-01 10:00:00+00",
                    )
                )
        cursor.execute("ANALYZE conversations_message")
    print(f"stored {missing} messages in {time.perf_counter() - started:.1f} s")
    return target


def threading_plan() -> None:
    ids = [f"<bench-{n}@bench.casework>" for n in (17, 500_000, 999_999)]
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT case_id FROM conversations_message"
            " WHERE message_id = ANY(%s) ORDER BY at DESC, id DESC LIMIT 1",
            [ids],
        )
        for (line,) in cursor.fetchall():
            print("  " + line)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mails(count: int, run: str) -> list[list[tuple[str, bytes]]]:
    """`count` mails for 4 clients: new threads and replies to them, some with an image."""
    per_client: list[list[tuple[str, bytes]]] = [[] for _ in range(4)]
    threads: list[tuple[str, str]] = []  # (sender, a message id of the thread)
    for n in range(count):
        message = EmailMessage()
        message["To"] = settings.SUPPORT_EMAIL
        message_id = f"<{run}-{n}@bench.example>"
        message["Message-ID"] = message_id
        if n % 5 < 2 or not threads:
            sender = f"{run}-{n}@bench.example"
            message["Subject"] = f"Bench problem {n}"
            threads.append((sender, message_id))
            thread = len(threads) - 1
        else:
            thread = (n * 7919) % len(threads)
            sender, earlier = threads[thread]
            message["Subject"] = "Re: Bench problem"
            message["In-Reply-To"] = earlier
            message["References"] = earlier
        message["From"] = sender
        message.set_content(f"Message {n}.\n\nOn Mon, Support wrote:\n> earlier text")
        if n % 5 == 0:
            message.add_attachment(PNG, maintype="image", subtype="png", filename="photo.png")
        per_client[thread % 4].append((sender, message.as_bytes(policy=SMTP)))
    return per_client


def _gateway_process(port: int, processes: int) -> subprocess.Popen:
    """`manage.py mail_gateway` as it is run in production, in processes of its own."""
    env = {
        **os.environ,
        "INBOUND_MAIL_PER_SENDER": "1000",  # the bench's senders write often
        "MEDIA_ROOT": str(ROOT / ".local" / "bench-media"),
    }
    command = [sys.executable, str(ROOT / "manage.py"), "mail_gateway", "--port", str(port)]
    command += ["--processes", str(processes), "--workers", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as smtp:
                smtp.noop()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the mail gateway did not start")


def ingest(count: int, processes: int) -> None:
    settings.INBOUND_MAIL_PER_SENDER = 1_000  # the bench's senders write often
    settings.MEDIA_ROOT = str(ROOT / ".local" / "bench-media")
    run = uuid.uuid4().hex[:8]
    batches = _mails(count, run)
    port = _free_port()
    if processes:
        gateway = _gateway_process(port, processes)
        where = f"manage.py mail_gateway --processes {processes}"
    else:
        gateway = start_gateway("127.0.0.1", port, workers=4)
        where = "the gateway in this process (4 threads)"
    before = InboundMail.objects.count()
    errors: list[str] = []

    def client(batch: list[tuple[str, bytes]]) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            for sender, raw in batch:
                try:
                    smtp.sendmail(sender, [settings.SUPPORT_EMAIL], raw)
                except smtplib.SMTPException as exc:
                    errors.append(str(exc))

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(batch,)) for batch in batches]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    if processes:
        gateway.terminate()
        gateway.wait(timeout=30)
    else:
        gateway.stop()
    stored = InboundMail.objects.count() - before
    states = dict(
        InboundMail.objects.filter(message_id__contains=f"{run}-")
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    cases = Case.objects.filter(subject__startswith="Bench problem").count()
    print(
        f"RESULT mail in: {stored} of {count} mails stored and processed through {where}"
        f" in {seconds:.1f} s ({stored / seconds:.0f}/s), {len(errors)} refused;"
        f" states {states}; target < 60 s for 10,000"
    )
    print(f"  cases opened by the bench so far: {cases}")
    for error in sorted(set(errors))[:5]:
        print(f"  refused: {error}")


def case_page() -> None:
    customer = Customer.objects.filter(email__startswith="bench-page").first()
    if customer is None:
        customer = Customer.objects.order_by("pk").first()
        customer.email = "bench-page@bench.example"
        customer.save(update_fields=["email"])
    console = console_for("agent")
    user = User.objects.get(username="bench-console-agent")
    case = Case.objects.filter(subject="Bench: 200 messages").first()
    if case is None:
        first = receive_mail(
            _one(customer.email, "Bench: 200 messages", f"<page-0-{uuid.uuid4().hex}@b.ex>"),
            via="bench",
        ).result
        case = first.case
        for n in range(1, 100):
            receive_mail(
                _one(
                    customer.email,
                    "Re: Bench",
                    f"<page-{n}-{uuid.uuid4().hex}@b.ex>",
                    reply_to=first.message_id,
                ),
                via="bench",
            )
        for n in range(100):
            send_message(case_id=case.pk, actor=user, to="customer", body=f"Answer {n}.")
    figures = measure(
        console,
        reverse("admin:cases_case_change", args=[case.pk]),
        warmup=5,
        requests=40,
    )
    print(
        f"RESULT case page with {case.messages.count()} messages: median"
        f" {figures['median']:.1f} ms, p95 {figures['p95']:.1f} ms, {figures['queries']}"
        f" queries, {figures['db_ms']:.1f} ms in the database (budget 30 ms)"
    )


def _one(sender: str, subject: str, message_id: str, reply_to: str = "") -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = sender, settings.SUPPORT_EMAIL
    message["Subject"], message["Message-ID"] = subject, message_id
    if reply_to:
        message["In-Reply-To"] = reply_to
    message.set_content("A message on the bench case.")
    return message.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--stored", type=int, default=STORED)
    parser.add_argument("--parts", default="stored,ingest,page")
    parser.add_argument(
        "--processes", type=int, default=2, help="gateway processes (0: a thread in this one)"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "stored" in parts:
        total = fill_messages(args.stored)
        print(f"threading lookup at {total:,} stored messages:")
        threading_plan()
    if "ingest" in parts:
        ingest(args.mails, args.processes)
    if "page" in parts:
        case_page()


if __name__ == "__main__":
    main()
