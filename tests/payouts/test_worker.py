"""A real Celery worker process computes a payout run on the real broker."""

import uuid
from decimal import Decimal

import pytest

from payouts.models import PayoutLine, PayoutRun, PayoutRunEntry
from payouts.tasks import compute_payout_run
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
        first = compute_payout_run.apply_async(args=[run.pk], queue=queue, task_id=task_id)
        assert first.get(timeout=60)["computed"] is True
        lines = set(PayoutLine.objects.values_list("pk", flat=True))
        computed_at = PayoutRun.objects.get(pk=run.pk).computed_at
        # A redelivery of the same message (same task id); its result shares the id, so wait on
        # a probe sent after it: the solo worker runs them in order.
        compute_payout_run.apply_async(args=[run.pk], queue=queue, task_id=task_id)
        probe = compute_payout_run.apply_async(args=[run.pk], queue=queue)
        assert probe.get(timeout=60) == {"run": run.pk, "computed": False}  # superseded
    assert set(PayoutLine.objects.values_list("pk", flat=True)) == lines
    assert PayoutRun.objects.get(pk=run.pk).computed_at == computed_at
    run = PayoutRun.objects.get(pk=run.pk)
    assert (run.state, run.task_id, run.progress_done, run.progress_total) == (
        "computed",
        task_id,
        2,
        2,
    )
    assert PayoutRunEntry.objects.filter(run=run).count() == 12
    assert (
        sorted(PayoutLine.objects.filter(run=run).values_list("net", flat=True))
        == [Decimal("49.36")] * 3
    )
