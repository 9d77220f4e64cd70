"""factory-boy factories for the whole project; cities and regions come from the seed migration."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from cases.models import Booking, BookingLine, Case, Customer, DispositionTag
from partners.models import CalendarSlot, City, Partner


def city(name: str = "Delhi") -> City:
    return City.objects.get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw-12345678")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role="agent") puts the user in that role group."""
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"CX{n:07d}")
    name = factory.Faker("name", locale="en_IN")
    phone = factory.Sequence(lambda n: f"+9198{n:08d}")
    email = factory.LazyAttribute(lambda c: f"{c.external_id.lower()}@example.com")
    city = factory.LazyFunction(city)
    fraud_score = Decimal("0.100")


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


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    external_id = factory.Sequence(lambda n: f"BK{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    partner = factory.SubFactory(PartnerFactory)
    city = factory.LazyAttribute(lambda b: b.customer.city)
    lob = "appliances"
    currency = factory.LazyAttribute(lambda b: b.city.region.currency)
    cart_value = Decimal("799.00")
    invoice_amount = Decimal("799.00")
    payment_mode = "online"
    booking_time = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    service_date = factory.LazyAttribute(lambda b: b.booking_time.date())
    latitude = Decimal("28.613900")
    longitude = Decimal("77.209000")


class BookingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingLine

    booking = factory.SubFactory(BookingFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    description = "AC service"
    unit_price = Decimal("499.00")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    kind = "status_check"
    channel = "inbound_call"
    reporter = "customer"
    subject = factory.Faker("sentence", nb_words=5)
    booking = factory.SubFactory(BookingFactory)
    customer = factory.LazyAttribute(lambda c: c.booking.customer if c.booking else None)
    partner = factory.LazyAttribute(lambda c: c.booking.partner if c.booking else None)
    city = factory.LazyAttribute(lambda c: c.booking.city if c.booking else city())
    team = "customer_care"


class CalendarSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarSlot

    partner = factory.SubFactory(PartnerFactory)
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=2))
    status = "working"


def tag_for(kind: str) -> DispositionTag:
    """A selectable tag that applies to the kind (from the seeded taxonomy)."""
    return DispositionTag.objects.filter(is_selectable=True, kinds__contains=[kind]).first()
