"""PAF and penalty reversal forms and rating reversals: who decides, and what the money does."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from core.errors import InvalidInput, NotPermitted, PolicyRefusal, TransitionConflict
from payouts import services
from payouts.models import LedgerEntry, PayoutLine, ReversalRequest
from tests.factories import BookingFactory, PafFactory, PayoutRunFactory, UserFactory
from tests.helpers import completed_booking, revisit_job, revisit_penalty, set_state

pytestmark = pytest.mark.django_db


def _paf_with_penalty(state="not_genuine", invoice="1000.00"):
    paf = PafFactory(booking=revisit_job(invoice))
    penalty = revisit_penalty(paf)
    if state != "pending_review":
        set_state(paf, state)
    return paf, penalty


def _scheduled_then_overturned():
    """A penalty scheduled while its PAF was genuine (its deduction entry written), then the
    PAF found not genuine after all: the reversal form is what gives the money back."""
    paf, penalty = _paf_with_penalty(state="genuine")
    services.schedule_penalty(penalty_id=penalty.pk)
    set_state(paf, "not_genuine")
    return paf, penalty


def _submit(paf, actor, **kwargs):
    return services.submit_reversal_request(
        kind="paf_penalty", actor=actor, paf=paf, call_recording_ref="rec-1", **kwargs
    )


def test_genuine_paf_cannot_be_reversed_with_the_sops_reason(partner_support):
    paf, _ = _paf_with_penalty(state="genuine")
    with pytest.raises(PolicyRefusal) as refusal:
        _submit(paf, partner_support)
    assert refusal.value.http_status == 422
    assert "customer faced a bad experience due to the partner" in refusal.value.message
    assert not ReversalRequest.objects.exists()


def test_approval_before_deduction_cancels_the_penalty_without_ledger_entries(
    partner_support, finance_user
):
    paf, penalty = _paf_with_penalty()
    request = _submit(paf, partner_support, notes="customer confirmed partner came")
    request = services.approve_reversal_request(
        request_id=request.pk, actor=finance_user, reason="recording shows partner on site"
    )
    paf.refresh_from_db()
    penalty.refresh_from_db()
    assert (request.state, request.decided_by, request.reviewer) == (
        "approved",
        finance_user,
        finance_user,
    )
    assert paf.state == "reversed"
    assert penalty.state == "reversed"
    assert not LedgerEntry.objects.exists()


def test_approval_after_scheduling_writes_a_pair_that_nets_to_zero(partner_support, finance_user):
    paf, penalty = _scheduled_then_overturned()
    request = _submit(paf, partner_support)
    services.approve_reversal_request(request_id=request.pk, actor=finance_user, reason="ok")
    entries = LedgerEntry.objects.filter(penalty=penalty)
    assert sorted(entries.values_list("kind", "amount")) == [
        ("penalty_deduction", Decimal("-600.00")),
        ("reversal", Decimal("600.00")),
    ]
    assert entries.aggregate(s=Sum("amount"))["s"] == 0


def test_approval_after_deduction_is_credited_in_the_next_run(
    partner_support, finance_user, finance_user2, supervisor
):
    paf, penalty = _paf_with_penalty(state="genuine")  # deducted while genuine
    partner = paf.partner
    completed = completed_booking(partner=partner, invoice_amount=Decimal("2000.00"))
    services.record_earning(booking=completed)
    run = PayoutRunFactory(period_end=date.today())
    services.compute_payout_run(run_id=run.pk, actor=finance_user)
    services.approve_run(run_id=run.pk, actor=finance_user2)
    services.export_run(run_id=run.pk, actor=finance_user)
    services.mark_run_paid(run_id=run.pk, actor=finance_user2)
    penalty.refresh_from_db()
    assert penalty.state == "deducted"
    assert PayoutLine.objects.get(run=run, partner=partner).net == Decimal("1400.00")
    set_state(paf, "not_genuine")  # a later review finds it not genuine

    request = _submit(paf, partner_support)
    services.approve_reversal_request(request_id=request.pk, actor=supervisor, reason="not PAF")
    penalty.refresh_from_db()
    assert penalty.state == "reversed"
    reversal = LedgerEntry.objects.get(penalty=penalty, kind="reversal")
    assert reversal.amount == Decimal("600.00")
    assert reversal.idempotency_key == f"penalty:{penalty.pk}:reversal"

    next_run = PayoutRunFactory(
        period_start=date.today() + timedelta(days=1), period_end=date.today() + timedelta(days=7)
    )
    services.compute_payout_run(run_id=next_run.pk, actor=finance_user)
    line = PayoutLine.objects.get(run=next_run, partner=partner)
    assert (line.reversals, line.net) == (Decimal("600.00"), Decimal("600.00"))


def test_nobody_approves_or_rejects_their_own_request(supervisor, finance_user):
    paf, _ = _paf_with_penalty()
    request = _submit(paf, supervisor)
    with pytest.raises(NotPermitted):
        services.approve_reversal_request(request_id=request.pk, actor=supervisor, reason="me")
    with pytest.raises(NotPermitted):
        services.reject_reversal_request(request_id=request.pk, actor=supervisor, reason="me")
    request.refresh_from_db()
    assert request.state == "submitted"


def test_database_refuses_a_decision_by_the_requester(partner_support):
    paf, _ = _paf_with_penalty()
    request = _submit(paf, partner_support)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReversalRequest.objects.filter(pk=request.pk).update(decided_by=partner_support)


def test_agents_and_partner_support_may_not_decide(partner_support, agent):
    paf, _ = _paf_with_penalty()
    request = _submit(paf, partner_support)
    other_ps = UserFactory(username="ps-2", role="partner support")
    for actor in (agent, other_ps):
        with pytest.raises(NotPermitted):
            services.approve_reversal_request(request_id=request.pk, actor=actor, reason="x")


def test_a_decision_needs_a_reason(partner_support, finance_user):
    paf, _ = _paf_with_penalty()
    request = _submit(paf, partner_support)
    with pytest.raises(InvalidInput):
        services.reject_reversal_request(request_id=request.pk, actor=finance_user, reason=" ")


def test_rejection_leaves_paf_and_penalty_standing(partner_support, finance_user):
    paf, penalty = _paf_with_penalty()
    request = _submit(paf, partner_support)
    services.start_reversal_review(request_id=request.pk, actor=finance_user)
    request = services.reject_reversal_request(
        request_id=request.pk, actor=finance_user, reason="partner did not call the customer"
    )
    paf.refresh_from_db()
    penalty.refresh_from_db()
    assert (request.state, paf.state, penalty.state) == ("rejected", "not_genuine", "pending")


def test_approving_twice_is_a_conflict_and_writes_once(partner_support, finance_user):
    paf, penalty = _scheduled_then_overturned()
    request = _submit(paf, partner_support)
    services.approve_reversal_request(request_id=request.pk, actor=finance_user, reason="ok")
    with pytest.raises(TransitionConflict):
        services.approve_reversal_request(request_id=request.pk, actor=finance_user, reason="ok")
    assert LedgerEntry.objects.filter(penalty=penalty, kind="reversal").count() == 1


def test_one_open_request_per_paf(partner_support):
    paf, _ = _paf_with_penalty()
    _submit(paf, partner_support)
    with pytest.raises(TransitionConflict):
        _submit(paf, partner_support)


def test_approving_a_pending_review_paf_is_its_review(partner_support, finance_user):
    paf, _ = _paf_with_penalty(state="pending_review")
    request = _submit(paf, partner_support)
    services.approve_reversal_request(request_id=request.pk, actor=finance_user, reason="QA ok")
    paf.refresh_from_db()
    assert (paf.state, paf.reviewer) == ("reversed", finance_user)


def test_paf_found_genuine_after_submission_refuses_approval_and_writes_nothing(
    partner_support, finance_user, supervisor
):
    paf, penalty = _paf_with_penalty(state="pending_review")
    request = _submit(paf, partner_support)
    services.review_paf(paf_id=paf.pk, actor=supervisor, genuine=True, reason="no show proven")
    with pytest.raises(PolicyRefusal):
        services.approve_reversal_request(request_id=request.pk, actor=finance_user, reason="x")
    request.refresh_from_db()
    penalty.refresh_from_db()
    assert (request.state, penalty.state) == ("submitted", "pending")


def test_partner_login_logs_a_request_for_its_own_paf_only(finance_user):
    paf, _ = _paf_with_penalty()
    user = UserFactory(username="partner-login", is_staff=False)
    paf.partner.user = user
    paf.partner.save()
    request = _submit(paf, user)
    assert (request.requested_by, request.on_behalf_of_partner) == (user, False)
    other, _ = _paf_with_penalty()
    with pytest.raises(NotPermitted):
        _submit(other, user)


def test_rating_reversal_needs_no_paf_and_approval_touches_no_money(partner_support, finance_user):
    booking = BookingFactory()
    request = services.submit_reversal_request(
        kind="rating",
        actor=partner_support,
        booking=booking,
        notes="OOS ticket 123 genuine",
        evidence=["https://img.example/1.jpg", " "],
    )
    assert request.partner == booking.partner and request.evidence == ["https://img.example/1.jpg"]
    services.approve_reversal_request(request_id=request.pk, actor=finance_user, reason="valid")
    assert not LedgerEntry.objects.exists()
