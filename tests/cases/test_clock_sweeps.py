"""The SLA and task sweeps: each step just before and just after its due time, fired once,
shared safely by parallel sweeps, and nothing lost when a sweep dies mid-batch."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from cases import services
from cases.models import Case, CaseEvent, ClockFiring, EventType, Notification
from cases.services import sla_sweep
from cases.services.tasks import TaskSpec
from events.mail import send_due_mail
from sweeps.models import SweepStatus
from tests.factories import UserFactory
from tests.helpers import opened, team_lead

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
SECOND = timedelta(seconds=1)


def ist(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=IST)


@pytest.fixture
def lead(db):
    user = UserFactory(username="cc-lead", role="supervisor", email="lead@example.com")
    team_lead("customer_care", user)
    return user


def clock_events(case):
    return list(
        CaseEvent.objects.filter(case=case, type=EventType.CLOCK)
        .order_by("id")
        .values_list("transition", flat=True)
    )


def test_the_warning_goes_to_the_assignee_just_after_warn_at(time_machine, agent, lead):
    time_machine.move_to(ist(16, 9), tick=False)
    case = opened(priority="urgent", assignee=agent)
    services.add_note(case_id=case.pk, actor=agent, text="Called", public=True)
    case.refresh_from_db()
    time_machine.move_to(case.warn_at - SECOND, tick=False)
    assert services.sweep_sla().processed == 0
    time_machine.move_to(case.warn_at + SECOND, tick=False)
    assert services.sweep_sla().processed == 1
    row = Case.objects.get(pk=case.pk)
    assert row.sla_warned_at is not None and not row.sla_breached
    assert row.priority == "urgent" and row.next_deadline_at == row.resolution_due_at
    assert Notification.objects.get(recipient=agent).kind == "sla_warning"
    assert not Notification.objects.filter(recipient=lead).exists()
    assert clock_events(case) == ["sla_warning"]
    # Sweeping again changes nothing.
    assert services.sweep_sla().processed == 0
    assert Notification.objects.count() == 1


def test_a_missed_first_response_is_marked_raised_and_told_to_the_lead(time_machine, lead):
    time_machine.move_to(ist(16, 9), tick=False)
    case = opened(priority="low")  # first response 8 working hours: 17:00
    time_machine.move_to(ist(16, 17) - SECOND, tick=False)
    services.sweep_sla()
    assert not Case.objects.get(pk=case.pk).sla_breached
    time_machine.move_to(ist(16, 17) + SECOND, tick=False)
    with django_capture_on_commit():
        services.sweep_sla()
    row = Case.objects.get(pk=case.pk)
    assert row.first_response_breached_at == ist(16, 17) + SECOND
    assert row.priority == "medium"  # one step, by the policy
    assert row.next_deadline_at == row.warn_at  # the resolution clock runs on
    note = Notification.objects.get(recipient=lead)
    assert note.kind == "sla_first_response" and f"#{case.pk}" in note.title
    assert send_due_mail() == 1  # the outbox's mail, sent by the worker's task
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    event = CaseEvent.objects.get(case=case, type=EventType.CLOCK)
    assert event.payload["priority_from"] == "low" and event.payload["priority_to"] == "medium"
    assert "Asia/Kolkata" in event.reason  # the region's time, not the server's
    assert ClockFiring.objects.filter(case=case, clock="sla_first_response").count() == 1


def test_a_missed_resolution_fires_once_without_a_separate_warning(time_machine, lead):
    time_machine.move_to(ist(16, 9), tick=False)
    case = opened(priority="urgent")
    time_machine.move_to(ist(16, 13) + SECOND, tick=False)  # past 30 min and 4 h at once
    services.sweep_sla()
    row = Case.objects.get(pk=case.pk)
    assert row.resolution_breached_at and row.first_response_breached_at
    assert row.next_deadline_at is None
    assert clock_events(case) == ["sla_first_response", "sla_resolution"]
    assert Notification.objects.filter(recipient=lead).count() == 2
    assert row.priority == "urgent"  # already at the top


def test_a_paused_case_is_never_breached(time_machine, agent, lead):
    time_machine.move_to(ist(16, 9), tick=False)
    case = opened(priority="urgent")
    services.transition_case(case_id=case.pk, name="open", actor=agent)
    services.transition_case(case_id=case.pk, name="wait_on_third_party", actor=agent)
    time_machine.move_to(ist(20, 9), tick=False)
    assert services.sweep_sla().processed == 0
    assert not Case.objects.get(pk=case.pk).sla_breached


def test_a_warning_without_an_assignee_goes_to_the_team_lead(time_machine, lead):
    time_machine.move_to(ist(16, 9), tick=False)
    case = opened(priority="urgent")
    Case.objects.filter(pk=case.pk).update(first_responded_at=ist(16, 9, 1))
    case.refresh_from_db()
    Case.objects.filter(pk=case.pk).update(next_deadline_at=case.warn_at)
    time_machine.move_to(case.warn_at + SECOND, tick=False)
    services.sweep_sla()
    assert Notification.objects.get(recipient=lead).kind == "sla_warning"


def test_the_sweep_records_its_run(time_machine):
    time_machine.move_to(ist(16, 9), tick=False)
    services.sweep_sla()
    status = SweepStatus.objects.get(name="sla")
    assert status.last_finished_at == ist(16, 9) and status.last_error == "" and status.runs == 1


# --- tasks --------------------------------------------------------------------------------


def _task(case, *, due_at, team="customer_care", owner=None):
    [task] = services.create_tasks(
        case,
        [TaskSpec(kind="call_customer", title="Call", owner_team=team, due_at=due_at,
                  owner_id=owner.pk if owner else None)],
        actor=None,
    )  # fmt: skip
    return task


def test_a_task_warns_its_owner_then_escalates_to_the_leads(time_machine, agent, lead):
    time_machine.move_to(ist(16, 9), tick=False)
    case = opened(priority="low")
    eo_lead = UserFactory(username="eo-lead", role="supervisor")
    team_lead("engineering_ops", eo_lead)
    task = _task(case, due_at=ist(16, 19), team="engineering_ops", owner=agent)
    assert task.warn_at == ist(16, 17)  # 80 % of its 10 hours
    time_machine.move_to(ist(16, 17) - SECOND, tick=False)
    assert services.sweep_tasks().processed == 0
    time_machine.move_to(ist(16, 17) + SECOND, tick=False)
    assert services.sweep_tasks().processed == 1
    assert Notification.objects.get(recipient=agent).kind == "task_warning"
    time_machine.move_to(ist(16, 19) - SECOND, tick=False)
    assert services.sweep_tasks().processed == 0
    time_machine.move_to(ist(16, 19) + SECOND, tick=False)
    assert services.sweep_tasks().processed == 1
    task.refresh_from_db()
    assert task.escalated_at is not None and task.next_alert_at is None
    # Late work of engineering operations on a customer-care case: both leads are told.
    assert set(
        Notification.objects.filter(kind="task_overdue").values_list("recipient", flat=True)
    ) == {lead.pk, eo_lead.pk}
    assert services.sweep_tasks().processed == 0


def test_a_closed_task_raises_no_alert(time_machine, agent, lead):
    time_machine.move_to(ist(16, 9), tick=False)
    task = _task(opened(), due_at=ist(16, 12))
    services.close_task(task_id=task.pk, actor=agent, outcome="called")
    time_machine.move_to(ist(16, 13), tick=False)
    assert services.sweep_tasks().processed == 0
    assert not Notification.objects.exists()


def test_a_task_created_overdue_is_escalated_at_the_next_sweep(time_machine, lead):
    time_machine.move_to(ist(16, 9), tick=False)
    task = _task(opened(), due_at=ist(16, 8))
    assert task.next_alert_at == ist(16, 8) and task.warn_at is None
    services.sweep_tasks()
    assert Notification.objects.get(recipient=lead).kind == "task_overdue"


# --- safety: parallel sweeps, a sweep that dies -----------------------------------------------


def _due_cases(n, time_machine):
    time_machine.move_to(ist(16, 9), tick=False)
    cases = [opened(priority="urgent") for _ in range(n)]
    time_machine.move_to(ist(16, 9, 31), tick=False)  # every first response missed
    return cases


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_in_parallel_never_fire_a_step_twice(time_machine, lead):
    cases = _due_cases(40, time_machine)
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            services.sweep_sla(batch=7)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [c.pk for c in cases]
    assert ClockFiring.objects.filter(case_id__in=ids, clock="sla_first_response").count() == 40
    assert Notification.objects.filter(kind="sla_first_response").count() == 40
    assert CaseEvent.objects.filter(case_id__in=ids, transition="sla_first_response").count() == 40
    assert set(Case.objects.filter(pk__in=ids).values_list("priority", flat=True)) == {"urgent"}


def test_a_sweep_that_dies_mid_batch_loses_nothing(time_machine, lead, monkeypatch):
    cases = _due_cases(5, time_machine)

    def dies(*args, **kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(sla_sweep, "notify_many", dies)
    with pytest.raises(RuntimeError):
        services.sweep_sla()
    # The batch rolled back: nothing marked, nothing recorded, still due.
    assert not ClockFiring.objects.exists()
    assert Case.objects.filter(first_response_breached_at__isnull=False).count() == 0
    assert "worker lost" in SweepStatus.objects.get(name="sla").last_error
    monkeypatch.undo()
    assert services.sweep_sla().processed == 5
    assert ClockFiring.objects.filter(clock="sla_first_response").count() == 5
    assert Notification.objects.filter(kind="sla_first_response").count() == 5
    assert SweepStatus.objects.get(name="sla").last_error == ""
    assert {c.pk for c in cases} == set(
        Case.objects.filter(first_response_breached_at__isnull=False).values_list("pk", flat=True)
    )


def test_a_firing_already_recorded_is_not_repeated(time_machine, lead):
    [case] = _due_cases(1, time_machine)
    ClockFiring.objects.create(case=case, clock="sla_first_response", due_at=ist(16, 9, 30))
    services.sweep_sla()
    # Taken off the queue, but nobody is told twice.
    row = Case.objects.get(pk=case.pk)
    assert row.first_response_breached_at is not None and row.priority == "urgent"
    assert not Notification.objects.exists()
    assert clock_events(case) == []


def django_capture_on_commit():
    """Run on_commit callbacks of a test transaction (the e-mail digest)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
