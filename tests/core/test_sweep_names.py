"""One naming scheme for the sweeps: the beat entry `sweep-<name>` runs the task
`<app>.tasks.sweep_<name>_task`, which calls the service `sweep_<name>`, whose runs are
recorded as `<name>` (what the clock health reports, under the same name)."""

import pytest
from django.conf import settings

from config.celery import app
from sweeps.models import SweepStatus

pytestmark = pytest.mark.django_db

SWEEPS = {
    name: entry["task"]
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
    if name.startswith("sweep-")
}


def test_the_eight_sweeps_are_on_beat():
    assert sorted(SWEEPS) == [
        "sweep-backtests",
        "sweep-case-clocks",
        "sweep-payout-leases",
        "sweep-refund-tat",
        "sweep-sla",
        "sweep-spd",
        "sweep-tasks",
        "sweep-unpark",
    ]


@pytest.mark.parametrize("entry", sorted(SWEEPS))
def test_each_beat_entry_runs_its_task_which_records_its_sweep(entry):
    name = entry.removeprefix("sweep-").replace("-", "_")
    task_name = SWEEPS[entry]
    app_label, module, function = task_name.split(".")
    assert (module, function) == ("tasks", f"sweep_{name}_task")
    app.loader.import_default_modules()
    task = app.tasks[task_name]
    assert task.apply().get() == 0  # nothing due in an empty world
    assert SweepStatus.objects.get(name=name).runs == 1


def test_the_clock_health_reports_every_sweep_under_its_name():
    from flows.clocks import clock_health

    reported = {queue.name for queue in clock_health()}
    assert reported == {e.removeprefix("sweep-").replace("-", "_") for e in SWEEPS}
