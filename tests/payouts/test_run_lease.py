"""A payout run's computation is a lease: one request at a time, renewed as batches commit,
taken over by the lease sweep once it passes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import TransitionConflict
from partners.models import Region
from payouts import services
from payouts.models import PayoutRun
from payouts.services.runs import LeaseLost, _renew
from tests.factories import PayoutRunFactory

pytestmark = pytest.mark.django_db


def test_a_second_request_while_the_lease_lives_is_a_409(
    finance_user, django_capture_on_commit_callbacks
):
    run = PayoutRunFactory()
    with django_capture_on_commit_callbacks() as sent:
        services.request_compute(run_id=run.pk, actor=finance_user)
    assert len(sent) == 1
    run.refresh_from_db()
    assert run.state == "computing" and run.lease_expires_at > timezone.now()
    with pytest.raises(TransitionConflict) as busy:
        services.request_compute(run_id=run.pk, actor=finance_user)
    assert busy.value.code == "busy"
    # Once the lease has passed (its worker died), a request may queue it again.
    PayoutRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    with django_capture_on_commit_callbacks() as sent:
        again = services.request_compute(run_id=run.pk, actor=finance_user)
    assert len(sent) == 1 and again.task_id != run.task_id


def test_the_lease_sweep_queues_a_run_whose_lease_passed(django_capture_on_commit_callbacks):
    live = PayoutRunFactory(state="computing", task_id="alive")
    PayoutRun.objects.filter(pk=live.pk).update(
        lease_expires_at=timezone.now() + timedelta(minutes=1)
    )
    dead = PayoutRunFactory(
        state="computing", task_id="dead", region=Region.objects.get(country="EG"), currency="EGP"
    )
    PayoutRun.objects.filter(pk=dead.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks() as sent:
        assert services.requeue_expired_leases() == [dead.pk]
    assert len(sent) == 1
    dead.refresh_from_db()
    assert dead.task_id != "dead" and dead.lease_expires_at > timezone.now()
    assert "queued again" in dead.last_error
    # The killed computation's message, delivered later, is superseded and writes nothing.
    assert services.compute_payout_run(run_id=dead.pk, task_id="dead") is None
    assert PayoutRun.objects.get(pk=live.pk).task_id == "alive"
    assert services.requeue_expired_leases() == []


def test_a_computation_whose_lease_was_taken_over_stops():
    run = PayoutRunFactory(state="computing", task_id="newer")
    with pytest.raises(LeaseLost):
        _renew(run.pk, "older")
    _renew(run.pk, "newer")  # the holder renews
    assert PayoutRun.objects.get(pk=run.pk).lease_expires_at > timezone.now()


def test_a_finished_run_holds_no_lease(finance_user):
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    assert run.state == "computed" and run.lease_expires_at is None
