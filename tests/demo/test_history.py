"""The demo's history (demo.history): the 90 days before today lived through the services with
the clock moved, so the dashboards and reports show a past, and the stored decisions name the
policy version they were made under."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from backtests.models import Backtest
from cases.models import Case, CaseEvent, CaseStatus, EventType
from console.dashboard import dashboard
from demo.history import VERSIONS
from demo.seed import HISTORY_PREFIX
from payouts.models import (
    LedgerEntry,
    PayoutRun,
    Penalty,
    PenaltyState,
    Refund,
    RefundReason,
    RefundState,
    ReversalRequest,
    ReversalState,
    RunState,
)
from policies.models import PolicyStatus, PolicyVersion
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

CHARTS = ("sla", "kinds", "pafs", "reversals", "refunds", "payouts")
PILOT = VERSIONS[0][0]  # revisit penalty 50%, goodwill from the threshold 200


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo with its history, loaded once for the module and rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        started = timezone.now()
        call_command("load_demo", stdout=out)
        yield {"output": out.getvalue(), "loaded_at": started}
        transaction.set_rollback(True)


def history_cases(demo):
    """The cases opened before the load began: the history's (the world's are opened now)."""
    return Case.objects.filter(created_at__lt=demo["loaded_at"] - timedelta(hours=1))


def test_the_history_reaches_back_ninety_days_with_work_every_week(demo):
    assert "History of 90 days added" in demo["output"]
    cases = history_cases(demo)
    first = min(cases.values_list("created_at", flat=True))
    assert 89 <= (demo["loaded_at"] - first).days <= 90
    for week in range(12):  # every full week before today has its cases
        end = demo["loaded_at"] - timedelta(days=7 * week + 1)
        assert (
            cases.filter(created_at__gte=end - timedelta(days=7), created_at__lt=end).count() > 20
        )
    assert not Case.objects.filter(created_at__gt=timezone.now()).exists()


def test_history_cases_were_moved_by_the_transition_path_at_their_own_moments(demo):
    cases = history_cases(demo).filter(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
    assert cases.count() > 300
    events = CaseEvent.objects.filter(case__in=cases).order_by("case_id", "at", "id")
    by_case: dict[int, list[CaseEvent]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    for case in cases:
        trail = by_case[case.pk]
        assert trail[0].type == "created" and trail[0].at == case.created_at
        moves = [e for e in trail if e.type == EventType.TRANSITION]
        assert moves[0].transition == "open"
        resolve = [e for e in moves if e.transition == "resolve"][-1]
        assert resolve.at == case.resolved_at > case.created_at
        assert resolve.to_state == CaseStatus.RESOLVED


def test_some_history_cases_breached_their_sla_and_most_did_not(demo):
    resolved = history_cases(demo).filter(resolved_at__isnull=False)
    breached = resolved.filter(resolution_breached_at__isnull=False)
    share = breached.count() / resolved.count()
    assert 0.03 <= share <= 0.25, share
    for case in breached:
        # The sweep marked the breach after the target passed and before the resolution.
        assert case.resolution_due_at <= case.resolution_breached_at < case.resolved_at
    met = resolved.filter(resolution_breached_at__isnull=True)
    assert not met.filter(resolved_at__gt=F("resolution_due_at")).exists()
    assert (
        CaseEvent.objects.filter(case__in=breached, type=EventType.CLOCK)
        .values("case")
        .distinct()
        .count()
        == breached.count()
    )


def test_revisit_penalties_follow_the_version_in_force_when_they_were_decided(demo):
    versions = {v.version: v for v in PolicyVersion.objects.select_related("author")}
    for version, days_ago, _, _ in VERSIONS:
        row = versions[version]
        assert row.status == PolicyStatus.ACTIVE
        assert (row.author.username, row.activated_by.username) == ("supervisor", "admin")
        assert row.activated_at < row.effective_from
        assert days_ago - 1 <= (demo["loaded_at"] - row.effective_from).days <= days_ago
    penalties = Penalty.objects.filter(
        booking__revisit_of__external_id__startswith=HISTORY_PREFIX
    ).select_related("booking__revisit_of")
    seen = set()
    for penalty in penalties:
        rate = Decimal("0.50") if penalty.policy_version == PILOT else Decimal("0.60")
        original = penalty.booking.revisit_of.invoice_amount
        assert penalty.amount == (rate * original).quantize(Decimal("0.01")), penalty.pk
        seen.add(penalty.policy_version)
    assert seen == {"sop-2026.1", *(v for v, _, _, _ in VERSIONS)}
    decided = CaseEvent.objects.filter(type=EventType.DECISION, payload__flow="revisit.scenario_4")
    assert set(decided.values_list("payload__policy_version", flat=True)) == seen


def test_goodwill_follows_the_version_and_finance_paid_it(demo):
    goodwill = Refund.objects.filter(
        reason=RefundReason.GOODWILL_NO_SHOW, booking__external_id__startswith=HISTORY_PREFIX
    ).select_related("booking")
    assert goodwill.count() >= 20
    decisions = {
        e.case_id: e.payload["policy_version"]
        for e in CaseEvent.objects.filter(
            type=EventType.DECISION, payload__flow="pre_services.goodwill_refund"
        )
    }
    for refund in goodwill:
        version = decisions[refund.case_id]
        high = Decimal("200") if version == PILOT else Decimal("150")
        expected = high if refund.booking.cart_value >= 500 else Decimal("100")
        assert refund.amount == expected, (refund.pk, version)
        if refund.requested_at < demo["loaded_at"] - timedelta(days=4):
            assert refund.state == RefundState.PAID
            assert refund.requested_at < refund.approved_at < refund.paid_at
            assert refund.approved_by.username == "finance"
        else:  # the last days' goodwill is still in finance's queue
            assert refund.state != RefundState.REJECTED
    assert PILOT in set(decisions.values())


def test_the_runs_of_the_month_before_last_were_paid_and_disputes_decided(demo):
    month_start = timezone.localdate().replace(day=1)
    before_last_end = (month_start - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    runs = PayoutRun.objects.filter(period_end=before_last_end).select_related("region")
    assert {run.region.country for run in runs} == {"IN", "EG"}
    for run in runs:
        assert run.state == RunState.PAID
        assert (run.computed_by.username, run.approved_by.username) == ("supervisor", "finance")
        assert run.period_end < run.computed_at.date() < run.paid_at.date() < month_start
        assert run.lines.filter(net__gt=0).exists()
    requests = ReversalRequest.objects.filter(paf__booking__external_id__startswith=HISTORY_PREFIX)
    assert sorted(requests.values_list("state", flat=True)) == sorted(
        [ReversalState.APPROVED] * 3 + [ReversalState.REJECTED]
    )
    for request in requests.filter(state=ReversalState.APPROVED).select_related("paf__penalty"):
        penalty = request.paf.penalty
        assert penalty.state == PenaltyState.REVERSED
        paid_back = LedgerEntry.objects.get(idempotency_key=penalty.reversal_key)
        assert paid_back.amount == penalty.amount > 0


def test_every_dashboard_chart_shows_the_history(demo):
    cache.clear()
    data = dashboard()
    charts = {name: json.loads(data[name]["data"]) for name in CHARTS}
    sla = charts["sla"]["datasets"]
    days_with_data = {i for d in sla for i, v in enumerate(d["data"]) if v is not None}
    assert len(days_with_data) >= 13
    assert any(v is not None and v < 100 for d in sla for v in d["data"])  # a breach shows
    assert len(charts["pafs"]["labels"]) >= 8
    assert data["penalties"]
    assert sum(charts["reversals"]["datasets"][0]["data"]) >= 4
    assert charts["refunds"]["datasets"]
    assert len(charts["payouts"]["labels"]) >= 3
    assert len(charts["kinds"]["labels"]) >= 8
    page = logged_in(User.objects.get(username="supervisor")).get(reverse("console-dashboard"))
    assert page.status_code == 200
    assert "SLA" in page.content.decode()


def test_loading_again_adds_no_second_history(demo):
    before = (Case.objects.count(), CaseEvent.objects.count(), PayoutRun.objects.count())
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert (Case.objects.count(), CaseEvent.objects.count(), PayoutRun.objects.count()) == before
    assert "History of" not in out.getvalue()


def test_the_draft_waiting_for_activation_has_a_backtest_that_shows_changes(demo):
    draft = PolicyVersion.objects.get(version="sop-2027.1", status=PolicyStatus.DRAFT)
    backtest = Backtest.objects.get(version=draft)
    assert backtest.state == "done" and backtest.created_by.username == "finance"
    counts = backtest.result["counts"]
    assert counts["decisions"] > 50 and counts["changed"] > 5
    penalties = backtest.result["money"]["INR"]["penalties"]
    assert Decimal(penalties["difference"]) < 0  # 50% instead of 60%
