"""Customers, bookings, booking lines and cases; tags come from the seeded taxonomy."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from cases.models import Booking, BookingLine, Case, Customer, DispositionTag, Notification, Task

from .partners import PartnerFactory, city


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"CX{n:07d}")
    name = factory.Faker("name", locale="en_IN")
    phone = factory.Sequence(lambda n: f"+9198{n:08d}")
    email = factory.LazyAttribute(lambda c: f"{c.external_id.lower()}@example.com")
    city = factory.LazyFunction(city)
    fraud_score = Decimal("0.100")


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


class TaskFactory(factory.django.DjangoModelFactory):
    """An open task for a team's queue."""

    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    kind = "call_customer"
    title = "Call the customer back"
    owner_team = "customer_care"
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=8))


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory("tests.factories.users.UserFactory")
    kind = "note"
    title = "Look at this case"


def tag_for(kind: str) -> DispositionTag:
    """A selectable tag that applies to the kind (from the seeded taxonomy)."""
    return DispositionTag.objects.filter(is_selectable=True, kinds__contains=[kind]).first()
