"""The clocks in the API: every case carries its SLA state; the queue filters on breached,
due within N minutes and paused, and sorts by the next deadline."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Case
from tests.helpers import client_for, opened

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")


def ist(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=IST)


@pytest.fixture
def queue(time_machine, agent):
    """Three urgent cases opened 09:00, 09:10 and 09:20 on Monday; the last one waits on the
    customer; at 09:35 the first one's first response is breached."""
    cases = []
    for minute in (0, 10, 20):
        time_machine.move_to(ist(16, 9, minute), tick=False)
        cases.append(opened(priority="urgent"))
    services.transition_case(case_id=cases[2].pk, name="open", actor=agent)
    services.transition_case(case_id=cases[2].pk, name="wait_on_customer", actor=agent)
    time_machine.move_to(ist(16, 9, 35), tick=False)
    services.sweep_sla()
    return cases


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_a_case_carries_its_clocks(queue, agent):
    first, second, waiting = queue
    client = client_for(agent)
    row = {r["id"]: r for r in client.get("/api/v1/cases/").json()["results"]}[first.pk]
    sla = row["sla"]
    assert sla["breached"] is True and sla["paused"] is False and sla["warned"] is False
    assert sla["next_deadline_at"] == "2026-03-16T12:12:00+05:30"  # the warning
    assert sla["first_response_due_at"] == "2026-03-16T09:30:00+05:30"
    full = client.get(f"/api/v1/cases/{first.pk}/").json()["sla"]
    assert full["first_response_breached_at"] == "2026-03-16T09:35:00+05:30"
    assert full["sla_version"] == "sop-2026.1" and full["calendar_version"].startswith("IN-")
    detail = client.get(f"/api/v1/cases/{waiting.pk}/").json()["sla"]
    assert detail["paused"] is True and detail["next_deadline_at"] is None
    assert detail["paused_since"] == "2026-03-16T09:20:00+05:30"


def test_the_queue_filters_on_the_clocks(queue, agent):
    first, second, waiting = queue
    client = client_for(agent)
    assert ids(client.get("/api/v1/cases/?breached=true")) == [first.pk]
    assert set(ids(client.get("/api/v1/cases/?breached=false"))) == {second.pk, waiting.pk}
    assert ids(client.get("/api/v1/cases/?paused=true")) == [waiting.pk]
    # Due within 10 minutes: the second case's first response (09:40).
    assert ids(client.get("/api/v1/cases/?due_within=10")) == [second.pk]
    assert set(ids(client.get("/api/v1/cases/?due_within=300"))) == {first.pk, second.pk}


def test_the_queue_sorts_by_the_next_deadline(queue, agent):
    first, second, waiting = queue
    response = client_for(agent).get("/api/v1/cases/?sort=deadline&page_size=1")
    assert ids(response) == [second.pk]  # 09:40, before the first case's 12:12 warning
    following = client_for(agent).get(response.json()["next"])
    assert ids(following) == [first.pk]
    assert following.json()["next"] is None  # the paused case has no deadline


def test_bad_clock_queries_are_400s_with_the_error_body(queue, agent):
    client = client_for(agent)
    bad_sort = client.get("/api/v1/cases/?sort=oldest")
    assert bad_sort.status_code == 400
    assert "sort" in bad_sort.json()["errors"]
    bad_window = client.get("/api/v1/cases/?due_within=-5")
    assert bad_window.status_code == 400
    assert "due_within" in bad_window.json()["errors"]


def test_a_public_note_through_the_api_is_the_first_response(time_machine, agent):
    time_machine.move_to(ist(16, 9), tick=False)
    case = opened(priority="urgent")
    client = client_for(agent)
    client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "internal"}, format="json")
    assert Case.objects.get(pk=case.pk).first_responded_at is None
    response = client.post(
        f"/api/v1/cases/{case.pk}/notes/", {"text": "On our way", "public": True}, format="json"
    )
    assert response.status_code == 201
    assert Case.objects.get(pk=case.pk).first_responded_at == ist(16, 9)


def test_the_deadline_sort_keeps_the_query_count_flat(queue, agent, django_assert_max_num_queries):
    client = client_for(agent)
    for size in (1, 3):
        with django_assert_max_num_queries(3):
            client.get(f"/api/v1/cases/?sort=deadline&page_size={size}")
