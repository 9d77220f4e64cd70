"""A backtest as a job: sent to a worker once its request commits, run by a real worker,
cancelled at the next progress write, started again by the recovery sweep when its worker
stopped, and forgotten after the kept days."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from backtests import services, signals
from backtests.models import Backtest, BacktestState
from backtests.tasks import run_backtest_task
from cases.models import CaseEvent, EventType
from policies.parameters import PolicyParameters
from tests.backtests.test_backtests import scenario_4
from tests.worker import celery_worker_process


@pytest.fixture
def sent():
    """The backtests sent to the workers (the signal's receivers run on commit)."""
    got: list[tuple[int, str]] = []

    def receiver(sender, *, backtest_id, task_id, **kwargs):
        got.append((backtest_id, task_id))

    signals.backtest_queued.connect(receiver, dispatch_uid="test-sent")
    yield got
    signals.backtest_queued.disconnect(dispatch_uid="test-sent")


def _request(user, **changes):
    return services.request_backtest(actor=user, parameters=changes or {"warranty_days": 25})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_is_sent_to_a_worker_only_once_it_commits(supervisor, sent, monkeypatch):
    monkeypatch.setattr(run_backtest_task, "apply_async", lambda *a, **k: None)
    with transaction.atomic():
        backtest, _ = _request(supervisor)
        assert sent == []
    assert sent == [(backtest.pk, backtest.task_id)]
    with pytest.raises(RuntimeError), transaction.atomic():
        _request(supervisor, warranty_days=20)
        raise RuntimeError("the request rolls back")
    assert len(sent) == 1 and Backtest.objects.count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_the_backtest_and_a_redelivery_does_nothing(agent, supervisor):
    scenario_4(agent, "799.00")
    backtest = Backtest.objects.create(
        label="Penalty at 50%",
        parameters=PolicyParameters.from_dict({"revisit_penalty_rate": "0.50"}).to_dict(),
        period_start=timezone.now() - timedelta(days=1),
        period_end=timezone.now() + timedelta(days=1),
        inputs_key=uuid.uuid4().hex,
        task_id=f"backtest-{uuid.uuid4().hex}",
    )
    with celery_worker_process() as queue:
        first = run_backtest_task.apply_async(
            args=[backtest.pk], queue=queue, task_id=backtest.task_id
        )
        assert first.get(timeout=60)["state"] == BacktestState.DONE
        finished_at = Backtest.objects.get(pk=backtest.pk).finished_at
        again = run_backtest_task.apply_async(args=[backtest.pk], queue=queue)
        assert again.get(timeout=60)["state"] == BacktestState.DONE
    backtest.refresh_from_db()
    assert backtest.finished_at == finished_at  # not run twice
    assert backtest.result["counts"]["changed"] == 1
    assert (backtest.progress_done, backtest.progress_total) == (1, 1)


@pytest.mark.django_db
def test_a_backtest_whose_worker_stopped_is_started_again_by_the_sweep(agent, supervisor, sent):
    scenario_4(agent, "799.00")
    backtest, _ = _request(supervisor, revisit_penalty_rate="0.50")
    old_task = backtest.task_id
    Backtest.objects.filter(pk=backtest.pk).update(
        state=BacktestState.RUNNING,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        progress_done=7,
    )
    assert services.sweep_backtests().processed == 1
    backtest.refresh_from_db()
    assert backtest.state == BacktestState.QUEUED and backtest.task_id != old_task
    assert (backtest.progress_done, backtest.lease_expires_at) == (0, None)
    assert "started again" in backtest.error
    # The stopped worker's task, delivered late, does nothing; the new one runs it.
    assert services.run_backtest(backtest_id=backtest.pk, task_id=old_task).state == "queued"
    done = services.run_backtest(backtest_id=backtest.pk, task_id=backtest.task_id)
    assert done.state == BacktestState.DONE and done.result["counts"]["changed"] == 1
    assert services.sweep_backtests().processed == 0  # nothing stalled any more


@pytest.mark.django_db
def test_a_cancelled_backtest_stops_at_its_next_progress_write(agent, supervisor, monkeypatch):
    for invoice in ("100.00", "200.00", "300.00"):
        scenario_4(agent, invoice)
    backtest, _ = _request(supervisor, revisit_penalty_rate="0.50")
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    real_replay = services.replay
    calls = []

    def replay_then_cancel(payload, policy):
        calls.append(payload)
        if len(calls) == 2:
            services.cancel_backtest(backtest_id=backtest.pk, actor=supervisor)
        return real_replay(payload, policy)

    monkeypatch.setattr(services, "replay", replay_then_cancel)
    stopped = services.run_backtest(backtest_id=backtest.pk)
    assert stopped.state == BacktestState.CANCELLED
    assert len(calls) == 2 and stopped.progress_done == 1 and stopped.result == {}


@pytest.mark.django_db
def test_finished_backtests_are_forgotten_after_the_kept_days(supervisor, settings):
    settings.BACKTEST_KEEP_DAYS = 10
    old, _ = _request(supervisor, warranty_days=20)
    recent, _ = _request(supervisor, warranty_days=21)
    running, _ = _request(supervisor, warranty_days=22)
    Backtest.objects.filter(pk__in=[old.pk, recent.pk]).update(state=BacktestState.DONE)
    Backtest.objects.filter(pk__in=[old.pk, running.pk]).update(
        created_at=timezone.now() - timedelta(days=11)
    )
    Backtest.objects.filter(pk=running.pk).update(
        state=BacktestState.RUNNING, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    services.sweep_backtests()
    assert set(Backtest.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_find_what_one_finds(agent, supervisor, settings, monkeypatch):
    """Split between this process and a forked helper (two halves of the ids), the result
    is the one a single process gives."""
    forked = []

    class Counted(services._Helper):
        def __init__(self, work):
            forked.append(work)
            super().__init__(work)

    monkeypatch.setattr(services, "_Helper", Counted)
    for invoice in ("100.00", "250.00", "799.00", "1234.50", "2000.00"):
        scenario_4(agent, invoice)
    results = {}
    for split_from in (10**9, 1):
        settings.BACKTEST_SPLIT_FROM = split_from
        Backtest.objects.all().delete()
        backtest, _ = _request(supervisor, revisit_penalty_rate="0.50")
        results[split_from] = services.run_backtest(backtest_id=backtest.pk).result
    single, split = results[10**9], results[1]
    assert len(forked) == 1  # only the second run split
    assert (
        split["counts"]
        == single["counts"]
        == {
            "decisions": 5,
            "replayed": 5,
            "same": 0,
            "changed": 5,
            "not_replayable": 0,
        }
    )
    assert split["money"] == single["money"]
    assert sorted(map(str, split["partners"])) == sorted(map(str, single["partners"]))
    assert sorted(c for ids in split["changed_cases"].values() for c in ids) == sorted(
        c for ids in single["changed_cases"].values() for c in ids
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_run_leaves_the_backtest_to_the_recovery_sweep(
    agent, supervisor, monkeypatch
):
    import signal as signals_module
    import time

    case = scenario_4(agent, "799.00")
    stored = CaseEvent.objects.get(case=case, type=EventType.DECISION)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                type=EventType.DECISION,
                at=stored.at,
                payload=stored.payload,
                policy_version=stored.policy_version,
            )
            for _ in range(39_999)
        ],
        batch_size=5000,
    )
    backtest = Backtest.objects.create(
        label="Penalty at 50%",
        parameters=PolicyParameters.from_dict({"revisit_penalty_rate": "0.50"}).to_dict(),
        period_start=timezone.now() - timedelta(days=1),
        period_end=timezone.now() + timedelta(days=1),
        inputs_key=uuid.uuid4().hex,
        task_id=f"backtest-{uuid.uuid4().hex}",
    )
    slow = {"BACKTEST_LEASE_SECONDS": "1", "BACKTEST_SPLIT_FROM": str(10**9)}
    with celery_worker_process(env=slow) as queue:
        run_backtest_task.apply_async(args=[backtest.pk], queue=queue, task_id=backtest.task_id)
        deadline = time.monotonic() + 60
        while Backtest.objects.get(pk=backtest.pk).progress_done < 1000:
            assert time.monotonic() < deadline, "the worker never started the backtest"
            time.sleep(0.02)
        queue.proc.send_signal(signals_module.SIGKILL)  # the worker dies mid-run
        queue.proc.wait(timeout=10)
    stalled = Backtest.objects.get(pk=backtest.pk)
    assert stalled.state == BacktestState.RUNNING and stalled.progress_done < 40_000
    time.sleep(1.2)  # its lease passes
    sent = []
    monkeypatch.setattr(
        run_backtest_task, "apply_async", lambda *a, **k: sent.append(k.get("task_id"))
    )
    assert services.sweep_backtests().processed == 1
    requeued = Backtest.objects.get(pk=backtest.pk)
    assert requeued.state == BacktestState.QUEUED and sent == [requeued.task_id]
    monkeypatch.undo()
    with celery_worker_process() as queue:
        again = run_backtest_task.apply_async(
            args=[backtest.pk], queue=queue, task_id=requeued.task_id
        )
        assert again.get(timeout=120)["state"] == BacktestState.DONE
    done = Backtest.objects.get(pk=backtest.pk)
    assert done.result["counts"] == {
        "decisions": 40_000,
        "replayed": 40_000,
        "same": 0,
        "changed": 40_000,
        "not_replayable": 0,
    }
