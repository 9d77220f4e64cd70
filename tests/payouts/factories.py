"""factory-boy factories for the payouts records (cities, regions, groups come from seeds)."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from partners.models import Region
from payouts.models import LedgerEntry, PartnerAtFault, PayoutRun, Refund
from tests.factories import BookingFactory, PartnerFactory


class PafFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAtFault

    booking = factory.SubFactory(BookingFactory)
    partner = factory.LazyAttribute(lambda p: p.booking.partner)
    reason = "no_show"
    marked_at = factory.LazyFunction(timezone.now)
    policy_version = "sop-2026.1"


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerEntry

    partner = factory.SubFactory(PartnerFactory)
    currency = factory.LazyAttribute(lambda e: e.partner.city.region.currency)
    kind = "earning"
    amount = Decimal("100.00")
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    idempotency_key = factory.Sequence(lambda n: f"test:{n}:entry")


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    booking = factory.SubFactory(BookingFactory)
    customer = factory.LazyAttribute(lambda r: r.booking.customer)
    reason = "goodwill_no_show"
    amount = Decimal("100.00")
    currency = factory.LazyAttribute(lambda r: r.booking.currency)


class PayoutRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayoutRun

    region = factory.LazyFunction(lambda: Region.objects.get(country="IN"))
    currency = factory.LazyAttribute(lambda r: r.region.currency)
    period_start = factory.LazyFunction(lambda: date.today() - timedelta(days=7))
    period_end = factory.LazyFunction(date.today)


def completed_booking(**kwargs):
    """A booking already completed (status set directly, like a fixture)."""
    from cases.models import Booking

    booking = BookingFactory(**kwargs)
    Booking.objects.filter(pk=booking.pk).update(status="completed")
    booking.refresh_from_db()
    return booking


def revisit_of(original, **kwargs):
    """A revisit booking of `original`, delivered by the same partner unless told otherwise."""
    kwargs.setdefault("partner", original.partner)
    kwargs.setdefault("customer", original.customer)
    kwargs.setdefault("invoice_amount", Decimal("0.00"))
    kwargs.setdefault("cart_value", Decimal("0.00"))
    return BookingFactory(revisit_of=original, **kwargs)


def set_state(obj, state: str, **extra) -> None:
    """Put a record straight into a state (bypassing its FSM on purpose, like a fixture)."""
    if isinstance(obj, PartnerAtFault) and state != "pending_review":
        extra.setdefault("reviewed_at", timezone.now())
    type(obj).objects.filter(pk=obj.pk).update(state=state, **extra)
    obj.refresh_from_db()
