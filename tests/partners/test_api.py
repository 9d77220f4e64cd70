"""Partner and customer upserts by external_id, their filters and search."""

from decimal import Decimal

import pytest

from cases.models import Customer
from partners.models import Partner
from tests.factories import CustomerFactory, PartnerFactory, city

pytestmark = pytest.mark.django_db


def partner_payload(**overrides):
    return {
        "external_id": "PX-100",
        "name": "Ravi Kumar",
        "phone": "+919800000001",
        "city": "Delhi",
        "categories": ["ac", "appliances"],
        "rating": "4.75",
        **overrides,
    }


def test_posting_a_partner_twice_leaves_one_row_201_then_200(supervisor_client):
    first = supervisor_client.post("/api/v1/partners/", partner_payload(), format="json")
    second = supervisor_client.post(
        "/api/v1/partners/", partner_payload(name="Ravi K.", hub="North"), format="json"
    )

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Partner.objects.filter(external_id="PX-100").count() == 1
    partner = Partner.objects.get(external_id="PX-100")
    assert (partner.name, partner.hub, partner.rating) == ("Ravi K.", "North", Decimal("4.75"))


def test_partner_city_by_name_or_id(supervisor_client):
    mumbai = city("Mumbai")
    by_name = supervisor_client.post(
        "/api/v1/partners/", partner_payload(external_id="PX-1", city="mumbai"), format="json"
    )
    by_id = supervisor_client.post(
        "/api/v1/partners/", partner_payload(external_id="PX-2", city=mumbai.pk), format="json"
    )
    assert by_name.json()["city"] == by_id.json()["city"] == mumbai.pk
    assert by_name.json()["city_name"] == "Mumbai"


def test_partner_upsert_reports_field_errors(supervisor_client):
    response = supervisor_client.post(
        "/api/v1/partners/",
        partner_payload(city="Atlantis", rating="7", categories=["juggling"], name=""),
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"city", "rating", "categories", "name"}
    assert "Atlantis" in errors["city"][0]
    assert not Partner.objects.filter(external_id="PX-100").exists()


def test_partner_upsert_keeps_optional_fields_left_out(supervisor_client):
    supervisor_client.post("/api/v1/partners/", partner_payload(hub="South"), format="json")
    supervisor_client.post("/api/v1/partners/", partner_payload(name="Renamed"), format="json")
    partner = Partner.objects.get(external_id="PX-100")
    assert (partner.name, partner.hub) == ("Renamed", "South")


def test_partner_filters_and_search(supervisor_client):
    delhi_ac = PartnerFactory(name="Anil AC", categories=["ac"])
    PartnerFactory(name="Bela Paint", categories=["painting"], city=city("Mumbai"))
    inactive = PartnerFactory(name="Chetan", is_active=False)

    def ids(query):
        response = supervisor_client.get(f"/api/v1/partners/?{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("category=ac") == {delhi_ac.pk}
    assert ids("city=Delhi&is_active=true") == {delhi_ac.pk}
    assert ids("is_active=false") == {inactive.pk}
    assert ids("search=anil") == {delhi_ac.pk}
    assert ids(f"search={inactive.phone}") == {inactive.pk}


def test_customer_upsert_twice_one_row(supervisor_client):
    payload = {
        "external_id": "CX-9",
        "name": "Asha",
        "phone": "+919000000009",
        "city": "Cairo",
        "fraud_score": "0.250",
    }
    first = supervisor_client.post("/api/v1/customers/", payload, format="json")
    second = supervisor_client.post(
        "/api/v1/customers/", {**payload, "email": "asha@example.com"}, format="json"
    )

    assert (first.status_code, second.status_code) == (201, 200)
    assert Customer.objects.filter(external_id="CX-9").count() == 1
    body = second.json()
    assert (body["city_name"], body["fraud_score"], body["email"]) == (
        "Cairo",
        "0.250",
        "asha@example.com",
    )


def test_customer_fraud_score_above_one_is_a_field_error(supervisor_client):
    response = supervisor_client.post(
        "/api/v1/customers/",
        {"external_id": "CX-1", "name": "A", "phone": "1", "city": "Delhi", "fraud_score": "1.5"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["fraud_score"]


def test_customer_search_by_phone_and_filter_by_city(supervisor_client):
    cairo = CustomerFactory(city=city("Cairo"), phone="+20100555")
    CustomerFactory()

    by_phone = supervisor_client.get("/api/v1/customers/?search=20100555").json()["results"]
    by_city = supervisor_client.get("/api/v1/customers/?city=Cairo").json()["results"]

    assert [row["id"] for row in by_phone] == [cairo.pk]
    assert [row["id"] for row in by_city] == [cairo.pk]
