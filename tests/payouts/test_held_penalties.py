"""The held rule (docs/money.md): a payout run deducts a penalty only when its PAF is genuine
and no reversal request for it is open. Otherwise the penalty is held: no run takes it, the
run and the partner's preview show it, and its PAF has a review task with an owner and a due
time, so it cannot hang for ever."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases.models import Task
from core.errors import PolicyRefusal, TransitionConflict
from flows import runner, task_outcomes
from payouts import selectors, services
from payouts.models import LedgerEntry, PayoutLine, PayoutRun, Penalty
from tests.factories import LedgerEntryFactory, PayoutRunFactory
from tests.helpers import case_on, client_for, logged_in, revisit_job

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
D = Decimal


def ist(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=IST)


def _held_penalty(agent, scenario: int = 2, invoice: str = "1000.00") -> Penalty:
    """A PAF and penalty notified when the partner cancelled a revisit: pending review."""
    revisit = revisit_job(invoice)
    case = case_on("revisit_work_not_required", revisit)
    paf = services.mark_paf_with_penalty(
        booking=revisit,
        reason="Partner cancelled the revisit",
        actor=agent,
        case=case,
        penalty_path=f"revisit_scenario_{scenario}",
    )
    LedgerEntryFactory(partner=paf.partner, amount=D("2000.00"), occurred_at=paf.marked_at)
    return Penalty.objects.get(paf=paf)


def _run(start: date, end: date, computer) -> PayoutRun:
    run = PayoutRunFactory(period_start=start, period_end=end)
    return services.compute_payout_run(run_id=run.pk, actor=computer)


def _pay(run, computer, approver) -> None:
    services.approve_run(run_id=run.pk, actor=approver)
    services.export_run(run_id=run.pk, actor=computer)
    services.mark_run_paid(run_id=run.pk, actor=approver)


def _deductions(run: PayoutRun, penalty: Penalty) -> D:
    line = PayoutLine.objects.filter(run=run, partner_id=penalty.partner_id).first()
    return line.deductions if line else D("0.00")


def test_a_run_does_not_deduct_a_penalty_whose_paf_is_pending_review(
    agent, finance_user, time_machine
):
    time_machine.move_to(ist(3, 5), tick=False)
    penalty = _held_penalty(agent)
    time_machine.move_to(ist(3, 11), tick=False)
    run = _run(date(2026, 3, 1), date(2026, 3, 10), finance_user)
    penalty.refresh_from_db()
    assert penalty.state == "pending"
    assert _deductions(run, penalty) == D("0.00")
    assert not LedgerEntry.objects.filter(penalty=penalty).exists()
    assert (run.held_penalty_count, run.held_penalty_total) == (1, D("600.00"))


def test_after_review_genuine_the_next_run_deducts_it_once_inside_its_period(
    agent, supervisor, finance_user, finance_user2, time_machine
):
    time_machine.move_to(ist(3, 5), tick=False)
    penalty = _held_penalty(agent)
    time_machine.move_to(ist(3, 11), tick=False)
    first = _run(date(2026, 3, 1), date(2026, 3, 10), finance_user)
    _pay(first, finance_user, finance_user2)

    time_machine.move_to(ist(3, 12), tick=False)
    services.review_paf(
        paf_id=penalty.paf_id, actor=supervisor, genuine=True, reason="recordings: no show"
    )
    time_machine.move_to(ist(3, 18), tick=False)
    second = _run(date(2026, 3, 11), date(2026, 3, 17), finance_user)
    services.compute_payout_run(run_id=second.pk, actor=finance_user)  # a recompute too
    second.refresh_from_db()

    penalty.refresh_from_db()
    entry = LedgerEntry.objects.get(penalty=penalty)
    assert penalty.state == "scheduled"
    assert (entry.kind, entry.amount, entry.occurred_at) == (
        "penalty_deduction",
        D("-600.00"),
        ist(3, 12),  # when it became deductible: the review
    )
    assert entry.run_link.run_id == second.pk
    assert _deductions(second, penalty) == D("-600.00")
    assert second.held_penalty_count == 0
    _pay(second, finance_user, finance_user2)
    penalty.refresh_from_db()
    assert penalty.state == "deducted"
    third = _run(date(2026, 3, 18), date(2026, 3, 24), finance_user)
    assert _deductions(third, penalty) == D("0.00")
    assert LedgerEntry.objects.filter(penalty=penalty).count() == 1


def test_a_review_after_the_period_ends_is_dated_inside_the_run_that_takes_it(
    agent, supervisor, finance_user, time_machine
):
    time_machine.move_to(ist(3, 5), tick=False)
    penalty = _held_penalty(agent)
    time_machine.move_to(ist(3, 11, 15), tick=False)  # after the period's last day
    services.review_paf(paf_id=penalty.paf_id, actor=supervisor, genuine=True, reason="genuine")
    time_machine.move_to(ist(3, 11, 16), tick=False)
    run = _run(date(2026, 3, 1), date(2026, 3, 10), finance_user)
    entry = LedgerEntry.objects.get(penalty=penalty)
    assert entry.occurred_at == run.cutoff - timedelta(microseconds=1)
    assert entry.run_link.run_id == run.pk and _deductions(run, penalty) == D("-600.00")


def test_a_not_genuine_pafs_penalty_is_never_deducted(
    agent, supervisor, finance_user, finance_user2, time_machine
):
    time_machine.move_to(ist(3, 5), tick=False)
    penalty = _held_penalty(agent)
    services.review_paf(paf_id=penalty.paf_id, actor=supervisor, genuine=False, reason="on site")
    for start, end, day in ((1, 10, 11), (11, 17, 18)):
        time_machine.move_to(ist(3, day), tick=False)
        run = _run(date(2026, 3, start), date(2026, 3, end), finance_user)
        assert _deductions(run, penalty) == D("0.00")
        assert run.held_penalty_count == 1  # waiting for its reversal
        _pay(run, finance_user, finance_user2)
    penalty.refresh_from_db()
    assert penalty.state == "pending"
    assert not LedgerEntry.objects.filter(penalty=penalty).exists()


def test_an_open_reversal_request_holds_the_penalty_until_it_is_decided(
    agent, supervisor, partner_support, finance_user, finance_user2, time_machine
):
    time_machine.move_to(ist(3, 5), tick=False)
    penalty = _held_penalty(agent)
    request = services.submit_reversal_request(
        kind="paf_penalty", actor=partner_support, paf=penalty.paf
    )
    services.review_paf(paf_id=penalty.paf_id, actor=supervisor, genuine=True, reason="genuine")
    time_machine.move_to(ist(3, 11), tick=False)
    first = _run(date(2026, 3, 1), date(2026, 3, 10), finance_user)
    assert _deductions(first, penalty) == D("0.00") and first.held_penalty_count == 1
    _pay(first, finance_user, finance_user2)

    time_machine.move_to(ist(3, 13), tick=False)
    services.reject_reversal_request(request_id=request.pk, actor=finance_user, reason="genuine")
    time_machine.move_to(ist(3, 18), tick=False)
    second = _run(date(2026, 3, 11), date(2026, 3, 17), finance_user)
    assert _deductions(second, penalty) == D("-600.00")
    assert LedgerEntry.objects.get(penalty=penalty).occurred_at == ist(3, 13)  # the rejection


def test_schedule_penalty_follows_the_same_rule(agent, supervisor, time_machine):
    time_machine.move_to(ist(3, 5), tick=False)
    penalty = _held_penalty(agent)
    with pytest.raises(PolicyRefusal) as refusal:
        services.schedule_penalty(penalty_id=penalty.pk)
    assert refusal.value.code == "penalty_held" and "pending review" in refusal.value.message
    penalty.refresh_from_db()
    assert penalty.state == "pending" and not LedgerEntry.objects.filter(penalty=penalty).exists()
    time_machine.move_to(ist(3, 6), tick=False)
    services.review_paf(paf_id=penalty.paf_id, actor=supervisor, genuine=True, reason="genuine")
    services.schedule_penalty(penalty_id=penalty.pk)
    entry = LedgerEntry.objects.get(penalty=penalty)
    assert (entry.amount, entry.occurred_at) == (D("-600.00"), ist(3, 6))


def test_the_partner_preview_counts_held_penalties_apart_and_matches_the_run(
    agent, finance_user, time_machine
):
    time_machine.move_to(ist(3, 5), tick=False)
    penalty = _held_penalty(agent)
    preview = selectors.next_payout_preview(penalty.partner, period_end=date(2026, 3, 10))
    assert (preview["held_penalties"], preview["held_penalty_total"]) == (1, D("600.00"))
    assert (preview["pending_penalties"], preview["deductions"]) == (0, D("0.00"))
    time_machine.move_to(ist(3, 11), tick=False)
    run = _run(date(2026, 3, 1), date(2026, 3, 10), finance_user)
    line = PayoutLine.objects.get(run=run, partner_id=penalty.partner_id)
    assert (line.net, preview["net"]) == (D("2000.00"), D("2000.00"))


def test_the_run_shows_what_it_held_in_the_api_and_on_its_page(agent, finance_user, time_machine):
    time_machine.move_to(ist(3, 5), tick=False)
    _held_penalty(agent)
    _held_penalty(agent, scenario=3, invoice="500.00")
    time_machine.move_to(ist(3, 11), tick=False)
    run = _run(date(2026, 3, 1), date(2026, 3, 10), finance_user)
    body = client_for(finance_user).get(f"/api/v1/payout-runs/{run.pk}/").json()
    assert (body["held_penalty_count"], body["held_penalty_total"]) == (2, "900.00")
    page = logged_in(finance_user).get(reverse("admin:payouts_payoutrun_change", args=[run.pk]))
    assert "Held: PAF awaiting review: 2 penalties, 900.00 INR" in page.content.decode()
    held = logged_in(finance_user).get(reverse("admin:payouts_penalty_changelist") + "?queue=held")
    assert held.context["cl"].result_count == 2


# The held penalty's review task: done by the review, wherever the review is made.


def test_reviewing_through_the_task_makes_the_paf_genuine_and_closes_the_task(
    agent, supervisor, time_machine
):
    time_machine.move_to(ist(3, 5), tick=False)
    penalty = _held_penalty(agent)
    task = Task.objects.get(kind=services.PAF_REVIEW_TASK)
    client = client_for(supervisor)
    no_finding = client.post(
        f"/api/v1/tasks/{task.pk}/close/", {"outcome": "listened"}, format="json"
    )
    assert no_finding.status_code == 400 and "partner_at_fault" in no_finding.json()["errors"]
    done = client.post(
        f"/api/v1/tasks/{task.pk}/close/",
        {"outcome": "recordings: no call made", "partner_at_fault": True},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "done"
    penalty.paf.refresh_from_db()
    assert (penalty.paf.state, penalty.paf.reviewer) == ("genuine", supervisor)


def test_the_review_task_is_not_cancelled_while_the_paf_awaits_review(agent, supervisor):
    _held_penalty(agent)
    task = Task.objects.get(kind=services.PAF_REVIEW_TASK)
    with pytest.raises(TransitionConflict):
        task_outcomes.close_task(task_id=task.pk, actor=supervisor, outcome="no", done=False)
    task.refresh_from_db()
    assert task.state == "open"


def test_a_review_on_the_paf_page_closes_the_task(agent, supervisor):
    penalty = _held_penalty(agent)
    services.review_paf(paf_id=penalty.paf_id, actor=supervisor, genuine=False, reason="on site")
    task = Task.objects.get(kind=services.PAF_REVIEW_TASK)
    assert (task.state, task.closed_by) == ("done", supervisor)
    assert "Not genuine" in task.outcome


def test_a_decision_binding_the_paf_genuine_closes_the_task(agent):
    penalty = _held_penalty(agent)
    case = penalty.paf.case
    runner.decide_case(
        case_id=case.pk,
        flow="revisit.scenario_4",
        inputs={"partner_failure": "no_show"},
        actor=agent,
    )
    penalty.paf.refresh_from_db()
    assert penalty.paf.state == "genuine"
    assert Task.objects.get(kind=services.PAF_REVIEW_TASK).state == "done"
    assert selectors.deductible_penalties().get() == penalty
