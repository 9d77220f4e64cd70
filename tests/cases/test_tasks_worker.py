"""Celery paths on a real worker process and the real broker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.tasks import sweep_unpark_task
from tests.helpers import case_in
from tests.worker import celery_worker_process

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_worker_unparks_due_cases_once():
    due = case_in("parked")
    Case.objects.filter(pk=due.pk).update(parked_until=timezone.now() - timedelta(minutes=1))
    later = case_in("parked")  # park time 3 h ahead: stays parked
    with celery_worker_process() as queue:
        first = sweep_unpark_task.apply_async(queue=queue).get(timeout=60)
        second = sweep_unpark_task.apply_async(queue=queue).get(timeout=60)
    assert (first, second) == (1, 0)
    assert Case.objects.get(pk=due.pk).status == "open"
    assert Case.objects.get(pk=later.pk).status == "parked"
    assert CaseEvent.objects.filter(case=due, transition="unpark").count() == 1
