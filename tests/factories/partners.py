"""Partners and their calendar; cities and regions come from the seed migration."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from partners.models import CalendarSlot, City, Partner


def city(name: str = "Delhi") -> City:
    return City.objects.get(name=name)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    external_id = factory.Sequence(lambda n: f"PX{n:06d}")
    name = factory.Faker("name", locale="en_IN")
    phone = factory.Sequence(lambda n: f"+9197{n:08d}")
    city = factory.LazyFunction(city)
    hub = "Central"
    categories = factory.LazyFunction(lambda: ["appliances"])
    rating = Decimal("4.50")
    # Complete bank details, so a run's bank file exports; a test of the refusal blanks them.
    payout_account_holder = factory.LazyAttribute(lambda p: p.name)
    payout_account_number = factory.Sequence(lambda n: f"5010{n:010d}")
    payout_ifsc = "HDFC0001234"


class CalendarSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarSlot

    partner = factory.SubFactory(PartnerFactory)
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=2))
    status = "working"
