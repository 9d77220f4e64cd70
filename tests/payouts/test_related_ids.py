"""Related ids named together must agree (the case's booking is the booking, the PAF's booking
is the booking...), or the request is a 400 on the field that disagrees and nothing is
written. The check is the services' (cases.services.require_case_of_booking), so the API and
the console refuse alike; these tests go through the API."""

from decimal import Decimal

import pytest

from cases.models import Booking, Case
from payouts import services
from payouts.models import PartnerAtFault, Refund, ReversalRequest
from tests.factories import BookingFactory, CaseFactory, CustomerFactory
from tests.helpers import client_for, revisit_job, revisit_penalty, set_state

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _refund(user, booking, case):
    body = {"booking": booking.pk, "reason": "other", "amount": "10.00"}
    if case is not None:
        body["case"] = case.pk
    return client_for(user).post(f"{API}/refunds/", body, format="json")


def test_a_refund_for_booking_a_with_a_case_of_booking_b_is_a_400_on_case(agent):
    booking_a, case_b = BookingFactory(), CaseFactory()
    response = _refund(agent, booking_a, case_b)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "case": [
            f"Case #{case_b.pk} is about booking {case_b.booking.external_id}, not "
            f"{booking_a.external_id}."
        ]
    }
    assert not Refund.objects.exists()


def test_a_refund_with_its_own_bookings_case_is_accepted(agent):
    case = CaseFactory()
    assert _refund(agent, case.booking, case).status_code == 201


def test_a_case_without_a_booking_must_be_about_the_bookings_customer(agent):
    booking = BookingFactory()
    same = CaseFactory(booking=None, customer=booking.customer, city=booking.city)
    other = CaseFactory(booking=None, customer=CustomerFactory(), city=booking.city)
    assert _refund(agent, booking, same).status_code == 201
    refused = _refund(agent, booking, other)
    assert refused.status_code == 400 and "another customer" in refused.json()["errors"]["case"][0]
    assert Refund.objects.count() == 1


def test_a_paf_with_a_case_of_another_booking_is_a_400_on_case(agent):
    booking, case = BookingFactory(), CaseFactory()
    response = client_for(agent).post(
        f"{API}/pafs/", {"booking": booking.pk, "case": case.pk, "reason": "x"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["case"]
    assert not PartnerAtFault.objects.exists()


def _not_genuine_paf():
    paf = revisit_penalty().paf
    set_state(paf, "not_genuine")
    return paf


def test_a_reversal_request_naming_another_booking_than_its_pafs_is_a_400_on_booking(
    partner_support,
):
    paf = _not_genuine_paf()
    other = BookingFactory()
    response = client_for(partner_support).post(
        f"{API}/reversal-requests/",
        {"kind": "paf_penalty", "paf": paf.pk, "booking": other.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "booking": [
            f"PAF #{paf.pk} is on booking {paf.booking.external_id}, not {other.external_id}."
        ]
    }
    assert not ReversalRequest.objects.exists()


def test_a_reversal_request_with_a_case_of_another_booking_is_a_400_on_case(partner_support):
    paf = _not_genuine_paf()
    response = client_for(partner_support).post(
        f"{API}/reversal-requests/",
        {"kind": "paf_penalty", "paf": paf.pk, "case": CaseFactory().pk},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["case"]
    assert not ReversalRequest.objects.exists()


def test_a_reversal_request_whose_ids_agree_is_accepted(partner_support):
    paf = _not_genuine_paf()
    case = CaseFactory(booking=paf.booking, kind="paf_reversal")
    response = client_for(partner_support).post(
        f"{API}/reversal-requests/",
        {"kind": "paf_penalty", "paf": paf.pk, "booking": paf.booking_id, "case": case.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_a_rating_reversal_with_a_case_of_another_booking_is_a_400_on_case(partner_support):
    response = client_for(partner_support).post(
        f"{API}/reversal-requests/",
        {"kind": "rating", "booking": BookingFactory().pk, "case": CaseFactory().pk},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["case"]
    assert not ReversalRequest.objects.exists()


def test_a_case_on_a_booking_of_another_customer_is_a_400_on_customer(agent):
    booking = BookingFactory()
    stranger = CustomerFactory()
    response = client_for(agent).post(
        f"{API}/cases/",
        {
            "kind": "status_check",
            "channel": "inbound_call",
            "reporter": "customer",
            "subject": "Where is my technician?",
            "booking": booking.pk,
            "customer": stranger.pk,
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == ["customer"]
    assert not Case.objects.exists()


def test_a_revisit_of_another_customers_booking_is_a_400(supervisor_client):
    theirs = BookingFactory(external_id="BK-THEIRS")
    mine = CustomerFactory(external_id="CX-MINE")
    response = supervisor_client.post(
        f"{API}/bookings/",
        {
            "external_id": "BK-REVISIT",
            "customer_external_id": mine.external_id,
            "lob": "ac",
            "cart_value": "0.00",
            "invoice_amount": "0.00",
            "payment_mode": "cash",
            "booking_time": "2026-11-20T10:30:00+05:30",
            "service_date": "2026-11-20",
            "revisit_of_external_id": theirs.external_id,
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == ["revisit_of_external_id"]
    assert not Booking.objects.filter(external_id="BK-REVISIT").exists()


def test_the_services_refuse_for_every_caller(agent):
    """MG plan exclusions and bonuses take a booking and a case from the flows: same rule."""
    from core.errors import InvalidInput

    booking, case = revisit_job(), CaseFactory()
    with pytest.raises(InvalidInput):
        services.exclude_from_mg_plan(booking=booking, reason="x", actor=None, case=case)
    with pytest.raises(InvalidInput):
        services.partner_bonus(booking=booking, actor=agent, amount=Decimal("10"), case=case)
    with pytest.raises(InvalidInput):
        services.mark_paf(booking=booking, reason="x", actor=agent, case=case)
    assert not PartnerAtFault.objects.exists()
