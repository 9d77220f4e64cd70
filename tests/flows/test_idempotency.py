"""Running a flow again never writes a record twice: one PAF, one penalty, one refund, one
revisit booking, one bonus, one reversal request per cause; each run is still audited."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from cases.models import Booking, Case, CaseEvent, EventType
from flows import intake, runner
from payouts.models import LedgerEntry, PartnerAtFault, Penalty, Refund, ReversalRequest
from policies.parameters import DEFAULT_POLICY
from policies.sop import pre_services
from tests.factories import UserFactory
from tests.helpers import case_on, decisions, job, revisit_of


def twice(case, flow, inputs, actor):
    for _ in range(2):
        runner.decide_case(case_id=case.pk, flow=flow, inputs=inputs, actor=actor)
    return decisions(case)


def statuses(event):
    return [(a["kind"], a["status"]) for a in event.payload["actions_applied"]]


@pytest.mark.django_db
def test_scenario_4_twice_marks_one_paf_and_one_penalty(agent):
    case = case_on("revisit_partner_fault", revisit_of(job(status="completed")))
    first, second = twice(case, "revisit.scenario_4", {"partner_failure": "no_show"}, agent)
    assert PartnerAtFault.objects.count() == 1 and Penalty.objects.count() == 1
    assert statuses(first) == [
        ("mark_paf", "applied"),
        ("create_penalty", "applied"),
        ("refuse_reversal", "applied"),
    ]
    assert statuses(second) == [
        ("mark_paf", "already_done"),
        ("create_penalty", "already_done"),
        ("refuse_reversal", "already_done"),
    ]
    assert second.payload["records"] == first.payload["records"]


@pytest.mark.django_db
def test_goodwill_twice_refunds_once(agent):
    booking = job(status="cancelled", cart_value=Decimal("650"))
    Booking.objects.filter(pk=booking.pk).update(cancellation_code="no_show")
    case = case_on("pre_service_cancellation", booking)
    twice(case, "pre_services.goodwill_refund", {"refund_requested": True}, agent)
    assert Refund.objects.get().amount == Decimal("150.00")


@pytest.mark.django_db
def test_goodwill_on_a_second_case_about_the_same_booking_refunds_once(agent):
    booking = job(status="cancelled")
    Booking.objects.filter(pk=booking.pk).update(cancellation_code="no_show")
    for _ in range(2):
        case = case_on("pre_service_cancellation", booking)
        runner.decide_case(
            case_id=case.pk,
            flow="pre_services.goodwill_refund",
            inputs={"refund_requested": True},
            actor=agent,
        )
    assert Refund.objects.count() == 1


@pytest.mark.django_db
def test_wrong_job_twice_refunds_once(agent):
    case = case_on("wrong_job_started", job(invoice_amount=Decimal("800.00")))
    inputs = {"amount_paid": "800", "partner_responding": True, "unanswered_attempts": 0}
    twice(case, "pre_services.wrong_job_started", inputs, agent)
    assert Refund.objects.count() == 1


@pytest.mark.django_db
def test_revisit_flow_twice_creates_one_revisit(agent):
    original = job(days_ago=4, status="completed")
    case = case_on("post_service_complaint", original)
    first, second = twice(case, "revisit.create", {}, agent)
    assert Booking.objects.filter(revisit_of=original).count() == 1
    assert statuses(second)[0] == ("create_revisit_booking", "already_done")
    assert second.payload["records"] == first.payload["records"]


@pytest.mark.django_db
def test_reversal_forms_twice_log_one_request(partner_support):
    booking = job(status="completed")
    PartnerAtFault.objects.create(partner=booking.partner, booking=booking, reason="x")
    paf_case = case_on("paf_reversal", booking)
    twice(paf_case, "revisit.paf_reversal", {"paf_genuine": False}, partner_support)
    rating_case = case_on("rating_reversal", booking)
    inputs = {"oos_ticket_verified": True, "closed_at_bpc": True}
    twice(rating_case, "oos.rating_reversal", inputs, partner_support)
    assert sorted(ReversalRequest.objects.values_list("kind", flat=True)) == [
        "paf_penalty",
        "rating",
    ]


@pytest.mark.django_db
def test_an_agent_without_the_reversal_role_leaves_it_as_partner_supports_task(agent):
    booking = job(status="completed")
    PartnerAtFault.objects.create(partner=booking.partner, booking=booking, reason="x")
    case = case_on("paf_reversal", booking)
    runner.decide_case(
        case_id=case.pk, flow="revisit.paf_reversal", inputs={"paf_genuine": False}, actor=agent
    )
    assert not ReversalRequest.objects.exists()
    task = case.tasks.get()
    assert (task.kind, task.owner_team, task.state) == (
        "offer_reversal_form",
        "partner_support",
        "open",
    )
    assert task.decision_id == decisions(case)[-1].pk


@pytest.mark.django_db
def test_partner_bonus_applied_twice_is_paid_once(agent):
    """The bonus leaf refuses the edit (so run_flow answers 422); applying its decision, as a
    console action on a refusal would, pays the partner once."""
    case = case_on("contact_edit")
    decision = pre_services.decide_personal_details_edit(
        detail="address",
        booking_placed=True,
        partner_can_deliver_elsewhere=True,
        policy=DEFAULT_POLICY,
    )
    for _ in range(2):
        runner.apply_decision(case, decision, agent)
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.partner_id) == (
        "bonus",
        Decimal("100.00"),
        case.booking.partner_id,
    )


@pytest.mark.django_db
def test_raising_the_same_oos_ticket_twice_returns_the_open_one(partner_support):
    booking = job(status="started")
    kwargs = {
        "booking_id": booking.pk,
        "partner_actor_or_partner": partner_support,
        "latitude": booking.latitude,
        "longitude": booking.longitude,
        "images": ["a.jpg"],
        "note": "",
    }
    first = intake.raise_oos_ticket(**kwargs)
    second = intake.raise_oos_ticket(**kwargs)
    assert first.created and not second.created
    assert second.case.pk == first.case.pk
    assert Case.objects.filter(kind="out_of_scope").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_agents_running_scenario_4_at_once_mark_one_paf():
    agents = [UserFactory(username=f"race-{i}", role="agent") for i in range(2)]
    case = case_on("revisit_partner_fault", revisit_of(job(status="completed")))
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def work(actor):
        try:
            barrier.wait()
            runner.decide_case(
                case_id=case.pk,
                flow="revisit.scenario_4",
                inputs={"partner_failure": "no_show"},
                actor=actor,
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert PartnerAtFault.objects.count() == 1 and Penalty.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, type=EventType.DECISION).count() == 2
