"""Races on real connections: two computes of one run, two approvals of one request."""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from partners.models import Partner
from payouts import services
from payouts.models import LedgerEntry, PayoutLine, PayoutRunEntry
from tests.factories import (
    LedgerEntryFactory,
    PartnerFactory,
    PayoutRunFactory,
    UserFactory,
)
from tests.helpers import revisit_penalty, set_state

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _race(*fns, timeout=60):
    """Run each function on its own thread (own connection), released together."""
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def runner(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # asserted on by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results


def _ledger(partners=30, per_partner=20):
    for _ in range(partners):
        partner = PartnerFactory()
        LedgerEntryFactory.create_batch(per_partner, partner=partner, amount=Decimal("10.00"))


@pytest.mark.parametrize("attempt", range(3))
def test_two_workers_computing_one_task_take_each_entry_once(attempt):
    _ledger()
    run = PayoutRunFactory(task_id="task-1", state="computing")
    results = _race(
        lambda: services.compute_payout_run(run_id=run.pk, task_id="task-1", batch_size=7),
        lambda: services.compute_payout_run(run_id=run.pk, task_id="task-1", batch_size=7),
    )
    # One computed; the other found the run held (RunBusy: the task is retried) or already
    # finished (None) and wrote nothing.
    computed = [r for r in results if r is not None and not isinstance(r, Exception)]
    others = [r for r in results if r is None or isinstance(r, Exception)]
    assert len(computed) == 1 and len(others) == 1, results
    assert others[0] is None or isinstance(others[0], services.RunBusy), results
    # The retry of the busy one finds the computation finished and does nothing.
    assert services.compute_payout_run(run_id=run.pk, task_id="task-1", batch_size=7) is None
    assert PayoutRunEntry.objects.filter(run=run).count() == LedgerEntry.objects.count() == 600
    assert PayoutLine.objects.filter(run=run).count() == 30
    assert {line.net for line in PayoutLine.objects.filter(run=run)} == {Decimal("200.00")}
    run.refresh_from_db()
    partners = Partner.objects.filter(city__region=run.region).count()  # progress: partners
    assert (run.state, run.progress_done, run.progress_total) == ("computed", partners, partners)


def test_two_direct_computes_of_one_run_never_duplicate():
    _ledger(partners=10, per_partner=10)
    run = PayoutRunFactory()
    results = _race(
        lambda: services.compute_payout_run(run_id=run.pk, batch_size=3),
        lambda: services.compute_payout_run(run_id=run.pk, batch_size=3),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert PayoutRunEntry.objects.count() == 100
    assert PayoutLine.objects.filter(run=run).count() == 10


def test_two_deciders_approving_one_request_write_the_reversal_once():
    requester = UserFactory(username="ps-race", role="partner support")
    deciders = [UserFactory(username=f"fin-race-{i}", role="finance") for i in range(2)]
    penalty = revisit_penalty(genuine=True)  # scheduled while genuine, then found not genuine
    paf = penalty.paf
    services.schedule_penalty(penalty_id=penalty.pk)
    set_state(paf, "not_genuine")
    request = services.submit_reversal_request(kind="paf_penalty", actor=requester, paf=paf)
    results = _race(
        *[
            (
                lambda d=d: services.approve_reversal_request(
                    request_id=request.pk, actor=d, reason="race"
                )
            )
            for d in deciders
        ]
    )
    outcomes = sorted(type(r).__name__ for r in results)
    assert outcomes == ["ReversalRequest", "TransitionConflict"], results
    assert LedgerEntry.objects.filter(penalty=penalty, kind="reversal").count() == 1
