"""What a flow run refuses, and what it writes then: nothing. 422 for SOP refusals, 409 for
resolved or closed cases, 400 for bad inputs, 403 for roles, 404 for unknown flows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Booking, Case, CaseEvent
from core.errors import (
    InvalidInput,
    NotFoundError,
    NotPermitted,
    PolicyRefusal,
    TransitionConflict,
)
from flows import runner
from payouts.models import PartnerAtFault
from tests.factories import tag_for
from tests.helpers import case_on, job

pytestmark = pytest.mark.django_db

SCENARIO_1_GENUINE = {
    "pro_discussed_and_denied": True,
    "pro_shared_personal_number": False,
    "paf_marked": True,
    "penalty_marked": True,
    "paf_genuine": False,
}


def run(case, flow, inputs, actor):
    return runner.decide_case(case_id=case.pk, flow=flow, inputs=inputs, actor=actor).decision


def test_a_refused_answer_on_a_case_is_recorded_not_applied_as_money(agent):
    case = case_on("revisit_customer_cancelled")
    pafs = PartnerAtFault.objects.count()
    decision = run(case, "revisit.scenario_1", SCENARIO_1_GENUINE, agent)
    assert decision.outcome == "paf_genuine_not_reversed" and decision.refused
    assert "cannot be reversed" in decision.reason
    event = CaseEvent.objects.get(case=case, type="decision")
    assert event.payload["refused"] is True
    assert PartnerAtFault.objects.count() == pafs


def test_a_gate_refusal_writes_nothing(agent):
    case = case_on("post_service_complaint", job(days_ago=31, status="completed"))
    events = CaseEvent.objects.count()
    bookings = Booking.objects.count()
    with pytest.raises(PolicyRefusal) as refused:
        run(case, "revisit.create", {}, agent)
    assert refused.value.code == "revisit_refused_outside_warranty"
    assert refused.value.http_status == 422
    assert (CaseEvent.objects.count(), Booking.objects.count()) == (events, bookings)


def test_post_warranty_complaint_is_denied_and_tagged(agent):
    case = case_on("post_service_complaint", job(days_ago=31, status="completed"))
    decision = run(
        case,
        "l1.status_check_closed",
        {"complaint": "technician", "customer_agrees": True},
        agent,
    )
    assert decision.outcome == "post_policy_service_denial" and decision.refused
    case.refresh_from_db()
    assert case.disposition.path == "Inbound >> Enquiry >> Post Policy-Service Denial"


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_resolved_and_closed_cases_are_a_conflict(agent, status):
    case = case_on("status_check")
    Case.objects.filter(pk=case.pk).update(status=status, disposition=tag_for("status_check"))
    with pytest.raises(TransitionConflict) as conflict:
        run(case, "l1.status_check_cancelled", {}, agent)
    assert conflict.value.http_status == 409 and conflict.value.code == "case_closed"


def test_bad_inputs_are_all_reported_at_once(agent):
    case = case_on("revisit_partner_fault")
    with pytest.raises(InvalidInput) as bad:
        run(
            case,
            "revisit.scenario_4",
            {"partner_failure": "late", "original_invoice_amount": "5", "colour": "red"},
            agent,
        )
    assert bad.value.fields == {
        "partner_failure": [
            "Must be one of: denied_job, no_contact_attempt, no_show, poor_service, unresponsive."
        ],
        "original_invoice_amount": ["Filled from the case's records."],
        "colour": ["Not an input of this flow."],
    }


def test_missing_inputs_are_required(agent):
    case = case_on("address_change")
    with pytest.raises(InvalidInput) as bad:
        run(case, "l1.address_change", {"customer_agrees_to_cancel": True}, agent)
    assert bad.value.fields == {"customer_can_cancel": ["This field is required."]}


def test_an_input_the_decision_rejects_is_a_400(agent):
    case = case_on("status_check")
    with pytest.raises(InvalidInput) as bad:
        run(case, "l1.status_check_open", {"open_status": "customer_not_responding"}, agent)
    assert "customer_response" in bad.value.fields["non_field_errors"][0]


def test_flows_of_another_kind_do_not_run(agent):
    case = case_on("status_check")
    with pytest.raises(InvalidInput) as bad:
        run(case, "revisit.scenario_4", {"partner_failure": "no_show"}, agent)
    assert "does not apply" in bad.value.fields["flow"][0]


def test_unknown_flows_and_cases(agent):
    case = case_on("status_check")
    with pytest.raises(NotFoundError):
        run(case, "l1.nope", {}, agent)
    with pytest.raises(NotFoundError):
        runner.decide_case(case_id=0, flow="l1.safety_case", inputs={}, actor=agent)


def test_finance_does_not_run_flows(finance_user):
    case = case_on("safety_incident")
    with pytest.raises(NotPermitted):
        run(case, "l1.safety_case", {}, finance_user)


def test_a_failing_action_rolls_the_whole_decision_back(agent):
    # The booking was completed: cancelling it is a conflict, and nothing else sticks.
    case = case_on("status_check", job(status="completed"))
    events = CaseEvent.objects.count()
    with pytest.raises(TransitionConflict):
        run(
            case,
            "l1.status_check_open",
            {"open_status": "created", "customer_wants_to_cancel": True},
            agent,
        )
    case.refresh_from_db()
    assert CaseEvent.objects.count() == events and case.disposition is None


def test_a_money_action_checks_the_actors_role(partner_support):
    # Partner support may run flows but not request refunds (payouts' rule).
    case = case_on("wrong_job_started")
    inputs = {"amount_paid": "800", "partner_responding": True, "unanswered_attempts": 0}
    with pytest.raises(NotPermitted):
        run(case, "pre_services.wrong_job_started", inputs, partner_support)
    assert not CaseEvent.objects.filter(case=case, type="decision").exists()


def test_preview_decides_without_writing(agent):
    case = case_on("revisit_customer_cancelled")
    events = CaseEvent.objects.count()
    decision = runner.preview_decision(
        case_id=case.pk, flow="revisit.scenario_1", inputs=SCENARIO_1_GENUINE, actor=agent
    )
    assert decision.refused and decision.outcome == "paf_genuine_not_reversed"
    assert CaseEvent.objects.count() == events


def test_reschedule_into_the_past_is_refused(agent):
    case = case_on("reschedule", job(days_ago=-1))
    slot = timezone.now() - timedelta(days=2)
    inputs = {
        "preferred_slot": slot.isoformat(),
        "different_pro_requested": False,
        "booking_auto_accepted": False,
    }
    with pytest.raises(InvalidInput):
        run(case, "pre_services.reschedule_request", inputs, agent)
