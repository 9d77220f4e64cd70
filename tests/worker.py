"""A real Celery worker process for tests, on the real broker and the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


class Worker(str):
    """The queue a worker process reads (a str, as apply_async(queue=...) takes it), with
    the process itself for tests that kill it."""

    proc: subprocess.Popen


@contextmanager
def celery_worker_process(
    *, beat: bool = False, env: dict | None = None, queue: str | None = None
) -> Iterator[Worker]:
    """Start `celery worker` on a private queue (or the one given, to share it with another
    worker) against the test database; yield the queue. With `beat`, the worker runs beat
    too (its schedule sent to that queue)."""
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    node = f"{uuid.uuid4().hex[:8]}-{queue}@localhost"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **(env or {}),
    }
    log_path = ROOT / ".local" / f"{queue}.log" if (ROOT / ".local").is_dir() else os.devnull
    with tempfile.TemporaryDirectory() as tmp, open(log_path, "w") as log:
        extra = ["-B", "-s", str(Path(tmp) / "beat-schedule")] if beat else []
        yield from _run_worker(queue, node, env, log, extra)


def _run_worker(queue: str, node: str, env: dict, log, extra: list[str]) -> Iterator[Worker]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            node,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited with {proc.returncode}")
            if app.control.ping(destination=[node], timeout=0.5):
                break
        else:
            raise RuntimeError("celery worker did not answer a ping within 60 s")
        worker = Worker(queue)
        worker.proc = proc
        yield worker
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
