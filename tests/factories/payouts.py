"""PAFs, penalties, reversal requests, ledger entries, refunds and payout runs."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from partners.models import Region
from payouts.models import LedgerEntry, PartnerAtFault, PayoutRun, Penalty, Refund, ReversalRequest

from .cases import BookingFactory
from .partners import PartnerFactory
from .users import UserFactory


class PafFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAtFault

    booking = factory.SubFactory(BookingFactory)
    partner = factory.LazyAttribute(lambda p: p.booking.partner)
    reason = "no_show"
    marked_at = factory.LazyFunction(timezone.now)
    policy_version = "sop-2026.1"

    class Params:
        # `PafFactory(in_state="genuine")`: a PAF in that state, reviewed now unless pending.
        in_state = "pending_review"

    state = factory.LazyAttribute(lambda p: p.in_state)
    reviewed_at = factory.LazyAttribute(
        lambda p: None if p.in_state == "pending_review" else timezone.now()
    )


class PenaltyFactory(factory.django.DjangoModelFactory):
    """A pending revisit penalty: 60% of the PAF's booking invoice."""

    class Meta:
        model = Penalty

    paf = factory.SubFactory(PafFactory)
    booking = factory.LazyAttribute(lambda p: p.paf.booking)
    partner = factory.LazyAttribute(lambda p: p.paf.partner)
    currency = factory.LazyAttribute(lambda p: p.booking.currency)
    base_amount = factory.LazyAttribute(lambda p: p.booking.invoice_amount)
    rate = Decimal("0.6000")
    amount = factory.LazyAttribute(lambda p: (p.base_amount * p.rate).quantize(Decimal("0.01")))
    policy_version = "sop-2026.1"
    reason = "Revisit SOP scenario 4"


class ReversalRequestFactory(factory.django.DjangoModelFactory):
    """A submitted PAF-and-penalty reversal request, logged by partner support."""

    class Meta:
        model = ReversalRequest

    kind = "paf_penalty"
    paf = factory.SubFactory(PafFactory)
    partner = factory.LazyAttribute(lambda r: r.paf.partner)
    booking = factory.LazyAttribute(lambda r: r.paf.booking)
    requested_by = factory.SubFactory(UserFactory, role="partner support")
    call_recording_ref = "REC-1"
    notes = "The customer was not at home."


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
