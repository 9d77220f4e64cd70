"""The data commands: load_demo (the demo world, once) and generate_load (bulk COPY load)."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from cases.catalog import CaseKind
from cases.demo import DEMO_PASSWORD, MARKER_EXTERNAL_ID, ROLE_USERS
from cases.models import (
    Booking,
    BookingLine,
    BookingStatus,
    Case,
    CaseEvent,
    CaseStatus,
    Customer,
    DispositionTag,
)
from partners.models import CalendarSlot, City, Partner, SlotStatus

pytestmark = pytest.mark.django_db

DEMO_MODELS = (User, Partner, CalendarSlot, Customer, Booking, BookingLine, Case, CaseEvent)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in DEMO_MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo world, loaded once for the module in a transaction rolled back at the end
    (each test still runs in its own savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def test_generate_load_creates_exactly_the_cases_asked_for_within_the_constraints():
    before = {m: m.objects.count() for m in (Case, Booking, Customer, Partner)}
    out = StringIO()
    call_command("generate_load", cases=2000, batch=500, stdout=out)
    assert "Generated 2,000 cases" in out.getvalue()
    added = {m: m.objects.count() - n for m, n in before.items()}
    assert added == {Case: 2000, Booking: 1000, Customer: 200, Partner: 40}

    cases = Case.objects.all()
    statuses = set(cases.values_list("status", flat=True))
    assert len(statuses) >= 5
    assert {CaseStatus.CLOSED, CaseStatus.OPEN} <= statuses
    assert cases.values("city").distinct().count() >= 10
    assert cases.values("kind").distinct().count() >= 20
    assert cases.values("team").distinct().count() >= 3
    assert cases.values("priority").distinct().count() == 4

    done = cases.filter(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
    assert done.exists()
    assert not done.filter(disposition__isnull=True).exists()
    tags = {t.pk: t for t in DispositionTag.objects.all()}
    for kind, tag_id in done.values_list("kind", "disposition_id"):
        assert tags[tag_id].applies_to(kind)
    assert not cases.filter(status=CaseStatus.PARKED, parked_until__isnull=True).exists()
    assert not cases.filter(status=CaseStatus.CLOSED, closed_at__isnull=True).exists()
    # A case's links agree with its booking.
    linked = cases.filter(booking__isnull=False).select_related("booking")[:200]
    for case in linked:
        assert case.city_id == case.booking.city_id
        assert case.customer_id == case.booking.customer_id
    cancelled = Booking.objects.filter(status=BookingStatus.CANCELLED)
    assert not cancelled.filter(cancellation_code="").exists()
    assert set(Customer.objects.values_list("city", flat=True)) == set(
        City.objects.values_list("pk", flat=True)
    )


def test_generate_load_adds_to_what_is_there_when_run_again():
    before = Case.objects.count(), Booking.objects.count()
    call_command("generate_load", cases=300, batch=100, stdout=StringIO())
    call_command("generate_load", cases=300, batch=100, stdout=StringIO())
    assert Case.objects.count() - before[0] == 600
    assert Booking.objects.count() - before[1] == 2 * 150


def test_load_demo_covers_every_case_kind_and_status(demo):
    assert "Demo data loaded" in demo
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)


def test_load_demo_cases_went_through_the_services(demo):
    cases = Case.objects.count()
    assert 250 <= cases <= 350
    # create_case writes one "created" event per case; every non-new case has transitions.
    assert CaseEvent.objects.filter(type="created").count() == cases
    moved = Case.objects.exclude(status=CaseStatus.NEW).count()
    assert CaseEvent.objects.filter(type="transition").values("case").distinct().count() == moved
    reopens = CaseEvent.objects.filter(transition="reopen")
    assert reopens.exists()
    assert set(reopens.values_list("actor__username", flat=True)) == {"supervisor"}
    for case in Case.objects.filter(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED]):
        assert case.disposition.applies_to(case.kind)
    assert Case.objects.filter(status=CaseStatus.PARKED, parked_until__isnull=True).count() == 0
    assert Case.objects.filter(assignee__isnull=False).exists()
    assert Case.objects.filter(due_at__isnull=False).count() == cases


def test_load_demo_world_spans_both_regions_and_every_booking_status(demo):
    assert 45 <= Partner.objects.count() <= 55
    assert 180 <= Customer.objects.count() <= 220
    assert 450 <= Booking.objects.count() <= 550
    assert set(Partner.objects.values_list("city__region__country", flat=True)) == {"IN", "EG"}
    assert set(Booking.objects.values_list("currency", flat=True)) == {"INR", "EGP"}
    assert set(Booking.objects.values_list("status", flat=True)) == set(BookingStatus.values)
    assert not Booking.objects.filter(status=BookingStatus.CANCELLED, cancellation_code="")
    assert not Booking.objects.filter(status=BookingStatus.CANCELLED, cancelled_by="")
    assert Booking.objects.filter(cart_value__lt=500).exists()
    assert Booking.objects.filter(cart_value__gt=500).exists()
    assert Booking.objects.filter(revisit_of__isnull=False, is_sme_revisit=False).exists()
    sme = Booking.objects.filter(is_sme_revisit=True)
    assert sme.exists()
    assert all(b.revisit_of.revisit_of_id is not None for b in sme)
    assert Partner.objects.filter(is_sme=True).exists()
    rwm_cities = set(
        Partner.objects.filter(programmes__contains=["rwm"]).values_list("city__name", flat=True)
    )
    assert rwm_cities and rwm_cities <= {"Delhi", "Mumbai"}
    assert Partner.objects.filter(programmes__contains=["mg_plan"]).exists()
    slot_kinds = set(CalendarSlot.objects.values_list("status", flat=True))
    assert {SlotStatus.WORKING, SlotStatus.ON_LEAVE} <= slot_kinds
    assert Partner.objects.filter(phone__startswith="+20").exists()
    assert Partner.objects.filter(phone__startswith="+91").exists()


@pytest.mark.parametrize("username, group", list(ROLE_USERS.items()))
def test_role_users_can_log_in_with_their_role(demo, username, group):
    assert Client().login(username=username, password=DEMO_PASSWORD)
    user = User.objects.get(username=username)
    assert user.is_staff
    if group is None:
        assert user.is_superuser
    else:
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert not user.is_superuser


def test_load_demo_twice_creates_nothing_new(demo):
    before = counts()
    passwords = dict(User.objects.values_list("username", "password"))
    output = load_demo()
    assert counts() == before
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert "already loaded" in output
    assert Partner.objects.filter(external_id=MARKER_EXTERNAL_ID).exists()
