"""A case's detail (audit trail, transitions open to the caller) and the writes on it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseEvent, EventType
from tests.factories import BookingFactory, CaseFactory, CustomerFactory, city
from tests.helpers import case_in

pytestmark = pytest.mark.django_db


def test_create_from_a_booking_external_id_takes_its_links(agent_client):
    booking = BookingFactory()

    response = agent_client.post(
        "/api/v1/cases/",
        {
            "kind": "refund_status",
            "channel": "inbound_call",
            "reporter": "customer",
            "subject": "Where is my refund?",
            "booking": booking.external_id,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["team"], body["booking"]) == ("new", "customer_care", booking.pk)
    assert (body["customer"], body["partner"], body["city"]) == (
        booking.customer_id,
        booking.partner_id,
        booking.city_id,
    )
    assert [(e["type"], e["actor_username"]) for e in body["events"]] == [("created", "agent-1")]


def test_create_by_booking_id_with_a_team_and_due_time(agent_client):
    booking = BookingFactory()
    due = timezone.now() + timedelta(hours=8)
    body = agent_client.post(
        "/api/v1/cases/",
        {
            "kind": "status_check",
            "channel": "chat",
            "reporter": "customer",
            "subject": "Status?",
            "booking": booking.pk,
            "team": "escalations",
            "priority": "high",
            "due_at": due.isoformat(),
        },
        format="json",
    ).json()
    case = Case.objects.get(pk=body["id"])
    assert (case.booking_id, case.team, case.priority) == (booking.pk, "escalations", "high")
    assert case.due_at == due


def test_create_without_booking_customer_or_city_is_a_city_error(agent_client):
    response = agent_client.post(
        "/api/v1/cases/",
        {"kind": "service_enquiry", "channel": "chat", "reporter": "customer", "subject": "Hi"},
        format="json",
    )
    assert response.status_code == 400
    assert "city" in response.json()["errors"]


def test_create_for_a_customer_named_by_external_id_with_a_city_name(agent_client):
    customer = CustomerFactory(city=city("Cairo"))
    body = agent_client.post(
        "/api/v1/cases/",
        {
            "kind": "service_enquiry",
            "channel": "email",
            "reporter": "customer",
            "subject": "Prices",
            "customer": customer.external_id,
            "city": "Alex",
        },
        format="json",
    ).json()
    assert (body["customer"], body["city_name"]) == (customer.pk, "Alex")


def test_create_reports_field_errors(agent_client):
    response = agent_client.post(
        "/api/v1/cases/",
        {"kind": "alien_abduction", "channel": "pigeon", "subject": "", "booking": "BK-NOPE"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "channel", "reporter", "subject", "booking"}
    assert not Case.objects.exists()


def test_finance_may_not_create_cases(finance_client):
    response = finance_client.post(
        "/api/v1/cases/",
        {"kind": "status_check", "channel": "chat", "reporter": "customer", "subject": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_detail_shows_the_audit_trail(agent_client, agent):
    booking = BookingFactory()
    case_id = agent_client.post(
        "/api/v1/cases/",
        {
            "kind": "status_check",
            "channel": "chat",
            "reporter": "customer",
            "subject": "x",
            "booking": booking.pk,
        },
        format="json",
    ).json()["id"]
    agent_client.post(f"/api/v1/cases/{case_id}/transitions/open/", {"reason": "Picked up"})

    events = agent_client.get(f"/api/v1/cases/{case_id}/").json()["events"]

    assert [e["type"] for e in events] == ["created", "transition"]
    transition = events[1]
    assert transition["transition"] == "open"
    assert (transition["from_state"], transition["to_state"]) == ("new", "open")
    assert transition["reason"] == "Picked up"
    assert transition["actor_username"] == "agent-1"
    assert transition["policy_version"]
    assert {"at", "payload"} <= set(transition)


def test_detail_lists_the_transitions_open_to_an_agent(agent_client):
    case = case_in("open")
    transitions = agent_client.get(f"/api/v1/cases/{case.pk}/").json()["available_transitions"]
    by_name = {t["name"]: t for t in transitions}

    assert set(by_name) == {
        "mark_pending",
        "park",
        "wait_on_customer",
        "wait_on_third_party",
        "resolve",
    }
    assert by_name["park"] == {
        "name": "park",
        "label": "Park",
        "target": "parked",
        "needs": ["parked_until"],
    }
    assert by_name["resolve"]["needs"] == ["disposition"]
    assert by_name["mark_pending"]["needs"] == []


def test_only_a_supervisor_is_offered_reopen(agent_client, supervisor_client):
    case = case_in("resolved")

    def names(client):
        body = client.get(f"/api/v1/cases/{case.pk}/").json()
        return {t["name"] for t in body["available_transitions"]}

    assert names(agent_client) == {"close"}
    assert names(supervisor_client) == {"close", "reopen"}


def test_finance_is_offered_no_transitions(finance_client):
    case = case_in("open")
    body = finance_client.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["available_transitions"] == []


def test_detail_of_a_missing_case_is_404(agent_client):
    assert agent_client.get("/api/v1/cases/999999/").status_code == 404


def test_patch_changes_working_fields_and_audits_each(agent_client, agent2):
    case = CaseFactory(priority="low")

    response = agent_client.patch(
        f"/api/v1/cases/{case.pk}/",
        {"assignee": agent2.pk, "priority": "urgent", "reason": "VIP"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["assignee_username"], body["priority"]) == ("agent-2", "urgent")
    changes = CaseEvent.objects.filter(case=case, type=EventType.FIELD_CHANGE)
    assert sorted(e.payload["field"] for e in changes) == ["assignee", "priority"]
    assert {e.reason for e in changes} == {"VIP"}


def test_patch_can_clear_the_due_time(agent_client):
    case = CaseFactory(due_at=timezone.now())
    body = agent_client.patch(f"/api/v1/cases/{case.pk}/", {"due_at": None}, format="json").json()
    assert body["due_at"] is None


def test_patch_with_nothing_to_change_is_400(agent_client):
    case = CaseFactory()
    response = agent_client.patch(f"/api/v1/cases/{case.pk}/", {"reason": "x"}, format="json")
    assert response.status_code == 400


def test_patch_bad_values_are_field_errors(agent_client):
    case = CaseFactory()
    response = agent_client.patch(
        f"/api/v1/cases/{case.pk}/",
        {"priority": "whenever", "assignee": 999999, "team": "moon"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"priority", "assignee", "team"}


def test_patch_on_a_closed_case_is_a_conflict(agent_client):
    case = case_in("closed")
    response = agent_client.patch(f"/api/v1/cases/{case.pk}/", {"priority": "high"}, format="json")
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


def test_finance_may_not_patch(finance_client):
    case = CaseFactory()
    response = finance_client.patch(f"/api/v1/cases/{case.pk}/", {"priority": "high"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.priority == "low"


def test_put_is_not_offered(agent_client):
    case = CaseFactory()
    assert agent_client.put(f"/api/v1/cases/{case.pk}/", {}, format="json").status_code == 405


def test_add_note(agent_client):
    case = CaseFactory()
    response = agent_client.post(
        f"/api/v1/cases/{case.pk}/notes/", {"text": "  Called the customer.  "}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["type"], response.json()["reason"]) == ("note", "Called the customer.")
    assert CaseEvent.objects.filter(case=case, type=EventType.NOTE).count() == 1


def test_empty_note_is_a_field_error(agent_client):
    case = CaseFactory()
    response = agent_client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "  "}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()["errors"]


def test_note_on_a_missing_case_is_404(agent_client):
    response = agent_client.post("/api/v1/cases/999999/notes/", {"text": "x"}, format="json")
    assert response.status_code == 404


def test_dispositions_for_a_kind_apply_to_it(agent_client):
    response = agent_client.get("/api/v1/dispositions/?kind=refund_status")
    assert response.status_code == 200
    tags = response.json()
    assert tags, "the seeded taxonomy has refund tags"
    assert all("refund_status" in tag["kinds"] for tag in tags)
    assert "Inbound >> Enquiry >> Refund status query >> Resolved" in [t["path"] for t in tags]


def test_dispositions_refuse_an_unknown_kind(agent_client):
    assert agent_client.get("/api/v1/dispositions/?kind=nonsense").status_code == 400


def test_a_numeric_string_is_tried_as_an_external_id_before_an_id(agent_client):
    other = CustomerFactory()
    numeric = CustomerFactory(external_id=str(other.pk))  # its external id is other's id
    body = agent_client.post(
        "/api/v1/cases/",
        {
            "kind": "service_enquiry",
            "channel": "chat",
            "reporter": "customer",
            "subject": "x",
            "customer": str(other.pk),
        },
        format="json",
    ).json()
    assert body["customer"] == numeric.pk
    by_number = agent_client.post(
        "/api/v1/cases/",
        {
            "kind": "service_enquiry",
            "channel": "chat",
            "reporter": "customer",
            "subject": "x",
            "customer": other.pk,
        },
        format="json",
    ).json()
    assert by_number["customer"] == other.pk
