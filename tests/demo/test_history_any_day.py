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


def test_a_demo_loaded_without_history_gets_it_added_later(time_machine):
    """A database loaded before the history existed (or with --history-days 0) gets the
    history on the next load; the payouts part's paid India run for November is left
    standing, so only Egypt's October run is made."""
    time_machine.move_to(datetime(2026, 12, 7, 10, 0, tzinfo=UTC), tick=False)
    load_demo(history_days=0)
    paid = set(PayoutRun.objects.values_list("pk", flat=True))
    assert len(paid) == 1
    summary = load_demo(history_days=40)  # from 28 October
    assert summary.already_loaded and not summary.nothing_done
    assert "runs left to the payouts part 1" in summary.history[0]
    assert set(PayoutRun.objects.values_list("pk", flat=True)) > paid
    october = PayoutRun.objects.get(period_start=date(2026, 10, 1))
    assert (october.region.country, october.state) == ("EG", RunState.PAID)
    assert Case.objects.filter(created_at__date__lt=date(2026, 11, 1)).count() > 10
