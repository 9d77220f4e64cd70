"""POST /cases/{id}/transitions/{name}/: 200, 400 bad input, 403 role, 404, 409 state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent, DispositionTag, EventType
from tests.factories import CaseFactory, tag_for
from tests.helpers import case_in

pytestmark = pytest.mark.django_db


def move(client, case_id, name, body=None):
    return client.post(f"/api/v1/cases/{case_id}/transitions/{name}/", body or {}, format="json")


def test_open_a_new_case(agent_client):
    case = CaseFactory()

    response = move(agent_client, case.pk, "open", {"reason": "Taking it"})

    assert response.status_code == 200
    assert response.json()["status"] == "open"
    event = CaseEvent.objects.get(case=case, type=EventType.TRANSITION)
    assert (event.from_state, event.to_state, event.reason) == ("new", "open", "Taking it")


def test_park_until_a_future_time(agent_client):
    case = case_in("open")
    until = timezone.now() + timedelta(hours=3)

    response = move(agent_client, case.pk, "park", {"parked_until": until.isoformat()})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "parked"
    assert body["parked_until"] is not None
    case.refresh_from_db()
    assert case.parked_until == until


def test_park_without_a_time_is_a_field_error(agent_client):
    case = case_in("open")
    response = move(agent_client, case.pk, "park")
    assert response.status_code == 400
    assert "parked_until" in response.json()["errors"]
    case.refresh_from_db()
    assert case.status == "open"


def test_park_in_the_past_is_a_field_error(agent_client):
    case = case_in("open")
    past = (timezone.now() - timedelta(minutes=5)).isoformat()
    response = move(agent_client, case.pk, "park", {"parked_until": past})
    assert response.status_code == 400
    assert "future" in response.json()["errors"]["parked_until"][0]


def test_park_with_an_unreadable_time_is_a_field_error(agent_client):
    case = case_in("open")
    response = move(agent_client, case.pk, "park", {"parked_until": "tomorrowish"})
    assert response.status_code == 400
    assert "parked_until" in response.json()["errors"]


def test_resolve_with_a_tag_path_that_applies(agent_client):
    case = case_in("open", kind="refund_status")
    tag = tag_for("refund_status")

    response = move(agent_client, case.pk, "resolve", {"disposition": tag.path})

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["disposition_path"]) == ("resolved", tag.path)
    assert body["resolved_at"] is not None


def test_resolve_with_a_tag_id(agent_client):
    case = case_in("open", kind="refund_status")
    tag = tag_for("refund_status")
    response = move(agent_client, case.pk, "resolve", {"disposition": str(tag.pk)})
    assert response.status_code == 200
    assert response.json()["disposition"] == tag.pk


def test_resolve_with_a_tag_of_another_kind_is_a_field_error(agent_client):
    case = case_in("open", kind="refund_status")
    foreign = DispositionTag.objects.filter(is_selectable=True).exclude(
        kinds__contains=["refund_status"]
    )[0]

    response = move(agent_client, case.pk, "resolve", {"disposition": foreign.path})

    assert response.status_code == 400
    assert "does not apply" in response.json()["errors"]["disposition"][0]
    case.refresh_from_db()
    assert (case.status, case.disposition_id) == ("open", None)


def test_resolve_without_a_tag_is_a_field_error(agent_client):
    case = case_in("open")
    response = move(agent_client, case.pk, "resolve")
    assert response.status_code == 400
    assert "disposition" in response.json()["errors"]


def test_finance_may_not_move_a_case(finance_client):
    case = CaseFactory()
    response = move(finance_client, case.pk, "open")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "new"


def test_agent_may_not_reopen_but_a_supervisor_may(agent_client, supervisor_client):
    case = case_in("resolved")

    refused = move(agent_client, case.pk, "reopen")
    allowed = move(supervisor_client, case.pk, "reopen")

    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert allowed.status_code == 200
    assert (allowed.json()["status"], allowed.json()["disposition"]) == ("open", None)


def test_resolving_a_new_case_is_a_conflict(agent_client):
    case = CaseFactory()
    tag = tag_for(case.kind)

    response = move(agent_client, case.pk, "resolve", {"disposition": tag.path})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    assert "it is New" in body["detail"]


def test_opening_an_open_case_is_a_conflict(agent_client):
    case = case_in("open")
    response = move(agent_client, case.pk, "open")
    assert response.status_code == 409
    assert "Cannot open" in response.json()["detail"]


def test_a_stale_expected_status_is_a_conflict(agent_client):
    case = case_in("pending")
    response = move(agent_client, case.pk, "resume", {"expected_status": "open"})
    assert response.status_code == 409
    assert response.json()["code"] == "stale_state"
    case.refresh_from_db()
    assert case.status == "pending"


def test_the_expected_status_matching_lets_it_through(agent_client):
    case = case_in("pending")
    response = move(agent_client, case.pk, "resume", {"expected_status": "pending"})
    assert response.status_code == 200
    assert response.json()["status"] == "open"


def test_transition_on_a_missing_case_is_404(agent_client):
    response = move(agent_client, 999999, "open")
    assert response.status_code == 404


def test_an_unknown_transition_is_a_400(agent_client):
    case = CaseFactory()
    response = move(agent_client, case.pk, "teleport")
    assert response.status_code == 400
    assert "transition" in response.json()["errors"]
