"""Booking transitions are audited, append-only, with who moved the booking and how."""

import pytest
from django.db import transaction
from django.db.utils import ProgrammingError

from cases import services
from cases.models import BookingEvent
from core.errors import TransitionConflict
from tests.factories import BookingFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_each_transition_writes_one_event_with_actor_and_states(supervisor):
    booking = BookingFactory(partner=None)
    partner = PartnerFactory()
    services.transition_booking(
        booking_id=booking.pk, name="allocate", partner=partner, actor=supervisor
    )
    services.transition_booking(
        booking_id=booking.pk,
        name="cancel",
        code="pro_cannot_deliver",
        cancelled_by="partner",
        actor=supervisor,
    )
    events = list(BookingEvent.objects.filter(booking=booking).order_by("id"))
    assert [(e.transition, e.from_state, e.to_state) for e in events] == [
        ("allocate", "created", "allocated"),
        ("cancel", "allocated", "cancelled"),
    ]
    assert events[0].payload == {"partner": partner.external_id}
    assert events[1].payload == {"code": "pro_cannot_deliver", "cancelled_by": "partner"}
    assert {e.actor for e in events} == {supervisor}


def test_a_refused_transition_writes_no_event():
    booking = BookingFactory()
    with pytest.raises(TransitionConflict):
        services.transition_booking(booking_id=booking.pk, name="complete")
    assert not BookingEvent.objects.filter(booking=booking).exists()


def test_booking_events_cannot_be_rewritten(supervisor):
    booking = BookingFactory(partner=None)
    services.transition_booking(
        booking_id=booking.pk, name="allocate", partner=PartnerFactory(), actor=supervisor
    )
    event = BookingEvent.objects.get(booking=booking)
    with pytest.raises(ProgrammingError), transaction.atomic():
        BookingEvent.objects.filter(pk=event.pk).update(to_state="completed")
    with pytest.raises(ProgrammingError), transaction.atomic():
        event.delete()
    assert BookingEvent.objects.get(pk=event.pk).to_state == "allocated"


def test_the_api_records_the_caller(supervisor_client, supervisor):
    booking = BookingFactory(partner=None)
    partner = PartnerFactory()
    response = supervisor_client.post(
        f"/api/v1/bookings/{booking.pk}/transitions/allocate/",
        {"partner_external_id": partner.external_id},
        format="json",
    )
    assert response.status_code == 200
    assert BookingEvent.objects.get(booking=booking).actor == supervisor


def test_the_booking_page_shows_the_transitions(client, agent, supervisor):
    booking = BookingFactory(partner=None)
    services.transition_booking(
        booking_id=booking.pk, name="allocate", partner=PartnerFactory(), actor=supervisor
    )
    client.force_login(agent)
    page = client.get(f"/admin/cases/booking/{booking.pk}/change/")
    assert page.status_code == 200
    assert "allocate" in page.content.decode() and "allocated" in page.content.decode()
