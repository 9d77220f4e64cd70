"""The demo's history on another day than today: the month boundaries it meets still work
(its fixture is the test's own, outside tests/demo/test_history.py's module-wide demo)."""

from datetime import UTC, date, datetime

import pytest

from cases.models import Case
from demo.loader import load_demo
from payouts.models import PayoutRun, RunState
from policies.models import PolicyStatus, PolicyVersion

pytestmark = pytest.mark.django_db


def test_a_shorter_history_on_another_day_still_reaches_the_runs(time_machine):
    """Whatever today is (here the 1st of March, 35 days of history reaching back into
    January), the history runs to the end and pays the month before last."""
    time_machine.move_to(datetime(2027, 3, 1, 8, 0, tzinfo=UTC), tick=False)
    summary = load_demo(history_days=35)
    assert any(line.startswith("History of 35 days added") for line in summary.history)
    first = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    assert first.date() == date(2027, 1, 25)
    runs = PayoutRun.objects.filter(period_start=date(2027, 1, 1), period_end=date(2027, 1, 31))
    assert sorted(runs.values_list("state", flat=True)) == [RunState.PAID, RunState.PAID]
    assert PolicyVersion.objects.filter(status=PolicyStatus.ACTIVE).count() == 2  # one lived
