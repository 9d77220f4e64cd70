"""Capped counts: never more than cap + 1 rows read, one round trip for several."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Booking, Case
from core.counts import capped_count, capped_counts
from tests.factories import BookingFactory, CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_count_stops_at_its_cap():
    customer = CustomerFactory()
    for _ in range(4):
        CaseFactory(customer=customer)
    cases = Case.objects.filter(customer=customer)
    assert str(capped_count(cases, 5)) == "4"
    assert str(capped_count(cases, 3)) == "3+"
    assert capped_count(cases, 3).capped is True


def test_several_counts_in_one_query_agree_with_one_at_a_time():
    customer = CustomerFactory()
    mine = [CaseFactory(customer=customer) for _ in range(3)]
    BookingFactory(customer=customer)
    CaseFactory()  # someone else's
    querysets = [
        Case.objects.filter(customer=customer).exclude(pk=mine[0].pk),
        Booking.objects.filter(customer=customer),
        Case.objects.filter(customer=customer),
    ]
    with CaptureQueriesContext(connection) as ctx:
        together = capped_counts(querysets, 2)
    assert len(ctx.captured_queries) == 1
    assert together == [capped_count(q, 2) for q in querysets]
    assert [str(c) for c in together] == [
        "2",
        str(Booking.objects.filter(customer=customer).count()),
        "2+",
    ]
    assert capped_counts([]) == []
