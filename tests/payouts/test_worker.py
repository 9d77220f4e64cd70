"""A real Celery worker process computes a payout run on the real broker."""

import signal
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import TransitionConflict
from partners.models import Partner
from payouts import services
from payouts.models import PayoutLine, PayoutRun, PayoutRunEntry
from payouts.tasks import compute_payout_run_task
from tests.factories import LedgerEntryFactory, PartnerFactory, PayoutRunFactory
from tests.worker import celery_worker_process

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_worker_computes_a_run_and_a_redelivery_does_nothing():
    partners = [PartnerFactory() for _ in range(3)]
    for partner in partners:
        LedgerEntryFactory.create_batch(4, partner=partner, amount=Decimal("12.34"))
    run = PayoutRunFactory()
    task_id = f"payout-run-{uuid.uuid4().hex}"  # results are kept by id on the shared broker
    with celery_worker_process() as queue:
        first = compute_payout_run_task.apply_async(args=[run.pk], queue=queue, task_id=task_id)
        assert first.get(timeout=60)["computed"] is True
        lines = set(PayoutLine.objects.values_list("pk", flat=True))
        computed_at = PayoutRun.objects.get(pk=run.pk).computed_at
        # A redelivery of the same message (same task id); its result shares the id, so wait on
        # a probe sent after it: the solo worker runs them in order.
        compute_payout_run_task.apply_async(args=[run.pk], queue=queue, task_id=task_id)
        probe = compute_payout_run_task.apply_async(args=[run.pk], queue=queue)
        assert probe.get(timeout=60) == {"run": run.pk, "computed": False}  # superseded
    assert set(PayoutLine.objects.values_list("pk", flat=True)) == lines
    assert PayoutRun.objects.get(pk=run.pk).computed_at == computed_at
    run = PayoutRun.objects.get(pk=run.pk)
    partners = Partner.objects.filter(city__region=run.region).count()  # progress: partners
    assert (run.state, run.task_id, run.progress_done, run.progress_total) == (
        "computed",
        task_id,
        partners,
        partners,
    )
    assert PayoutRunEntry.objects.filter(run=run).count() == 12
    assert (
        sorted(PayoutLine.objects.filter(run=run).values_list("net", flat=True))
        == [Decimal("49.36")] * 3
    )


def _ledger(partners: int, per_partner: int = 2) -> int:
    for partner in [PartnerFactory() for _ in range(partners)]:
        LedgerEntryFactory.create_batch(per_partner, partner=partner, amount=Decimal("5.00"))
    return partners * per_partner


def _wait(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def _run_computed_once(run_id: int, entries: int, partners: int) -> None:
    run = PayoutRun.objects.get(pk=run_id)
    assert run.state == "computed", (run.state, run.last_error)
    assert run.progress_done == run.progress_total
    # Each ledger entry is in exactly one run (the link is unique by entry) and in this one.
    assert PayoutRunEntry.objects.filter(run=run).count() == entries
    assert PayoutRunEntry.objects.count() == entries
    assert PayoutLine.objects.filter(run=run).count() == partners


@pytest.fixture
def default_queue():
    """The queue request_compute sends to (the app's default), emptied of what other tests
    sent there without a worker, and again afterwards."""
    from config.celery import app

    app.control.purge()
    yield app.conf.task_default_queue
    app.control.purge()


def test_concurrent_compute_requests_on_two_workers_compute_the_run_once(
    finance_user, default_queue
):
    entries = _ledger(20)
    run = PayoutRunFactory()
    queue = default_queue
    with celery_worker_process(queue=queue), celery_worker_process(queue=queue):
        barrier = threading.Barrier(2)
        answers = []

        def ask():
            barrier.wait()
            try:
                services.request_compute(run_id=run.pk, actor=finance_user)
                answers.append("queued")
            except TransitionConflict as exc:
                answers.append(exc.code)
            finally:
                connection.close()

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Exactly one request queued it; the other was told it is being computed (409).
        assert sorted(answers) == ["busy", "queued"]
        _wait(
            lambda: PayoutRun.objects.get(pk=run.pk).state == "computed",
            60,
            "the run computed",
        )
    _run_computed_once(run.pk, entries, 20)


def test_a_worker_killed_mid_compute_leaves_a_run_the_lease_sweep_finishes(
    finance_user, default_queue
):
    partners = 150
    entries = _ledger(partners)
    run = PayoutRunFactory()
    queue = default_queue
    # One partner per batch (150 committed batches), a 2-second lease.
    env = {"PAYOUT_PARTNER_BATCH": "1", "PAYOUT_LEASE_SECONDS": "2", "CLOCK_SWEEP_SECONDS": "1"}
    with celery_worker_process(queue=queue, env=env) as first:
        services.request_compute(run_id=run.pk, actor=finance_user)
        _wait(
            lambda: PayoutRun.objects.get(pk=run.pk).progress_done >= 3,
            60,
            "the first worker computing",
        )
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
    stuck = PayoutRun.objects.get(pk=run.pk)
    assert stuck.state == "computing" and stuck.progress_done < stuck.progress_total
    killed_task = stuck.task_id
    # Its message waits unacknowledged in Redis (for the visibility timeout); the lease
    # sweep on the second worker's beat gives the run to a new task once the lease passes.
    with celery_worker_process(queue=queue, env=env, beat=True):
        _wait(
            lambda: PayoutRun.objects.get(pk=run.pk).state == "computed",
            90,
            "the run computed after the kill",
        )
    run = PayoutRun.objects.get(pk=run.pk)
    assert run.task_id != killed_task
    assert "queued again" in run.last_error or run.last_error == ""
    _run_computed_once(run.pk, entries, partners)
