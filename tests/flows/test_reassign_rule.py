"""Reassigning a task follows the team rule of closing it (cases.services.may_close: the
owner, the owner team's roles or its lead, a supervisor); anyone else gets a 403, so giving
oneself a task is no way round the team that works it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Task
from cases.services import TaskSpec
from core.errors import NotPermitted
from tests.factories import UserFactory
from tests.helpers import case_in, client_for, team_lead

pytestmark = pytest.mark.django_db


def _task(team: str, owner=None) -> Task:
    spec = TaskSpec(
        kind="deduct_from_partner",
        title="Recover the amount from the partner",
        owner_team=team,
        owner_id=owner.pk if owner else None,
        due_at=timezone.now() + timedelta(hours=4),
    )
    (task,) = case_services.create_tasks(case_in("open"), [spec], actor=None)
    return task


def _reassign(user, task, owner):
    return client_for(user).post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"owner": owner}, format="json"
    )


def _close(user, task):
    return client_for(user).post(
        f"/api/v1/tasks/{task.pk}/close/", {"outcome": "recovered"}, format="json"
    )


def test_an_agent_may_neither_close_nor_take_a_finance_task(agent):
    task = _task("finance")
    assert _close(agent, task).status_code == 403
    taken = _reassign(agent, task, agent.username)
    assert taken.status_code == 403
    assert "may reassign" in taken.json()["detail"]
    assert _close(agent, task).status_code == 403  # still not: nothing changed
    task.refresh_from_db()
    assert (task.owner, task.state) == (None, "open")


def test_finance_and_supervisors_reassign_finance_tasks(finance_user, finance_user2, supervisor):
    task = _task("finance")
    assert _reassign(finance_user, task, finance_user2.username).status_code == 200
    assert _reassign(supervisor, task, None).status_code == 200
    task.refresh_from_db()
    assert task.owner is None


def test_the_teams_lead_reassigns_its_tasks_whatever_the_role(partner_support, finance_user):
    task = _task("finance")
    assert _reassign(partner_support, task, finance_user.username).status_code == 403
    team_lead("finance", partner_support)
    assert _reassign(partner_support, task, finance_user.username).status_code == 200


def test_the_owner_may_hand_a_task_back_to_the_queue(agent, finance_user):
    task = _task("finance", owner=agent)  # finance gave it to the agent on purpose
    assert _reassign(agent, task, None).status_code == 200
    assert _reassign(agent, task, agent.username).status_code == 403  # no longer the owner


def test_every_role_outside_the_team_gets_a_403(agent, partner_support, finance_user):
    training = _task("training")  # the trainer's (supervisors) tasks
    for user in (agent, partner_support, finance_user):
        assert _reassign(user, training, user.username).status_code == 403
    customer_care = _task("customer_care")
    assert _reassign(finance_user, customer_care, finance_user.username).status_code == 403
    assert _reassign(agent, customer_care, agent.username).status_code == 200


def test_the_service_says_the_same_for_every_caller(agent):
    task = _task("fraud_review")
    with pytest.raises(NotPermitted):
        case_services.reassign_task(task_id=task.pk, actor=agent, owner=agent)
    other = UserFactory(username="agent-3", role="agent")
    assert case_services.may_close(other, task) is False
