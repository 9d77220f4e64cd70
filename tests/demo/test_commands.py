"""The data commands: load_demo (the demo world and its payouts part, once each) and
generate_load (bulk COPY load)."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cases.catalog import CaseKind
from cases.models import (
    Booking,
    BookingLine,
    BookingStatus,
    Case,
    CaseEvent,
    CaseStatus,
    Customer,
    DispositionTag,
    EventType,
)
from demo.money_summary import MONEY_MARKER_EXTERNAL_ID
from demo.seed import DEMO_PASSWORD, MARKER_EXTERNAL_ID, ROLE_USERS
from partners.models import CalendarSlot, City, Partner, Region, SlotStatus
from payouts import services as payouts
from payouts.models import (
    EntryKind,
    LedgerEntry,
    PafState,
    PartnerAtFault,
    PayoutLine,
    PayoutRun,
    PayoutRunEntry,
    Penalty,
    PenaltyState,
    Refund,
    RefundReason,
    RefundState,
    ReversalKind,
    ReversalRequest,
    ReversalState,
    RunState,
)

pytestmark = pytest.mark.django_db

DEMO_MODELS = (User, Partner, CalendarSlot, Customer, Booking, BookingLine, Case, CaseEvent)
MONEY_MODELS = (
    LedgerEntry,
    PartnerAtFault,
    Penalty,
    Refund,
    ReversalRequest,
    PayoutRun,
    PayoutLine,
    PayoutRunEntry,
)
INDIA = ZoneInfo("Asia/Kolkata")


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", "--history-days", "0", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in DEMO_MODELS + MONEY_MODELS}


def this_month_in_india():
    """(first day of this month, first day of last month, last day of last month)."""
    month_start = timezone.now().astimezone(INDIA).date().replace(day=1)
    last_end = month_start - timedelta(days=1)
    return month_start, last_end.replace(day=1), last_end


def decisions(flow: str):
    return CaseEvent.objects.filter(type=EventType.DECISION, payload__flow=flow)


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
    # Every case of the world has its promise; the two e-mailed ones (demo.conversation) none.
    unpromised = Case.objects.filter(due_at__isnull=True)
    assert list(unpromised.values_list("channel", flat=True)) == ["email", "email"]


def test_load_demo_has_an_emailed_case_answered_and_one_rated(demo):
    from conversations.models import Message, Survey

    answered = Message.objects.get(message_id="<demo-mail-1@customer.example>").case
    assert answered.channel == "email" and answered.status == CaseStatus.NEW
    assert answered.messages.filter(direction="out", author__username="agent").exists()
    survey = Survey.objects.get(case__messages__message_id="<demo-mail-2@customer.example>")
    assert survey.rating == 5 and survey.case.status == CaseStatus.RESOLVED
    assert survey.case.events.filter(type="rating", payload__rating=5).exists()
    rated = Survey.objects.filter(rating__isnull=False)
    assert 20 <= rated.count() <= 41  # the world's resolved cases' surveys, some rated
    assert set(rated.values_list("case__city__region__country", flat=True)) == {"IN", "EG"}


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
    # Through the console's sign-in form, as a person would (and as django-axes watches).
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and client.session.get("_auth_user_id")
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
    assert "Payouts demo already loaded" in output
    assert Partner.objects.filter(external_id=MARKER_EXTERNAL_ID).exists()
    assert Booking.objects.filter(external_id=MONEY_MARKER_EXTERNAL_ID).exists()


# The payouts part: the payouts acceptance can be walked on the demo data.


def test_load_demo_prints_the_money_summary(demo):
    assert "Payouts demo added" in demo
    for part in ("ledger entries:", "PAFs:", "penalties:", "refunds:", "payout runs:", "to try:"):
        assert part in demo


def test_load_demo_records_an_earning_for_every_completed_job_and_some_bonuses(demo):
    completed = Booking.objects.filter(
        external_id__startswith="DEMO-", status=BookingStatus.COMPLETED, invoice_amount__gt=0
    )
    assert completed.count() > 150
    earnings = LedgerEntry.objects.filter(kind=EntryKind.EARNING)
    assert earnings.count() == completed.count()
    earned = dict(earnings.values_list("booking_id", "amount"))
    assert earned == dict(completed.values_list("pk", "invoice_amount"))
    # Jobs done before this month are dated then, so last month's run could take them.
    month_start, _, _ = this_month_in_india()
    india_before = earnings.filter(
        partner__city__region__country="IN", booking__service_date__lt=month_start
    )
    assert india_before.exists()
    assert not india_before.filter(run_link__isnull=True).exists()

    bonuses = LedgerEntry.objects.filter(kind=EntryKind.BONUS)
    assert bonuses.count() >= 3
    assert all(
        key.endswith(":bonus:changed_address")
        for key in bonuses.values_list("idempotency_key", flat=True)
    )
    assert set(bonuses.values_list("case__kind", flat=True)) == {CaseKind.CONTACT_EDIT}
    assert set(bonuses.values_list("amount", flat=True)) == {Decimal("100.00")}


def test_load_demo_scenario_4_penalties_wait_for_the_next_run(demo):
    decided = decisions("revisit.scenario_4")
    assert decided.count() >= 3
    assert set(decided.values_list("actor__username", flat=True)) == {"agent"}
    assert set(decided.values_list("payload__outcome", flat=True)) == {"paf_and_penalty_marked"}
    penalties = Penalty.objects.filter(paf__case__in=decided.values("case")).select_related(
        "booking__revisit_of"
    )
    assert penalties.count() == decided.count()
    for penalty in penalties:
        assert penalty.state == PenaltyState.PENDING
        original = penalty.booking.revisit_of.invoice_amount
        assert penalty.amount == (Decimal("0.60") * original).quantize(Decimal("0.01")) > 0
        assert not penalty.ledger_entries.exists()
    assert penalties.filter(currency="INR").count() >= 3


def test_load_demo_leaves_paf_disputes_at_each_step(demo):
    for scenario in (1, 2, 3):
        decided = decisions(f"revisit.scenario_{scenario}")
        assert set(decided.values_list("actor__username", flat=True)) == {"agent"}
    # Not genuine, no request yet: the demo user logs the form.
    free = PartnerAtFault.objects.filter(state=PafState.NOT_GENUINE, reversal_requests__isnull=True)
    assert free.exists()
    # Not genuine, the form logged by partner support: waiting in finance's queue.
    submitted = ReversalRequest.objects.get(
        state=ReversalState.SUBMITTED, kind=ReversalKind.PAF_PENALTY
    )
    assert submitted.requested_by.username == "partnersup"
    assert submitted.paf.state == PafState.NOT_GENUINE
    # Both penalties were deducted in last month's paid run: reversing writes an entry.
    assert {free.first().penalty.state, submitted.paf.penalty.state} == {PenaltyState.DEDUCTED}
    # Genuine: the reversal is refused and the refusal is recorded on the case. The trainer
    # found the PAF genuine last month (so that run could deduct its penalty: an unreviewed
    # PAF's penalty is held); the decision confirms it, and no reversal request is accepted.
    refusal = decisions("revisit.scenario_3").get(payload__refused=True)
    genuine = PartnerAtFault.objects.get(booking=refusal.case.booking)
    assert (genuine.state, genuine.reviewer.username) == (PafState.GENUINE, "supervisor")
    applied = {step["kind"]: step["status"] for step in refusal.payload["actions_applied"]}
    assert applied["refuse_reversal"] == "already_done"


def test_load_demo_pays_last_months_india_run(demo):
    _, last_start, last_end = this_month_in_india()
    run = PayoutRun.objects.select_related("region", "computed_by", "approved_by").get()
    assert (run.region.country, run.state) == ("IN", RunState.PAID)
    assert (run.period_start, run.period_end) == (last_start, last_end)
    assert (run.computed_by.username, run.approved_by.username) == ("supervisor", "finance")
    assert not PayoutRun.objects.exclude(state=RunState.PAID).exists()
    deducted = Penalty.objects.filter(state=PenaltyState.DEDUCTED)
    assert deducted.count() >= 2
    taken = LedgerEntry.objects.filter(run_link__run=run)
    assert taken.filter(kind=EntryKind.PENALTY_DEDUCTION, penalty__in=deducted).count() == (
        deducted.count()
    )
    assert taken.filter(kind=EntryKind.PAYOUT).count() == run.lines.filter(net__gt=0).count() > 0


def test_load_demo_requests_refunds_raises_oos_tickets_and_calls_customers(demo):
    goodwill = Refund.objects.filter(reason=RefundReason.GOODWILL_NO_SHOW).select_related("booking")
    by_amount = {refund.amount: refund.booking.cart_value for refund in goodwill}
    assert by_amount.keys() == {Decimal("100.00"), Decimal("150.00")}
    assert by_amount[Decimal("100.00")] < 500 < by_amount[Decimal("150.00")]
    assert {refund.state for refund in goodwill} == {RefundState.PAID, RefundState.REQUESTED}
    wrong_job = Refund.objects.get(reason=RefundReason.WRONG_JOB)
    assert wrong_job.deduct_from_partner and wrong_job.state == RefundState.APPROVED
    assert LedgerEntry.objects.get(refund=wrong_job).amount == -wrong_job.amount
    assert set(Refund.objects.values_list("requested_by__username", flat=True)) == {"agent"}
    assert decisions("pre_services.goodwill_refund").count() == 2
    assert decisions("pre_services.wrong_job_started").count() == 1

    oos = Case.objects.filter(
        kind=CaseKind.OUT_OF_SCOPE, booking__external_id__startswith="DEMO-MN-"
    )
    assert oos.count() >= 1
    assert set(oos.values_list("status", flat=True)) == {CaseStatus.PARKED}
    calls = CaseEvent.objects.filter(type=EventType.CALL_ATTEMPT)
    assert calls.values("case").distinct().count() >= 3


def test_the_payouts_acceptance_walks_on_the_demo_data(demo):
    users = {u.username: u for u in User.objects.filter(username__in=ROLE_USERS)}
    pending = set(
        Penalty.objects.filter(state=PenaltyState.PENDING, currency="INR").values_list(
            "pk", flat=True
        )
    )
    # Partner support logs the form for the not-genuine PAF left without one.
    paf = PartnerAtFault.objects.filter(
        state=PafState.NOT_GENUINE, reversal_requests__isnull=True
    ).first()
    logged = payouts.submit_reversal_request(
        kind=ReversalKind.PAF_PENALTY, actor=users["partnersup"], paf=paf, notes="Not genuine."
    )
    assert logged.state == ReversalState.SUBMITTED
    # Finance approves the one waiting in its queue: the deducted penalty is compensated.
    waiting = ReversalRequest.objects.filter(state=ReversalState.SUBMITTED).exclude(pk=logged.pk)
    approved = payouts.approve_reversal_request(
        request_id=waiting.get().pk, actor=users["finance"], reason="Recordings: not at fault."
    )
    penalty = Penalty.objects.get(paf=approved.paf)
    assert penalty.state == PenaltyState.REVERSED
    compensating = LedgerEntry.objects.get(idempotency_key=penalty.reversal_key)
    assert compensating.amount == penalty.amount > 0
    # The next run (this month) takes the scenario-4 penalties and the compensating entry.
    month_start, _, _ = this_month_in_india()
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    run = payouts.create_payout_run(
        region=Region.objects.get(country="IN"),
        period_start=month_start,
        period_end=month_end,
        actor=users["supervisor"],
    )
    payouts.compute_payout_run(run_id=run.pk, actor=users["supervisor"])
    taken = LedgerEntry.objects.filter(run_link__run=run)
    assert taken.filter(pk=compensating.pk).exists()
    deductions = taken.filter(kind=EntryKind.PENALTY_DEDUCTION)
    assert set(deductions.values_list("penalty_id", flat=True)) == pending
    assert taken.filter(kind=EntryKind.RECOVERY).exists()
    assert taken.filter(kind=EntryKind.BONUS).exists()
    payouts.approve_run(run_id=run.pk, actor=users["finance"])
