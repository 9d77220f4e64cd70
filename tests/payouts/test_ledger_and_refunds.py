"""The append-only ledger, exactly-once entries, earnings, bonuses and refunds."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import InvalidInput, NotPermitted, TransitionConflict
from payouts import services
from payouts.models import LedgerEntry, Refund
from tests.factories import BookingFactory, LedgerEntryFactory
from tests.helpers import completed_booking

pytestmark = pytest.mark.django_db


def test_ledger_update_is_refused_by_the_trigger():
    entry = LedgerEntryFactory()
    with pytest.raises(Exception, match="Cannot update or delete"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with (
        pytest.raises(Exception, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("UPDATE payouts_ledgerentry SET memo = 'x' WHERE id = %s", [entry.pk])


def test_ledger_delete_is_refused_by_the_trigger():
    entry = LedgerEntryFactory()
    with (
        pytest.raises(Exception, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("DELETE FROM payouts_ledgerentry WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "kind, amount",
    [
        ("earning", "-1.00"),
        ("bonus", "0.00"),
        ("penalty_deduction", "5.00"),
        ("payout", "1.00"),
        ("recovery", "0.00"),
        ("reversal", "0.00"),
    ],
)
def test_database_refuses_amounts_with_the_wrong_sign(kind, amount):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntryFactory(kind=kind, amount=Decimal(amount))


def test_post_entry_writes_once_per_key_and_refuses_a_different_amount():
    booking = BookingFactory()
    kwargs = dict(
        key="test:once",
        partner_id=booking.partner_id,
        currency="INR",
        kind="bonus",
        amount=Decimal("100"),
    )
    first, created = services.post_entry(**kwargs)
    again, created_again = services.post_entry(**kwargs)
    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert first.amount == Decimal("100.00")
    with pytest.raises(TransitionConflict):
        services.post_entry(**{**kwargs, "amount": Decimal("150")})
    assert LedgerEntry.objects.count() == 1


def test_earning_only_for_completed_jobs_and_only_once():
    booking = BookingFactory(invoice_amount=Decimal("123.45"))
    with pytest.raises(TransitionConflict):
        services.record_earning(booking=booking)
    booking = completed_booking(invoice_amount=Decimal("123.45"))
    services.record_earning(booking=booking)
    services.record_earning(booking=booking)
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.idempotency_key) == (
        "earning",
        Decimal("123.45"),
        f"booking:{booking.pk}:earning",
    )


def test_changed_address_bonus_is_the_policy_amount_once(agent):
    booking = BookingFactory()
    services.partner_bonus(booking=booking, actor=agent)
    services.partner_bonus(booking=booking, actor=agent)
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.partner_id) == (
        "bonus",
        Decimal("100.00"),
        booking.partner_id,
    )


def test_refund_gets_the_booking_currency_and_the_tat_for_its_payment_mode(agent):
    booking = BookingFactory(payment_mode="cash")
    refund = services.request_refund(
        booking=booking, reason="goodwill_no_show", amount=Decimal("100.00"), actor=agent
    )
    assert (refund.currency, refund.state, refund.customer) == (
        "INR",
        "requested",
        booking.customer,
    )
    assert refund.tat_due_on == timezone.localdate() + timedelta(days=7)
    assert refund.policy_version == "sop-2026.1"


@pytest.mark.parametrize(
    "amount, field",
    [(Decimal("0"), "amount"), (Decimal("1.005"), "amount"), (Decimal("-5"), "amount")],
)
def test_refund_amount_is_validated(agent, amount, field):
    with pytest.raises(InvalidInput) as exc:
        services.request_refund(
            booking=BookingFactory(), reason="other", amount=amount, actor=agent
        )
    assert field in exc.value.fields


def test_refund_in_another_currency_is_refused(agent):
    with pytest.raises(InvalidInput) as exc:
        services.request_refund(
            booking=BookingFactory(),
            reason="other",
            amount=Decimal("5"),
            actor=agent,
            currency="EGP",
        )
    assert "currency" in exc.value.fields


def test_approving_a_recovered_refund_debits_the_partner_exactly_once(agent, finance_user):
    booking = BookingFactory()
    refund = services.request_refund(
        booking=booking,
        reason="wrong_job",
        amount=Decimal("799.00"),
        actor=agent,
        deduct_from_partner=True,
    )
    services.approve_refund(refund_id=refund.pk, actor=finance_user, reason="wrong job confirmed")
    with pytest.raises(TransitionConflict):
        services.approve_refund(refund_id=refund.pk, actor=finance_user)
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.partner_id, entry.refund_id) == (
        "recovery",
        Decimal("-799.00"),
        booking.partner_id,
        refund.pk,
    )
    assert entry.idempotency_key == f"refund:{refund.pk}:recovery"
    services.mark_refund_paid(refund_id=refund.pk, actor=finance_user, payment_reference="UTR1")
    refund.refresh_from_db()
    assert (refund.state, refund.payment_reference) == ("paid", "UTR1")


def test_refund_without_recovery_writes_no_ledger_entry(agent, finance_user):
    refund = services.request_refund(
        booking=BookingFactory(), reason="goodwill_no_response", amount=Decimal("150"), actor=agent
    )
    services.approve_refund(refund_id=refund.pk, actor=finance_user)
    assert not LedgerEntry.objects.exists()


def test_nobody_approves_their_own_refund(finance_user, supervisor):
    refund = services.request_refund(
        booking=BookingFactory(), reason="other", amount=Decimal("10"), actor=finance_user
    )
    with pytest.raises(NotPermitted):
        services.approve_refund(refund_id=refund.pk, actor=finance_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(approved_by=finance_user)
    services.approve_refund(refund_id=refund.pk, actor=supervisor)


def test_agents_request_but_do_not_approve_refunds(agent, agent2):
    refund = services.request_refund(
        booking=BookingFactory(), reason="other", amount=Decimal("10"), actor=agent
    )
    with pytest.raises(NotPermitted):
        services.approve_refund(refund_id=refund.pk, actor=agent2)


def test_rejected_refund_cannot_be_paid(agent, finance_user):
    refund = services.request_refund(
        booking=BookingFactory(), reason="other", amount=Decimal("10"), actor=agent
    )
    services.reject_refund(refund_id=refund.pk, actor=finance_user, reason="duplicate")
    with pytest.raises(TransitionConflict):
        services.mark_refund_paid(refund_id=refund.pk, actor=finance_user)
