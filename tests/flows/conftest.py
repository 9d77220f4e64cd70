"""Fixtures for the flow tests: cases of a kind on a booking, completed jobs, revisits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Booking, Case, CaseEvent, EventType
from tests.factories import BookingFactory, CaseFactory, PartnerFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def completed(booking: Booking) -> Booking:
    """Put a booking straight into `completed` (a fixture, not through its FSM)."""
    Booking.objects.filter(pk=booking.pk).update(status="completed")
    booking.refresh_from_db()
    return booking


def job(*, days_ago: int = 3, status: str = "created", **kwargs) -> Booking:
    """A booking served `days_ago` days ago (local time), in a given status."""
    kwargs.setdefault("booking_time", timezone.now() - timedelta(days=days_ago))
    kwargs.setdefault("service_date", timezone.localtime(kwargs["booking_time"]).date())
    booking = BookingFactory(**kwargs)
    if status != "created":
        extra = {"cancellation_code": "customer_voc", "cancelled_by": "customer"}
        Booking.objects.filter(pk=booking.pk).update(
            status=status, **(extra if status == "cancelled" else {})
        )
        booking.refresh_from_db()
    return booking


def case_on(kind: str, booking: Booking | None = None, **kwargs) -> Case:
    """A case of `kind` on the booking (a fresh one unless given)."""
    booking = booking if booking is not None else job()
    return CaseFactory(kind=kind, booking=booking, **kwargs)


def revisit_of(original: Booking, **kwargs) -> Booking:
    kwargs.setdefault("partner", original.partner)
    kwargs.setdefault("customer", original.customer)
    kwargs.setdefault("invoice_amount", Decimal("0.00"))
    kwargs.setdefault("cart_value", Decimal("0.00"))
    return BookingFactory(revisit_of=original, **kwargs)


def decisions(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, type=EventType.DECISION).order_by("id"))


def last_decision(case: Case) -> CaseEvent:
    return decisions(case)[-1]


@pytest.fixture
def partner_user(db):
    """A partner with a partner-app login (no staff, no role)."""
    return PartnerFactory(user=UserFactory(username="partner-app-7", is_staff=False))
