"""Who gets in: token auth, roles, and a partner login that sees only its own records."""

import pytest
from rest_framework.test import APIClient

from tests.factories import BookingFactory, CaseFactory, CustomerFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_token_endpoint_returns_a_token_that_authenticates(agent):
    anonymous = APIClient()
    response = anonymous.post(
        "/api/v1/auth/token/", {"username": "agent-1", "password": "pw-12345678"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]

    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous.get("/api/v1/cases/").status_code == 200


def test_token_endpoint_refuses_a_wrong_password(agent):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "agent-1", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/", "/api/v1/bookings/", "/api/v1/partners/", "/api/v1/dispositions/"]
)
def test_unauthenticated_requests_are_refused(url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials" in response.json()["detail"]


def test_a_bad_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/cases/").status_code == 401


def test_staff_without_a_role_may_not_read():
    client = client_for(UserFactory(username="staff-no-role"))
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403


def test_superuser_reads_without_a_role_group():
    boss = UserFactory(username="root", is_superuser=True)
    CaseFactory()
    response = client_for(boss).get("/api/v1/cases/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_finance_reads_cases(finance_client):
    case = CaseFactory()
    response = finance_client.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == case.pk


def test_partner_token_lists_only_its_own_cases(partner, partner_client):
    own = CaseFactory(booking=BookingFactory(partner=partner))
    CaseFactory()  # another partner's

    response = partner_client.get("/api/v1/cases/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_partner_token_gets_404_on_another_partners_case(partner_client):
    other = CaseFactory()
    assert partner_client.get(f"/api/v1/cases/{other.pk}/").status_code == 404


def test_partner_token_lists_only_its_own_bookings(partner, partner_client):
    own = BookingFactory(partner=partner)
    other = BookingFactory()

    response = partner_client.get("/api/v1/bookings/")

    assert [row["external_id"] for row in response.json()["results"]] == [own.external_id]
    assert partner_client.get(f"/api/v1/bookings/{other.pk}/").status_code == 404


def test_partner_token_sees_only_its_own_partner_record(partner, partner_client):
    other = BookingFactory().partner

    response = partner_client.get("/api/v1/partners/")

    assert [row["id"] for row in response.json()["results"]] == [partner.pk]
    assert partner_client.get(f"/api/v1/partners/{other.pk}/").status_code == 404


def test_partner_token_sees_only_customers_of_its_bookings(partner, partner_client):
    own = BookingFactory(partner=partner).customer
    CustomerFactory()

    response = partner_client.get("/api/v1/customers/")

    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_partner_token_may_not_write_cases(partner, partner_client):
    case = CaseFactory(booking=BookingFactory(partner=partner))
    response = partner_client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "hi"})
    assert response.status_code == 403


def test_inactive_partner_login_is_refused(partner, partner_client):
    partner.is_active = False
    partner.save()
    assert partner_client.get("/api/v1/cases/").status_code == 403


def test_agent_may_not_upsert_partners(agent_client):
    response = agent_client.post(
        "/api/v1/partners/",
        {"external_id": "PX-1", "name": "Ravi", "phone": "+911", "city": "Delhi"},
        format="json",
    )
    assert response.status_code == 403


def test_platform_user_upserts_and_reads_back_but_cannot_see_cases(platform_client):
    response = platform_client.post(
        "/api/v1/customers/",
        {"external_id": "CX-1", "name": "Asha", "phone": "+9190", "city": "Mumbai"},
        format="json",
    )
    assert response.status_code == 201
    assert platform_client.get(f"/api/v1/customers/{response.json()['id']}/").status_code == 200
    assert platform_client.get("/api/v1/cases/").status_code == 403
