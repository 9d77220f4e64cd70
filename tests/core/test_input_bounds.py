"""Bounds on what people send: a refund never exceeds what the customer paid less what is
refunded already; texts have limits, with a 400 that names them; what a user typed is shown
escaped in the console."""

from decimal import Decimal

import pytest

from cases.models import Case, CaseEvent
from core import limits
from payouts import services
from payouts.models import Refund
from tests.factories import BookingFactory
from tests.helpers import case_in, client_for, logged_in, revisit_penalty, set_state

pytestmark = pytest.mark.django_db
MEGABYTE = "x" * 1_000_000


def refund(client, booking, amount):
    return client.post(
        "/api/v1/refunds/",
        {"booking": booking.pk, "reason": "other", "amount": amount},
        format="json",
    )


def test_a_refund_never_exceeds_what_was_paid_less_what_is_refunded(agent, finance_user):
    booking = BookingFactory(invoice_amount=Decimal("1500.00"))
    client = client_for(agent)
    huge = refund(client, booking, "999999999999.99")
    assert huge.status_code == 400
    assert "At most 1500.00" in huge.json()["errors"]["amount"][0]
    assert refund(client, booking, "1000.00").status_code == 201
    over = refund(client, booking, "500.01")
    assert over.status_code == 400 and "At most 500.00" in over.json()["errors"]["amount"][0]
    assert refund(client, booking, "500.00").status_code == 201
    # A rejected refund gives its amount back.
    first = Refund.objects.filter(booking=booking).order_by("id").first()
    services.reject_refund(refund_id=first.pk, actor=finance_user, reason="duplicate")
    assert refund(client, booking, "1000.00").status_code == 201
    assert refund(client, booking, "0.01").status_code == 400


def test_a_prepaid_booking_not_invoiced_yet_refunds_up_to_its_cart_value(agent):
    booking = BookingFactory(invoice_amount=Decimal("0"), cart_value=Decimal("799.00"))
    assert refund(client_for(agent), booking, "799.01").status_code == 400
    assert refund(client_for(agent), booking, "799.00").status_code == 201


def test_long_texts_are_refused_with_their_limit(agent):
    client = client_for(agent)
    case = case_in("open")
    created = client.post(
        "/api/v1/cases/",
        {
            "kind": "status_check",
            "channel": "inbound_call",
            "reporter": "customer",
            "subject": "Where is my technician?",
            "description": MEGABYTE,
            "booking": case.booking_id,
        },
        format="json",
    )
    assert created.status_code == 400
    assert str(limits.DESCRIPTION) in created.json()["errors"]["description"][0]
    edited = client.patch(f"/api/v1/cases/{case.pk}/", {"description": MEGABYTE}, format="json")
    assert edited.status_code == 400 and "description" in edited.json()["errors"]
    note = client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": MEGABYTE}, format="json")
    assert note.status_code == 400 and "text" in note.json()["errors"]
    assert Case.objects.get(pk=case.pk).description == case.description
    assert not CaseEvent.objects.filter(case=case, type="note").exists()


def test_the_services_keep_the_limits_for_every_caller(agent, partner_support):
    from cases import services as case_services
    from core.errors import InvalidInput

    case = case_in("open")
    with pytest.raises(InvalidInput) as long_note:
        case_services.add_note(case_id=case.pk, actor=agent, text=MEGABYTE)
    assert "4,000" in long_note.value.fields["text"][0]
    paf = revisit_penalty().paf
    set_state(paf, "not_genuine")
    with pytest.raises(InvalidInput) as evidence:
        services.submit_reversal_request(
            kind="paf_penalty", actor=partner_support, paf=paf, evidence=["e"] * 21
        )
    assert "evidence" in evidence.value.fields


def test_what_a_user_typed_is_shown_escaped_in_the_console(agent):
    case = case_in("open")
    client_for(agent).post(
        f"/api/v1/cases/{case.pk}/notes/",
        {"text": "<script>alert('x')</script>"},
        format="json",
    )
    page = logged_in(agent).get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
