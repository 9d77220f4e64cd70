"""Payout runs: set-based compute, recompute, four eyes, bank file, payment, carry forward."""

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from core.errors import NotPermitted, TransitionConflict
from partners.models import Partner, Region
from payouts import services
from payouts.models import LedgerEntry, PayoutLine, PayoutRun, PayoutRunEntry, Penalty
from tests.factories import (
    LedgerEntryFactory,
    PartnerFactory,
    PayoutRunFactory,
    city,
)
from tests.helpers import revisit_penalty

pytestmark = pytest.mark.django_db
D = Decimal
IST = ZoneInfo("Asia/Kolkata")


def _next_run(previous: PayoutRun, days: int = 7) -> PayoutRun:
    return PayoutRunFactory(
        period_start=previous.period_end + timedelta(days=1),
        period_end=previous.period_end + timedelta(days=days),
    )


def _pay(run, computer, approver):
    services.approve_run(run_id=run.pk, actor=approver)
    services.export_run(run_id=run.pk, actor=computer)
    return services.mark_run_paid(run_id=run.pk, actor=approver)


def test_compute_sums_the_runs_entries_by_kind_per_partner(finance_user):
    partner = PartnerFactory()
    for kind, amount in [
        ("earning", "500.00"),
        ("earning", "250.50"),
        ("bonus", "100.00"),
        ("penalty_deduction", "-120.25"),
        ("recovery", "-30.00"),
        ("reversal", "120.25"),
    ]:
        LedgerEntryFactory(partner=partner, kind=kind, amount=D(amount))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    # Progress counts the region's partners (issue 22), not the batches it took.
    partners = Partner.objects.filter(city__region=run.region).count()
    assert (run.state, run.progress_done, run.progress_total) == ("computed", partners, partners)
    line = PayoutLine.objects.get(run=run)
    assert (line.earnings, line.deductions, line.bonuses, line.reversals) == (
        D("750.50"),
        D("-150.25"),
        D("100.00"),
        D("120.25"),
    )
    assert (line.net, line.carried_forward_out, line.entry_count) == (D("820.50"), 0, 6)


def test_run_takes_entries_up_to_the_end_of_period_end_in_region_time(finance_user):
    partner = PartnerFactory()
    run = PayoutRunFactory(period_start=date(2026, 1, 1), period_end=date(2026, 1, 7))
    last_moment = datetime.combine(date(2026, 1, 7), time(23, 59, 59), tzinfo=IST)
    inside = LedgerEntryFactory(partner=partner, occurred_at=last_moment)
    early = LedgerEntryFactory(partner=partner, occurred_at=last_moment - timedelta(days=60))
    LedgerEntryFactory(partner=partner, occurred_at=last_moment + timedelta(seconds=1))
    services.compute_payout_run(run_id=run.pk, actor=finance_user)
    taken = set(PayoutRunEntry.objects.filter(run=run).values_list("entry_id", flat=True))
    assert taken == {inside.pk, early.pk}


def test_run_ignores_other_regions_and_payout_entries(finance_user):
    indian = PartnerFactory()
    egyptian = PartnerFactory(city=city("Cairo"))
    LedgerEntryFactory(partner=indian)
    LedgerEntryFactory(partner=egyptian)
    LedgerEntryFactory(partner=indian, kind="payout", amount=D("-10.00"))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    assert list(PayoutLine.objects.filter(run=run).values_list("partner_id", "net")) == [
        (indian.pk, D("100.00"))
    ]


def test_compute_twice_takes_each_entry_once_and_schedules_penalties_once(finance_user):
    booking = revisit_penalty(invoice="833.33", genuine=True).booking
    LedgerEntryFactory(partner=booking.partner, amount=D("1000.00"))
    run = PayoutRunFactory()
    services.compute_payout_run(run_id=run.pk, actor=finance_user)
    services.compute_payout_run(run_id=run.pk, actor=finance_user)
    assert LedgerEntry.objects.count() == 2
    assert PayoutRunEntry.objects.filter(run=run).count() == 2
    line = PayoutLine.objects.get(run=run)
    assert (line.deductions, line.net) == (D("-500.00"), D("500.00"))
    assert Penalty.objects.get().state == "scheduled"


def test_recompute_picks_up_new_entries_without_duplicates(finance_user):
    partner = PartnerFactory()
    LedgerEntryFactory(partner=partner)
    run = PayoutRunFactory()
    services.compute_payout_run(run_id=run.pk, actor=finance_user)
    LedgerEntryFactory(partner=partner, amount=D("0.01"))
    services.compute_payout_run(run_id=run.pk, actor=finance_user)
    assert PayoutLine.objects.get(run=run).net == D("100.01")
    assert PayoutLine.objects.filter(run=run).count() == 1


def test_an_entry_can_never_be_in_two_runs():
    entry = LedgerEntryFactory()
    india_run = PayoutRunFactory()
    egypt_run = PayoutRunFactory(region=Region.objects.get(country="EG"))
    PayoutRunEntry.objects.create(run=india_run, entry=entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutRunEntry.objects.create(run=egypt_run, entry=entry)


def test_one_open_run_per_region(finance_user):
    region = Region.objects.get(country="IN")
    services.create_payout_run(
        region=region,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 7),
        actor=finance_user,
    )
    with pytest.raises(TransitionConflict):
        services.create_payout_run(
            region=region,
            period_start=date(2026, 1, 8),
            period_end=date(2026, 1, 14),
            actor=finance_user,
        )


def test_nobody_approves_a_run_they_computed(finance_user, finance_user2, supervisor):
    LedgerEntryFactory()
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    with pytest.raises(NotPermitted):
        services.approve_run(run_id=run.pk, actor=finance_user)
    with pytest.raises(NotPermitted):  # supervisors do not sign off payouts
        services.approve_run(run_id=run.pk, actor=supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutRun.objects.filter(pk=run.pk).update(approved_by=finance_user)
    assert services.approve_run(run_id=run.pk, actor=finance_user2).state == "approved"
    with pytest.raises(TransitionConflict):
        services.compute_payout_run(run_id=run.pk, actor=finance_user)


def test_bank_file_lists_positive_nets_only(finance_user, finance_user2):
    paid = PartnerFactory(
        name="=Asha",
        external_id="PX-A",
        phone="+919700000001",
        payout_account_holder="Asha K",
        payout_account_number="001234567890",
        payout_ifsc="HDFC0001234",
    )
    owing = PartnerFactory(external_id="PX-B")
    LedgerEntryFactory(partner=paid, amount=D("123.45"))
    LedgerEntryFactory(partner=owing, kind="penalty_deduction", amount=D("-10.00"))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    with pytest.raises(TransitionConflict):
        services.export_run(run_id=run.pk, actor=finance_user)
    services.approve_run(run_id=run.pk, actor=finance_user2)
    run, rows = services.export_run(run_id=run.pk, actor=finance_user)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    assert run.state == "exported"
    assert buffer.getvalue().splitlines() == [
        "partner_external_id,name,phone,account_holder,account_number,ifsc,iban,currency,net",
        "PX-A,'=Asha,+919700000001,Asha K,001234567890,HDFC0001234,,INR,123.45",
    ]


def test_paying_a_run_writes_one_payout_entry_per_paid_partner_and_settles_balances(
    finance_user, finance_user2
):
    booking = revisit_penalty(invoice="100.00", genuine=True).booking
    partner = booking.partner
    LedgerEntryFactory(partner=partner, amount=D("500.00"))
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    _pay(run, finance_user, finance_user2)
    with pytest.raises(TransitionConflict):
        services.mark_run_paid(run_id=run.pk, actor=finance_user2)
    payout = LedgerEntry.objects.get(kind="payout")
    assert (payout.amount, payout.idempotency_key) == (
        D("-440.00"),
        f"run:{run.pk}:payout:{partner.pk}",
    )
    assert PayoutRunEntry.objects.filter(run=run, entry=payout).exists()
    assert LedgerEntry.objects.filter(partner=partner).aggregate(s=Sum("amount"))["s"] == 0
    assert Penalty.objects.get().state == "deducted"


def test_negative_net_is_carried_forward_not_paid(finance_user, finance_user2):
    partner = PartnerFactory()
    LedgerEntryFactory(partner=partner, amount=D("100.00"))
    LedgerEntryFactory(partner=partner, kind="penalty_deduction", amount=D("-600.00"))
    first = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    line = PayoutLine.objects.get(run=first)
    assert (line.net, line.carried_forward_out, line.payable) == (D("-500.00"), D("-500.00"), 0)
    _pay(first, finance_user, finance_user2)
    assert not LedgerEntry.objects.filter(kind="payout").exists()

    # Nothing new in the second period: the debt is carried again, still unpaid.
    second = services.compute_payout_run(run_id=_next_run(first).pk, actor=finance_user)
    line = PayoutLine.objects.get(run=second)
    assert (line.carried_forward_in, line.net, line.carried_forward_out, line.entry_count) == (
        D("-500.00"),
        D("-500.00"),
        D("-500.00"),
        0,
    )
    _pay(second, finance_user, finance_user2)

    # Earnings in the third period pay the debt off first.
    third = _next_run(second)
    LedgerEntryFactory(
        partner=partner,
        amount=D("800.00"),
        occurred_at=datetime.combine(third.period_end, time(12), tzinfo=IST),
    )
    services.compute_payout_run(run_id=third.pk, actor=finance_user)
    line = PayoutLine.objects.get(run=third)
    assert (line.carried_forward_in, line.earnings, line.net, line.carried_forward_out) == (
        D("-500.00"),
        D("800.00"),
        D("300.00"),
        0,
    )
    _pay(third, finance_user, finance_user2)
    assert LedgerEntry.objects.get(kind="payout").amount == D("-300.00")
    assert LedgerEntry.objects.filter(partner=partner).aggregate(s=Sum("amount"))["s"] == 0


def test_a_superseded_or_finished_task_does_nothing(finance_user):
    LedgerEntryFactory()
    run = PayoutRunFactory(task_id="new-request", state="computing")  # as request_compute leaves it
    assert services.compute_payout_run(run_id=run.pk, task_id="old-request") is None
    assert not PayoutLine.objects.exists()
    assert services.compute_payout_run(run_id=run.pk, task_id="new-request").state == "computed"
    lines = list(PayoutLine.objects.values_list("pk", flat=True))
    assert services.compute_payout_run(run_id=run.pk, task_id="new-request") is None
    assert list(PayoutLine.objects.values_list("pk", flat=True)) == lines


def test_compute_in_small_batches_covers_every_partner(finance_user):
    partners = [PartnerFactory() for _ in range(7)]
    for partner in partners:
        LedgerEntryFactory(partner=partner, amount=D("1.00"))
    run = services.compute_payout_run(
        run_id=PayoutRunFactory().pk, actor=finance_user, batch_size=2
    )
    assert PayoutLine.objects.filter(run=run).count() == 7
    assert run.progress_done == run.progress_total >= 4


def test_discarding_a_draft_run_frees_its_entries(finance_user):
    LedgerEntryFactory()
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=finance_user)
    services.discard_run(run_id=run.pk, actor=finance_user)
    assert not PayoutRunEntry.objects.exists() and LedgerEntry.objects.count() == 1


def test_agents_may_not_run_payouts(agent):
    with pytest.raises(NotPermitted):
        services.compute_payout_run(run_id=PayoutRunFactory().pk, actor=agent)


def test_request_compute_queues_the_task_after_commit(
    finance_user, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    from payouts import tasks

    monkeypatch.setattr(tasks.compute_payout_run_task, "apply_async", lambda **kw: sent.append(kw))
    run = PayoutRunFactory()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_compute(run_id=run.pk, actor=finance_user)
    assert run.state == "computing" and run.computed_by == finance_user
    assert sent == [{"args": [run.pk], "task_id": run.task_id}]
    # The queued task computes; a redelivery of the same task then does nothing.
    assert services.compute_payout_run(run_id=run.pk, task_id=run.task_id).state == "computed"
    assert services.compute_payout_run(run_id=run.pk, task_id=run.task_id) is None
