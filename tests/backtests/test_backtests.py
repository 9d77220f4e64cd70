"""Backtests with known answers: each change of an SOP number changes exactly the stored
decisions it should, by exactly what it should, and a backtest writes nothing but itself."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from backtests import services
from backtests.models import Backtest, BacktestState
from cases.models import Booking, Case, CaseEvent, EventType, GateRefusal, Task
from core.errors import NotPermitted, PolicyRefusal
from events.models import OutboxEvent
from flows import intake, runner
from payouts.models import LedgerEntry, Penalty, Refund
from policies.parameters import DEFAULT_POLICY
from tests.factories import BookingFactory
from tests.flows.test_boundaries import LNG, north_of_booking, oos_job
from tests.helpers import case_on, job, revisit_of

pytestmark = pytest.mark.django_db


def backtest(user, **changes) -> Backtest:
    started, created = services.request_backtest(
        actor=user, parameters={**DEFAULT_POLICY.params.to_dict(), **changes}
    )
    assert created
    return services.run_backtest(backtest_id=started.pk)


def scenario_4(agent, invoice: str) -> Case:
    original = job(status="completed", invoice_amount=Decimal(invoice))
    case = case_on("revisit_partner_fault", revisit_of(original))
    runner.decide_case(
        case_id=case.pk,
        flow="revisit.scenario_4",
        inputs={"partner_failure": "no_show"},
        actor=agent,
    )
    return case


def goodwill(agent, cart: str) -> Case:
    booking = job(status="cancelled", cart_value=Decimal(cart), invoice_amount=Decimal(cart))
    Booking.objects.filter(pk=booking.pk).update(cancellation_code="no_show", cancelled_by="agent")
    case = case_on("pre_service_cancellation", booking)
    runner.decide_case(
        case_id=case.pk,
        flow="pre_services.goodwill_refund",
        inputs={"refund_requested": True},
        actor=agent,
    )
    return case


def revisit_asked(agent, days_after_service: int) -> Case:
    """A customer asks for a revisit `days_after_service` days after the job (the gate)."""
    original = BookingFactory()
    today = timezone.localdate(timezone=ZoneInfo(original.city.region.timezone))
    Booking.objects.filter(pk=original.pk).update(
        status="completed", service_date=today - timedelta(days=days_after_service)
    )
    return intake.create_revisit(booking_id=original.pk, actor=agent, requested_on=today).case


def test_revisit_penalty_60_to_50_changes_every_scenario_4_penalty_by_exactly_a_sixth(
    agent, finance_user
):
    cases = [scenario_4(agent, invoice) for invoice in ("1234.50", "799.00", "2000.00")]
    untouched = goodwill(agent, "700.00")
    stored = {p.paf.case_id: p.amount for p in Penalty.objects.select_related("paf")}
    assert sorted(stored.values()) == [Decimal("479.40"), Decimal("740.70"), Decimal("1200.00")]

    result = backtest(finance_user, revisit_penalty_rate="0.50").result

    assert result["counts"] == {
        "decisions": 4,
        "replayed": 4,
        "same": 1,
        "changed": 3,
        "not_replayable": 0,
    }
    cell = "revisit.scenario_4: paf_and_penalty_marked -> paf_and_penalty_marked"
    assert result["matrix"][cell] == 3
    assert sorted(result["changed_cases"][cell]) == sorted(c.pk for c in cases)
    assert untouched.pk not in result["changed_cases"][cell]
    penalties = result["money"]["INR"]["penalties"]
    total = sum(stored.values())
    assert Decimal(penalties["stored"]) == total
    assert Decimal(penalties["difference"]) == -(total / 6)  # 123.45 + 79.90 + 200.00
    assert Decimal(penalties["candidate"]) == Decimal("2016.75")
    for sample in result["sample"]:
        assert "60%" in sample["stored_reason"] or "0.60" in sample["stored_reason"]
        assert sample["stored_reason"] != sample["candidate_reason"]
    # Each partner's next payout gains the sixth of his penalty.
    gains = sorted(Decimal(row["difference"]) for row in result["partners"])
    assert gains == sorted(amount / 6 for amount in stored.values())


def test_goodwill_threshold_moved_across_a_cart_flips_exactly_those(agent, supervisor):
    carts = {cart: goodwill(agent, cart) for cart in ("480.00", "499.99", "500.00", "505.00")}
    carts["520.00"] = goodwill(agent, "520.00")
    assert {r.booking.cart_value: r.amount for r in Refund.objects.select_related("booking")} == {
        Decimal("480.00"): Decimal("100.00"),
        Decimal("499.99"): Decimal("100.00"),
        Decimal("500.00"): Decimal("150.00"),
        Decimal("505.00"): Decimal("150.00"),
        Decimal("520.00"): Decimal("150.00"),
    }

    result = backtest(supervisor, goodwill_threshold_cart_value="510").result

    changed = {case_id for ids in result["changed_cases"].values() for case_id in ids}
    assert changed == {carts["500.00"].pk, carts["505.00"].pk}
    goodwill_money = result["money"]["INR"]["goodwill"]
    assert Decimal(goodwill_money["difference"]) == Decimal("-100")  # 2 x (100 - 150)


def test_warranty_30_to_25_changes_exactly_the_revisits_26_to_30_days_after_service(
    agent, supervisor
):
    asked = {days: revisit_asked(agent, days) for days in (24, 25, 26, 30)}

    result = backtest(supervisor, warranty_days=25).result

    assert result["by_flow"]["gate.revisit_request"] == {"same": 2, "changed": 2}
    changed = {case_id for ids in result["changed_cases"].values() for case_id in ids}
    assert changed == {asked[26].pk, asked[30].pk}
    cells = [c for c in result["matrix"] if c.startswith("gate.revisit_request: revisit_allowed")]
    assert any("revisit_refused" in cell for cell in cells), result["matrix"]


def test_replaying_under_the_version_in_force_changes_nothing(agent, supervisor):
    scenario_4(agent, "799.00")
    goodwill(agent, "300.00")
    revisit_asked(agent, 10)
    result = backtest(supervisor).result
    assert result["counts"]["changed"] == 0
    assert result["counts"]["same"] == result["counts"]["decisions"] == 3
    assert result["money"]["INR"]["penalties"]["difference"] == "0.00"


def test_a_backtest_writes_only_itself(agent, finance_user):
    scenario_4(agent, "799.00")
    goodwill(agent, "700.00")
    models = (Case, Booking, Task, LedgerEntry, CaseEvent, Penalty, Refund, OutboxEvent)
    before = {model: list(model.objects.order_by("pk").values()) for model in models}
    done = backtest(finance_user, revisit_penalty_rate="0.40", goodwill_from_threshold="100")
    assert done.state == BacktestState.DONE and done.result["counts"]["changed"] == 2
    assert {model: list(model.objects.order_by("pk").values()) for model in models} == before


def test_the_same_inputs_reuse_the_stored_result(agent, finance_user, supervisor):
    scenario_4(agent, "799.00")
    first = backtest(finance_user, revisit_penalty_rate="0.50")
    again, created = services.request_backtest(
        actor=supervisor,
        parameters={**DEFAULT_POLICY.params.to_dict(), "revisit_penalty_rate": "0.50"},
    )
    assert (again.pk, created) == (first.pk, False)
    other, created = services.request_backtest(
        actor=supervisor, parameters={"revisit_penalty_rate": "0.45"}
    )
    assert created and other.pk != first.pk


def test_agents_may_not_backtest(agent):
    with pytest.raises(NotPermitted):
        services.request_backtest(actor=agent, parameters={"warranty_days": 25})
    assert not Backtest.objects.exists()


def test_a_decision_whose_calendar_was_stored_as_a_summary_is_counted_not_replayable(
    agent, supervisor
):
    case = scenario_4(agent, "799.00")
    CaseEvent.objects.create(
        case=case,
        type=EventType.DECISION,
        policy_version="sop-2026.1",
        payload={
            "flow": "follow_up.call_attempt",
            "outcome": "first_attempt_unanswered",
            "refused": False,
            "tag": None,
            "actions": [],
            "given_inputs": {"outcome": "no_answer"},
            "filled_inputs": {
                "flow": "first_visit",
                "attempts": [],
                "calendar": {"weekend_days": [6], "holidays": 12},
                "at": timezone.now().isoformat(),
                "material_needed": False,
            },
        },
    )
    result = backtest(supervisor, revisit_penalty_rate="0.50").result
    assert result["counts"]["not_replayable"] == 1
    assert result["not_replayable"] == {
        "calendar was stored as a summary (before calendars were kept whole)": 1
    }
    assert result["counts"]["changed"] == 1  # the scenario-4 decision still counts


def refused_revisit(agent, days_after_service: int) -> None:
    with pytest.raises(PolicyRefusal):
        revisit_asked(agent, days_after_service)


def test_warranty_30_to_35_would_have_allowed_exactly_the_refusals_31_to_35_days_after(
    agent, supervisor
):
    for days in (31, 35, 36):
        refused_revisit(agent, days)
    refusals = GateRefusal.objects.order_by("id")
    assert [r.payload["outcome"] for r in refusals] == ["revisit_refused_outside_warranty"] * 3
    assert refusals[0].payload["inputs"]["prior_revisits_on_issue"] == 0

    result = backtest(supervisor, warranty_days=35).result

    assert result["counts"]["decisions"] == 3
    assert result["by_flow"]["gate.revisit_request"] == {"changed": 2, "same": 1}
    changed = result["sample"]
    assert sorted(s["booking"] for s in changed) == sorted(r.booking_id for r in refusals[:2])
    assert all(s["candidate_outcome"] == "revisit_allowed" for s in changed)


def test_oos_radius_500_to_600_turns_exactly_the_500_to_600_m_refusals_into_tickets(
    partner_support, supervisor
):
    for metres in (499, 550, 600, 601, 750):
        booking = oos_job()
        try:
            intake.raise_oos_ticket(
                booking_id=booking.pk,
                partner_actor_or_partner=partner_support,
                latitude=north_of_booking(metres),
                longitude=LNG,
                images=["img-1.jpg"],
            )
        except PolicyRefusal:
            assert metres > 500
    assert GateRefusal.objects.count() == 4  # 550, 600, 601, 750 m; 499 m is a ticket

    result = backtest(supervisor, oos_radius_m=600).result

    assert result["counts"] == {
        "decisions": 5,
        "replayed": 5,
        "same": 3,
        "changed": 2,
        "not_replayable": 0,
    }
    distances = sorted(
        GateRefusal.objects.get(booking_id=s["booking"]).payload["inputs"]["distance_m"]
        for s in result["sample"]
    )
    assert distances == [550.0, 600.0]
    assert {s["candidate_outcome"] for s in result["sample"]} == {"oos_ticket_parked"}


def test_a_gate_flows_refusal_is_kept_with_its_case_and_replayed(partner_support, supervisor):
    case = case_on("out_of_scope", oos_job())
    counts = (Case.objects.count(), CaseEvent.objects.count(), Booking.objects.count())
    with pytest.raises(PolicyRefusal):
        runner.decide_case(
            case_id=case.pk,
            flow="oos.eligibility",
            inputs={
                "partner_latitude": str(north_of_booking(560)),
                "partner_longitude": str(LNG),
                "images_shared": True,
            },
            actor=partner_support,
        )
    # The 422 wrote nothing but the refusal.
    assert (Case.objects.count(), CaseEvent.objects.count(), Booking.objects.count()) == counts
    refusal = GateRefusal.objects.get()
    assert (refusal.case_id, refusal.payload["flow"]) == (case.pk, "oos.eligibility")
    assert refusal.actor == partner_support and refusal.policy_version == "sop-2026.1"

    result = backtest(supervisor, oos_radius_m=600).result
    assert result["by_flow"]["oos.eligibility"] == {"changed": 1}
    assert result["changed_cases"] == {
        "oos.eligibility: oos_refused_too_far -> oos_ticket_parked": [case.pk]
    }
