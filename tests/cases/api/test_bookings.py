"""Booking upserts (lines, money to the paisa, concurrency) and booking transitions."""

import threading
from decimal import Decimal

import pytest
from django.db import connections

from cases import services
from cases.models import Booking, BookingLine
from tests.factories import BookingFactory, CustomerFactory, PartnerFactory, city

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db):
    return CustomerFactory(external_id="CX-1")


def booking_payload(**overrides):
    return {
        "external_id": "BK-1",
        "customer_external_id": "CX-1",
        "lob": "ac",
        "cart_value": "799.45",
        "invoice_amount": "1023.07",
        "payment_mode": "cash",
        "booking_time": "2026-11-20T10:30:00+05:30",
        "service_date": "2026-11-20",
        "lines": [
            {"sku": "AC-SVC", "description": "AC service", "quantity": 1, "unit_price": "499.45"},
            {"sku": "GAS", "description": "Gas top-up", "quantity": 2, "unit_price": "150.00"},
        ],
        **overrides,
    }


def test_posting_a_booking_twice_leaves_one_row_201_then_200(supervisor_client, customer):
    first = supervisor_client.post("/api/v1/bookings/", booking_payload(), format="json")
    second = supervisor_client.post(
        "/api/v1/bookings/", booking_payload(address="12 MG Road"), format="json"
    )

    assert (first.status_code, second.status_code) == (201, 200)
    assert Booking.objects.filter(external_id="BK-1").count() == 1
    assert second.json()["address"] == "12 MG Road"


def test_money_round_trips_to_the_paisa(supervisor_client, customer):
    created = supervisor_client.post("/api/v1/bookings/", booking_payload(), format="json").json()
    read = supervisor_client.get(f"/api/v1/bookings/{created['id']}/").json()

    for body in (created, read):
        assert (body["cart_value"], body["invoice_amount"]) == ("799.45", "1023.07")
        assert [line["unit_price"] for line in body["lines"]] == ["499.45", "150.00"]
    booking = Booking.objects.get(external_id="BK-1")
    assert booking.cart_value == Decimal("799.45")
    assert booking.invoice_amount == Decimal("1023.07")


def test_fractions_of_a_paisa_are_refused(supervisor_client, customer):
    response = supervisor_client.post(
        "/api/v1/bookings/", booking_payload(cart_value="799.455"), format="json"
    )
    assert response.status_code == 400
    assert "cart_value" in response.json()["errors"]


def test_city_and_currency_default_from_the_customer(supervisor_client, db):
    CustomerFactory(external_id="CX-EG", city=city("Cairo"))
    body = supervisor_client.post(
        "/api/v1/bookings/", booking_payload(customer_external_id="CX-EG"), format="json"
    ).json()
    assert (body["city_name"], body["currency"]) == ("Cairo", "EGP")


def test_currency_other_than_the_citys_is_refused(supervisor_client, customer):
    response = supervisor_client.post(
        "/api/v1/bookings/", booking_payload(currency="EGP"), format="json"
    )
    assert response.status_code == 400
    assert "currency" in response.json()["errors"]
    assert not Booking.objects.exists()


def test_bad_booking_input_lists_every_field_error(supervisor_client, customer):
    response = supervisor_client.post(
        "/api/v1/bookings/",
        booking_payload(
            customer_external_id="CX-NOPE",
            partner_external_id="PX-NOPE",
            lob="magic",
            invoice_amount="-1.00",
            service_date="soon",
            lines=[{"sku": "X", "description": "x", "quantity": 0, "unit_price": "1"}],
        ),
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {
        "customer_external_id",
        "partner_external_id",
        "lob",
        "invoice_amount",
        "service_date",
        "lines",
    } <= set(errors)
    # Item errors of a list field are messages on the field that name the item.
    [line_error] = errors["lines"]
    assert line_error.startswith("item 1: quantity: ")
    assert "greater than or equal to 1" in line_error


def test_lines_are_replaced_on_upsert(supervisor_client, customer):
    supervisor_client.post("/api/v1/bookings/", booking_payload(), format="json")
    new_lines = [{"sku": "RO", "description": "RO filter", "quantity": 3, "unit_price": "10.10"}]
    body = supervisor_client.post(
        "/api/v1/bookings/", booking_payload(lines=new_lines), format="json"
    ).json()

    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [("RO", 3)]
    assert BookingLine.objects.filter(booking__external_id="BK-1").count() == 1


def test_lines_left_out_are_kept(supervisor_client, customer):
    supervisor_client.post("/api/v1/bookings/", booking_payload(), format="json")
    payload = booking_payload()
    del payload["lines"]
    body = supervisor_client.post("/api/v1/bookings/", payload, format="json").json()
    assert len(body["lines"]) == 2


def test_upsert_does_not_set_the_status(supervisor_client, customer):
    response = supervisor_client.post(
        "/api/v1/bookings/", booking_payload(status="completed"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "created"
    assert Booking.objects.get(external_id="BK-1").status == "created"


def test_upsert_keeps_the_status_a_transition_set(supervisor_client, customer):
    booking_id = supervisor_client.post(
        "/api/v1/bookings/", booking_payload(), format="json"
    ).json()["id"]
    partner = PartnerFactory()
    supervisor_client.post(
        f"/api/v1/bookings/{booking_id}/transitions/allocate/",
        {"partner_external_id": partner.external_id},
        format="json",
    )
    body = supervisor_client.post("/api/v1/bookings/", booking_payload(), format="json").json()
    assert body["status"] == "allocated"


def test_revisit_links_to_the_original_booking(supervisor_client, customer):
    supervisor_client.post("/api/v1/bookings/", booking_payload(), format="json")
    body = supervisor_client.post(
        "/api/v1/bookings/",
        booking_payload(external_id="BK-2", revisit_of_external_id="BK-1", is_sme_revisit=True),
        format="json",
    ).json()
    assert (body["revisit_of_external_id"], body["is_sme_revisit"]) == ("BK-1", True)


def test_platform_user_with_add_permission_upserts_bookings(platform_client, customer):
    response = platform_client.post("/api/v1/bookings/", booking_payload(), format="json")
    assert response.status_code == 201


def test_finance_may_read_but_not_upsert_bookings(finance_client, customer):
    BookingFactory()
    assert finance_client.get("/api/v1/bookings/").status_code == 200
    response = finance_client.post("/api/v1/bookings/", booking_payload(), format="json")
    assert response.status_code == 403


def test_booking_filters_and_search(supervisor_client):
    cash = BookingFactory(payment_mode="cash", lob="ac")
    cairo = BookingFactory(customer=CustomerFactory(city=city("Cairo"), name="Omar Said"))

    def ids(query):
        response = supervisor_client.get(f"/api/v1/bookings/?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("payment_mode=cash") == [cash.pk]
    assert ids("lob=ac") == [cash.pk]
    assert ids("city=Cairo") == [cairo.pk]
    assert ids(f"partner={cash.partner.external_id}") == [cash.pk]
    assert ids(f"customer={cairo.customer_id}") == [cairo.pk]
    assert ids("search=omar") == [cairo.pk]
    assert ids(f"external_id={cash.external_id}") == [cash.pk]
    assert ids("status=created") == [cairo.pk, cash.pk]
    assert supervisor_client.get("/api/v1/bookings/?status=lost").status_code == 400


# Transitions


def move(client, booking, name, body=None):
    return client.post(
        f"/api/v1/bookings/{booking.pk}/transitions/{name}/", body or {}, format="json"
    )


def test_allocate_sets_the_partner(supervisor_client):
    booking = BookingFactory(partner=None)
    partner = PartnerFactory()

    response = move(
        supervisor_client, booking, "allocate", {"partner_external_id": partner.external_id}
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["partner"]) == ("allocated", partner.pk)


def test_allocate_without_a_partner_is_a_field_error(supervisor_client):
    booking = BookingFactory(partner=None)
    response = move(supervisor_client, booking, "allocate")
    assert response.status_code == 400
    assert "partner_external_id" in response.json()["errors"]
    booking.refresh_from_db()
    assert booking.status == "created"


def test_cancel_needs_code_and_who(supervisor_client):
    booking = BookingFactory()
    response = move(supervisor_client, booking, "cancel")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"code", "cancelled_by"}


def test_cancel_records_code_and_who(supervisor_client):
    booking = BookingFactory()
    response = move(
        supervisor_client, booking, "cancel", {"code": "no_show", "cancelled_by": "partner"}
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["cancellation_code"], body["cancelled_by"]) == (
        "cancelled",
        "no_show",
        "partner",
    )


def test_an_uncancelled_booking_shows_null_cancellation(supervisor_client):
    body = supervisor_client.get(f"/api/v1/bookings/{BookingFactory().pk}/").json()
    assert (body["cancellation_code"], body["cancelled_by"]) == (None, None)


def test_starting_a_booking_not_yet_allocated_is_a_conflict(supervisor_client):
    response = move(supervisor_client, BookingFactory(), "start")
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert "Created" in response.json()["detail"]


def test_unknown_booking_transition_is_400_and_unknown_booking_404(supervisor_client):
    booking = BookingFactory()
    assert move(supervisor_client, booking, "teleport").status_code == 400
    response = supervisor_client.post("/api/v1/bookings/999999/transitions/start/", {})
    assert response.status_code == 404


def test_agent_may_not_move_bookings(agent_client):
    assert move(agent_client, BookingFactory(), "cancel").status_code == 403


# Concurrency: real connections, so a transactional test


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_upserts_of_one_new_booking_leave_one_row():
    customer = CustomerFactory()
    callers = 6
    barrier = threading.Barrier(callers)
    outcomes: list = []

    def push(n):
        try:
            barrier.wait(timeout=10)
            _, created = services.upsert_booking(
                external_id="BK-RACE",
                fields={
                    "customer": customer,
                    "lob": "ac",
                    "cart_value": Decimal("100.01"),
                    "invoice_amount": Decimal(f"100.{n:02d}"),
                    "payment_mode": "online",
                    "booking_time": customer.created_at,
                    "service_date": customer.created_at.date(),
                },
                lines=[{"sku": f"S{n}", "description": "x", "quantity": 1, "unit_price": 1}],
            )
            outcomes.append(created)
        except Exception as exc:  # collected and asserted on below
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push, args=(n,)) for n in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes, key=str) == [False] * (callers - 1) + [True], outcomes
    assert Booking.objects.filter(external_id="BK-RACE").count() == 1
    assert BookingLine.objects.filter(booking__external_id="BK-RACE").count() == 1
