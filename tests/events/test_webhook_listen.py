"""manage.py webhook_listen: a real process on a local port that verifies each delivery's
signature and prints the event; a delivery signed with another secret is answered 401."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.delivery import post
from events.management.commands.webhook_listen import Command
from events.models import WebhookEndpoint
from events.services import new_secret
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def listener(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    port, secret = free_port(), new_secret()
    process = subprocess.Popen(
        [
            sys.executable,
            "-u",
            "manage.py",
            "webhook_listen",
            "--port",
            str(port),
            "--secret",
            secret,
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/", secret, process
    process.terminate()
    process.wait(timeout=10)


def test_it_verifies_and_prints_each_event_and_refuses_a_bad_signature(listener):
    url, secret, process = listener
    body = '{"id":"evt_1","type":"case.created","subject":"case:7","data":{"case_id":7}}'
    now = datetime.now(UTC)
    good = post(WebhookEndpoint(url=url, secret=secret), "evt_1", body, at=now)
    bad = post(WebhookEndpoint(url=url, secret=new_secret()), "evt_2", body, at=now)
    assert (good.status_code, bad.status_code) == (204, 401)
    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "case.created on case:7 id=evt_1" in output and "signature verified" in output
    assert '"case_id": 7' in output
    assert "evt_2: bad signature" in output


@pytest.mark.django_db
def test_register_adds_the_endpoint_once_and_rotates_its_secret_after(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    UserFactory(username="root-listen", is_superuser=True, is_staff=True)
    first = Command().register("http://127.0.0.1:8765/")
    second = Command().register("http://127.0.0.1:8765/")
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.event_types, endpoint.enabled) == ([], True)
    assert (endpoint.secret, endpoint.previous_secret) == (second, first)
