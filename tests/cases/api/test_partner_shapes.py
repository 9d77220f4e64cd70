"""What a partner login reads (docs/decisions.md, "What a partner sees"): the public events of
its cases only, never a fraud score or an e-mail, a customer's phone only while it holds a
live job for them, and no list of other partners."""

from decimal import Decimal

import pytest

from cases import services
from tests.factories import BookingFactory, CaseFactory, CustomerFactory, PartnerFactory
from tests.helpers import job

pytestmark = pytest.mark.django_db

PRIVATE = "INTERNAL: partner suspected of fraud"
PUBLIC = "Your technician will call you within the hour."


@pytest.fixture
def noted_case(partner, agent):
    case = CaseFactory(booking=BookingFactory(partner=partner), subject="AC not cooling")
    services.add_note(case_id=case.pk, actor=agent, text=PRIVATE, public=False)
    services.add_note(case_id=case.pk, actor=agent, text=PUBLIC, public=True)
    return case


def test_a_partner_reads_only_the_public_events_of_its_case(noted_case, partner_client):
    body = partner_client.get(f"/api/v1/cases/{noted_case.pk}/").json()
    assert [event["reason"] for event in body["events"]] == [PUBLIC]
    assert set(body["events"][0]) == {"id", "type", "at", "reason"}
    assert PRIVATE not in str(body)


def test_a_partner_reads_its_case_without_people_clocks_or_customer(noted_case, partner_client):
    body = partner_client.get(f"/api/v1/cases/{noted_case.pk}/").json()
    assert set(body) == {
        "id",
        "kind",
        "status",
        "subject",
        "partner",
        "booking",
        "booking_external_id",
        "created_at",
        "updated_at",
        "events",
    }
    row = partner_client.get("/api/v1/cases/").json()["results"][0]
    assert set(row) == set(body) - {"events"}


def test_the_back_office_still_reads_the_whole_trail(noted_case, agent_client):
    body = agent_client.get(f"/api/v1/cases/{noted_case.pk}/").json()
    notes = [event["reason"] for event in body["events"] if event["type"] == "note"]
    assert notes == [PRIVATE, PUBLIC]
    assert "sla" in body and "assignee" in body


def customer_row(client, customer_id: int) -> dict:
    return client.get(f"/api/v1/customers/{customer_id}/").json()


@pytest.mark.parametrize(
    "status, phone_shown",
    [
        ("created", False),
        ("allocated", True),
        ("started", True),
        ("completed", False),
        ("cancelled", False),
    ],
)
def test_a_partner_reads_the_customers_phone_only_while_its_job_is_live(
    partner, partner_client, status, phone_shown
):
    customer = CustomerFactory(phone="+919812345678", email="asha@example.com")
    job(partner=partner, customer=customer, status=status)
    row = customer_row(partner_client, customer.pk)
    assert row["phone"] == ("+919812345678" if phone_shown else None)
    listed = partner_client.get("/api/v1/customers/").json()["results"]
    assert [r["phone"] for r in listed] == [row["phone"]]


def test_another_partners_live_job_does_not_open_the_phone(partner, partner_client):
    customer = CustomerFactory(phone="+919812345670")
    job(partner=partner, customer=customer, status="completed")
    job(partner=PartnerFactory(name="Rival"), customer=customer, status="started")
    assert customer_row(partner_client, customer.pk)["phone"] is None


def test_a_partner_never_reads_a_fraud_score_or_an_e_mail(partner, partner_client):
    customer = CustomerFactory(fraud_score=Decimal("0.870"), email="asha@example.com")
    job(partner=partner, customer=customer, status="allocated")
    row = customer_row(partner_client, customer.pk)
    assert set(row) == {"id", "external_id", "name", "phone", "city", "city_name"}
    assert "asha@example.com" not in str(row) and "0.870" not in str(row)


def test_the_back_office_reads_the_customers_fraud_score_and_contacts(agent_client):
    customer = CustomerFactory(fraud_score=Decimal("0.870"), email="asha@example.com")
    row = customer_row(agent_client, customer.pk)
    assert row["fraud_score"] == "0.870" and row["email"] == "asha@example.com"


def test_customer_list_costs_the_same_queries_for_a_partner(
    partner, partner_client, django_assert_max_num_queries
):
    for _ in range(5):
        job(partner=partner, status="allocated")
    with django_assert_max_num_queries(6):
        rows = partner_client.get("/api/v1/customers/").json()["results"]
    assert len(rows) == 5 and all(row["phone"] for row in rows)


def test_allocation_candidates_are_refused_to_a_partner(partner, partner_client, agent_client):
    booking = BookingFactory(partner=partner)
    PartnerFactory(name="Rival Services", city=booking.city)
    refused = partner_client.get(f"/api/v1/bookings/{booking.pk}/allocation-candidates/")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "Rival Services" not in refused.content.decode()
    shown = agent_client.get(f"/api/v1/bookings/{booking.pk}/allocation-candidates/")
    assert shown.status_code == 200
    assert "Rival Services" in [row["name"] for row in shown.json()]


@pytest.mark.parametrize("tail", ["flows/", "decisions/"])
def test_a_cases_flows_and_decisions_are_refused_to_a_partner(noted_case, partner_client, tail):
    response = partner_client.get(f"/api/v1/cases/{noted_case.pk}/{tail}")
    assert response.status_code == 403
