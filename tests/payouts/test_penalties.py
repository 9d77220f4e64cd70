"""PAF marks and revisit penalties through the services."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from core.errors import InvalidInput, NotPermitted, PolicyRefusal, TransitionConflict
from payouts import services
from payouts.models import EntryKind, LedgerEntry, PartnerAtFault, Penalty
from policies.parameters import Policy, PolicyParameters
from tests.factories import BookingFactory, PafFactory
from tests.helpers import revisit_job, revisit_of, revisit_penalty, set_state

pytestmark = pytest.mark.django_db


def test_marking_a_paf_twice_returns_the_first_mark(agent):
    booking = BookingFactory()
    first = services.mark_paf(booking=booking, reason="no show", actor=agent)
    again = services.mark_paf(booking=booking, reason="again", actor=agent)
    assert again.pk == first.pk and first.partner == booking.partner
    assert PartnerAtFault.objects.filter(booking=booking).count() == 1
    assert first.state == "pending_review" and first.policy_version


def test_database_refuses_a_second_paf_for_the_same_job_and_partner():
    paf = PafFactory()
    with pytest.raises(IntegrityError):
        PartnerAtFault.objects.create(partner=paf.partner, booking=paf.booking, reason="dup")


def test_finance_may_not_mark_a_paf(finance_user):
    booking = BookingFactory()
    with pytest.raises(NotPermitted):
        services.mark_paf(booking=booking, reason="x", actor=finance_user)


def test_paf_needs_a_reason(agent):
    booking = BookingFactory()
    with pytest.raises(InvalidInput):
        services.mark_paf(booking=booking, reason="  ", actor=agent)


def test_revisit_penalty_is_60_percent_of_the_original_invoice_not_the_revisit():
    original = BookingFactory(invoice_amount=Decimal("833.33"))
    revisit = revisit_of(original)
    paf = PafFactory(booking=revisit, partner=revisit.partner)
    penalty = services.create_revisit_penalty(paf=paf, path="revisit_scenario_4")
    assert penalty.base_amount == Decimal("833.33")
    assert penalty.rate == Decimal("0.60")
    assert penalty.amount == Decimal("500.00")
    assert penalty.currency == "INR"
    assert penalty.state == "pending"
    assert penalty.policy_version == "sop-2026.1"
    assert "833.33" in penalty.reason and "500.00" in penalty.reason
    assert penalty.reason.startswith("Revisit SOP: scenario 4")
    assert not LedgerEntry.objects.exists()  # nothing is written before the run schedules it


def test_penalty_rate_comes_from_the_policy_version_passed():
    paf = PafFactory(booking=revisit_job("10.01"))
    policy = Policy(version="test-half", params=PolicyParameters(revisit_penalty_rate="0.50"))
    penalty = revisit_penalty(paf, policy=policy)
    assert (penalty.amount, penalty.policy_version) == (Decimal("5.01"), "test-half")


def test_creating_the_penalty_twice_returns_the_same_penalty():
    paf = PafFactory(booking=revisit_job())
    assert revisit_penalty(paf).pk == revisit_penalty(paf).pk
    assert Penalty.objects.count() == 1


def test_no_penalty_on_a_not_genuine_paf():
    paf = PafFactory(booking=revisit_job())
    set_state(paf, "not_genuine")
    with pytest.raises(PolicyRefusal):
        revisit_penalty(paf)


def test_egp_booking_penalty_is_in_egp():
    from tests.factories import CustomerFactory, PartnerFactory, city

    cairo = city("Cairo")
    booking = revisit_job(
        "999.99", customer=CustomerFactory(city=cairo), partner=PartnerFactory(city=cairo)
    )
    penalty = revisit_penalty(PafFactory(booking=booking))
    assert (penalty.currency, penalty.amount) == ("EGP", Decimal("599.99"))


def test_scheduling_writes_the_deduction_entry_exactly_once():
    penalty = revisit_penalty(genuine=True)
    services.schedule_penalty(penalty_id=penalty.pk)
    services.schedule_penalty(penalty_id=penalty.pk)
    entries = LedgerEntry.objects.filter(penalty=penalty)
    assert [(e.kind, e.amount, e.idempotency_key) for e in entries] == [
        (EntryKind.PENALTY_DEDUCTION, Decimal("-479.40"), f"penalty:{penalty.pk}:deduction")
    ]
    penalty.refresh_from_db()
    assert penalty.state == "scheduled"


def test_only_a_supervisor_waives_and_a_scheduled_waiver_writes_the_compensation(supervisor, agent):
    penalty = revisit_penalty(genuine=True)
    services.schedule_penalty(penalty_id=penalty.pk)
    with pytest.raises(NotPermitted):
        services.waive_penalty(penalty_id=penalty.pk, actor=agent, reason="goodwill")
    services.waive_penalty(penalty_id=penalty.pk, actor=supervisor, reason="goodwill")
    amounts = sorted(LedgerEntry.objects.filter(penalty=penalty).values_list("amount", flat=True))
    assert amounts == [Decimal("-479.40"), Decimal("479.40")]
    with pytest.raises(TransitionConflict):
        services.waive_penalty(penalty_id=penalty.pk, actor=supervisor, reason="again")


def test_review_is_for_supervisors_and_needs_a_reason(supervisor, partner_support):
    paf = PafFactory()
    with pytest.raises(NotPermitted):
        services.review_paf(paf_id=paf.pk, actor=partner_support, genuine=True, reason="x")
    with pytest.raises(InvalidInput):
        services.review_paf(paf_id=paf.pk, actor=supervisor, genuine=True, reason="")
    paf = services.review_paf(
        paf_id=paf.pk, actor=supervisor, genuine=True, reason="call recording: no show"
    )
    assert (paf.state, paf.reviewer, paf.decision_reason) == (
        "genuine",
        supervisor,
        "call recording: no show",
    )
    # A supervisor may still overturn a genuine PAF; reviewing it genuine again is a conflict.
    with pytest.raises(TransitionConflict):
        services.review_paf(paf_id=paf.pk, actor=supervisor, genuine=True, reason="again")
    paf = services.review_paf(
        paf_id=paf.pk, actor=supervisor, genuine=False, reason="new recording: pro called"
    )
    assert (paf.state, paf.decision_reason) == ("not_genuine", "new recording: pro called")
