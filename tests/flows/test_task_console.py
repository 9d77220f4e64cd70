"""The task queue and notifications in the console: open work first, closed with an outcome
through the same service as the API, and shown on the case page."""

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseEvent, EventType, Notification, Task
from tests.helpers import case_on, decided_with_a_task

pytestmark = pytest.mark.django_db


def _task(agent):
    return Task.objects.get(case=decided_with_a_task(agent))


def test_the_task_queue_shows_open_work_and_closes_with_an_outcome(agent, agent_console):
    task = _task(agent)
    done = _task(agent)
    case_services.close_task(task_id=done.pk, actor=agent, outcome="told")
    url = reverse("admin:cases_task_changelist")
    page = agent_console.get(url)
    assert page.status_code == 200
    assert [t.pk for t in page.context["cl"].result_list] == [task.pk]  # open by default
    everything = agent_console.get(url, {"state": "all"})
    assert {t.pk for t in everything.context["cl"].result_list} == {task.pk, done.pk}
    confirm = agent_console.post(url, {"action": "mark_done", "_selected_action": [task.pk]})
    assert confirm.status_code == 200 and b"Outcome" in confirm.content
    agent_console.post(
        url,
        {
            "action": "mark_done",
            "_selected_action": [task.pk],
            "apply": "1",
            "reason": "Partner told on the phone.",
        },
    )
    task.refresh_from_db()
    assert (task.state, task.outcome, task.closed_by_id) == (
        "done",
        "Partner told on the phone.",
        agent.pk,
    )
    assert CaseEvent.objects.filter(case=task.case, type=EventType.TASK, transition="task_done")


def test_the_case_page_lists_its_tasks(agent, agent_console):
    task = _task(agent)
    page = agent_console.get(reverse("admin:cases_case_change", args=[task.case_id]))
    assert page.status_code == 200
    assert task.title.encode() in page.content and b'id="case-tasks"' in page.content


def test_each_user_sees_only_their_own_notifications(agent, agent2, agent_console):
    case = case_on("status_check")
    mine = case_services.notify(agent, kind="escalation", title="Yours", case=case)
    case_services.notify(agent2, kind="escalation", title="Not yours", case=case)
    page = agent_console.get(reverse("admin:cases_notification_changelist"))
    assert [n.pk for n in page.context["cl"].result_list] == [mine.pk]
    assert Notification.objects.count() == 2
