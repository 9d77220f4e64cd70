"""A real Celery worker SIGKILLed in the middle of a delivery loses nothing: its claim is
taken again by another worker's dispatcher once the lease passes, and the event arrives
with the same webhook-id (at least once: a duplicate only ever carries the same id)."""

from __future__ import annotations

import json
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.models import Delivery, DeliveryState
from events.services import create_endpoint
from tests.factories import UserFactory
from tests.helpers import opened
from tests.worker import celery_worker_process

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
FAST = {
    "WEBHOOK_ALLOW_LOOPBACK": "1",
    "WEBHOOK_LEASE_SECONDS": "2",
    "WEBHOOK_DISPATCH_SECONDS": "1",
}


class HangingReceiver:
    """Holds the first POST open (the worker is mid-send when it is killed), answers 200 to
    the ones after; keeps the webhook-id of each."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.ids.append(self.headers["webhook-id"])
                assert json.loads(body)["id"] == self.headers["webhook-id"]
                if len(receiver.ids) == 1:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hanging(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    receiver = HangingReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def default_queue():
    from config.celery import app

    app.control.purge()
    yield app.conf.task_default_queue
    app.control.purge()


def _wait(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_delivery_leaves_it_to_another_with_the_same_id(
    hanging, default_queue, agent
):
    admin = UserFactory(username="root-kill", is_superuser=True, is_staff=True)
    create_endpoint(actor=admin, url=hanging.url, event_types=["case.created"])
    with celery_worker_process(queue=default_queue, env=FAST) as first:
        case = opened(actor=agent)  # committed: the kick sends the dispatch to this worker
        assert hanging.first_arrived.wait(60), "the first worker never sent the delivery"
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 0  # nothing recorded
    assert delivery.claimed_until is not None  # the dead worker's claim

    with celery_worker_process(queue=default_queue, env=FAST, beat=True):
        _wait(
            lambda: Delivery.objects.get().state == DeliveryState.DELIVERED,
            60,
            "the delivery taken again after the lease",
        )
    delivery = Delivery.objects.select_related("event").get()
    assert delivery.event.payload["case_id"] == case.pk
    assert delivery.attempts == 1 and delivery.tries.get().status_code == 200
    assert len(hanging.ids) >= 2 and set(hanging.ids) == {delivery.event.webhook_id}
