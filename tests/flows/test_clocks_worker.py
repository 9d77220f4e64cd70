"""The clocks on real processes: a Celery worker with beat against the real broker and
database keeps them with nobody asking, and a sweep process killed mid-batch loses nothing."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseEvent, ClockFiring, EventType, Notification
from flows import intake, runner
from tests.flows.test_boundaries import LNG, north_of_booking, oos_job
from tests.helpers import active_policy, opened, team_lead
from tests.worker import ROOT, celery_worker_process

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for(check, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_beat_and_a_worker_unpark_a_case_and_close_a_follow_up_ticket(agent, partner_support):
    # A drill version: every clock runs 10,800 times faster (3 hours are a second), and the
    # follow-up ticket closes after one day (8 seconds).
    active_policy("drill", clock_speedup=10800, followup_close_within_days=1)
    booking = oos_job()
    parked = intake.raise_oos_ticket(
        booking_id=booking.pk,
        partner_actor_or_partner=partner_support,
        latitude=north_of_booking(100),
        longitude=LNG,
        images=["img.jpg"],
    ).case
    assert parked.status == "parked" and parked.parked_until <= timezone.now() + timedelta(
        seconds=2
    )
    follow_up = opened("follow_up_first_visit")
    runner.decide_case(
        case_id=follow_up.pk,
        flow="follow_up.open_first_visit_ticket",
        inputs={"reason": "customer_not_found"},
        actor=agent,
    )
    with celery_worker_process(beat=True, env={"CLOCK_SWEEP_SECONDS": "1"}):
        wait_for(
            lambda: Case.objects.get(pk=parked.pk).status == "open",
            seconds=60,
            what="the parked OOS case unparked",
        )
        wait_for(
            lambda: Case.objects.get(pk=follow_up.pk).status == "waiting_on_customer",
            seconds=60,
            what="the follow-up ticket moved to waiting on customer",
        )
    ticket = Case.objects.get(pk=follow_up.pk)
    assert ticket.priority == "medium"
    assert CaseEvent.objects.filter(case=parked, transition="unpark").count() == 1
    decisions = CaseEvent.objects.filter(
        case=follow_up, type=EventType.DECISION, payload__flow="follow_up.close_due"
    )
    assert decisions.count() == 1 and decisions.get().actor is None


SLOW_SWEEP = """
import django, time
django.setup()
from cases.services import sla_sweep
def stuck(*args, **kwargs):
    print("holding the batch", flush=True)
    time.sleep(120)
sla_sweep.notify_many = stuck
sla_sweep.sweep_sla()
"""


def test_a_sweep_process_killed_mid_batch_loses_no_step(lead_of_customer_care):
    cases = [opened(priority="urgent") for _ in range(5)]
    past = timezone.now() - timedelta(minutes=1)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        first_response_due_at=past, next_deadline_at=past
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/"
        f"{db['NAME']}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_SWEEP],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "holding the batch"
        # Its rows are locked: a sweep beside it skips them rather than doubling them.
        assert case_services.sweep_sla().processed == 0
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # The killed batch never committed: everything is still due and fires once now.
    wait_for(
        lambda: case_services.sweep_sla().processed == 5,
        seconds=15,
        what="the killed batch's rows due again",
    )
    assert ClockFiring.objects.filter(clock="sla_first_response").count() == 5
    assert Notification.objects.filter(kind="sla_first_response").count() == 5
    assert case_services.sweep_sla().processed == 0


@pytest.fixture
def lead_of_customer_care(supervisor):
    team_lead("customer_care", supervisor)
    return supervisor
