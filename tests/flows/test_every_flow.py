"""Every flow of the registry, applied through the service: the decision, the records it
writes, the case's state, and one DECISION event citing the policy version."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Booking, Case, CaseEvent, EventType
from core.errors import InvalidInput
from flows import clocks, runner
from flows import selectors as flow_selectors
from flows.context import FlowContext
from flows.table import FLOWS
from partners.models import CalendarSlot
from payouts.models import PartnerAtFault, Penalty, Refund, ReversalRequest
from policies.sop import revisits
from tests.factories import CaseFactory, PartnerFactory
from tests.helpers import applied, case_on, job, last_decision, revisit_of, task_kinds

pytestmark = pytest.mark.django_db

SCENARIOS = {}


def scenario(name):
    def register(fn):
        SCENARIOS[name] = fn
        return fn

    return register


def run(case, flow, inputs, actor):
    decision = runner.decide_case(case_id=case.pk, flow=flow, inputs=inputs, actor=actor).decision
    case.refresh_from_db()
    event = last_decision(case)
    assert event.payload["outcome"] == decision.outcome
    assert event.payload["flow"] == flow
    assert event.policy_version == decision.policy_version == "sop-2026.1"
    assert event.reason == decision.reason
    return decision, event


# --- revisit work --------------------------------------------------------------------------


@scenario("revisit.create")
def _(users):
    original = job(days_ago=5, status="completed")
    case = case_on("post_service_complaint", original)
    decision, event = run(case, "revisit.create", {}, users["agent"])
    assert decision.outcome == "revisit_allowed"
    revisit = Booking.objects.get(revisit_of=original)
    assert revisit.partner_id == original.partner_id and not revisit.is_sme_revisit
    assert event.payload["records"]["revisit_booking_id"] == revisit.pk
    assert case.disposition.path == revisits.TAG_WORK_INFO


@scenario("revisit.scenario_1")
def _(users):
    case = case_on("revisit_customer_cancelled", revisit_of(job(status="completed")))
    inputs = dict.fromkeys(
        [
            "pro_discussed_and_denied",
            "pro_shared_personal_number",
            "paf_marked",
            "penalty_marked",
            "paf_genuine",
        ],
        False,
    )
    decision, event = run(case, "revisit.scenario_1", inputs, users["agent"])
    assert decision.outcome == "no_paf_close_ticket"
    assert case.status == "resolved" and case.disposition.path == revisits.TAG_WORK_INFO
    # "Close the ticket by telling the partner": the partner is not on the line, a call task.
    assert task_kinds(case) == ["call_partner"]
    assert applied(event)["call_partner"] == "task"


@scenario("revisit.scenario_2")
def _(users):
    case = case_on("revisit_work_not_required", revisit_of(job(status="completed")))
    inputs = {
        "customer_responsive": True,
        "customer_agrees_to_cancel": True,
        "paf_marked": False,
        "paf_genuine": False,
    }
    decision, event = run(case, "revisit.scenario_2", inputs, users["agent"])
    assert decision.outcome == "customer_cancels_placed_by_mistake"
    assert case.status == "resolved"
    # The customer is on the line: asked to cancel now, by the agent applying the decision.
    step = event.payload["actions_applied"][0]
    assert (step["kind"], step["status"]) == ("ask_customer_to_cancel", "told_on_contact")
    assert step["params"]["code"] == revisits.PLACED_BY_MISTAKE
    assert task_kinds(case) == []


@scenario("revisit.scenario_3")
def _(users):
    case = case_on("revisit_new_work_denied", revisit_of(job(status="completed")))
    inputs = {"customer_agrees_to_cancel": False, "paf_marked": False, "paf_genuine": False}
    decision, event = run(case, "revisit.scenario_3", inputs, users["agent"])
    assert decision.outcome == "estimate_to_trainer"
    assert task_kinds(case) == ["call_partner"]
    assert applied(event)["escalate"] == "applied"
    assert (case.status, case.team) == ("new", "training")


@scenario("revisit.scenario_4")
def _(users):
    original = job(status="completed", invoice_amount=Decimal("1234.50"))
    case = case_on("revisit_partner_fault", revisit_of(original))
    decision, event = run(
        case, "revisit.scenario_4", {"partner_failure": "poor_service"}, users["agent"]
    )
    assert decision.outcome == "paf_and_penalty_marked"
    paf = PartnerAtFault.objects.get(booking=case.booking)
    penalty = Penalty.objects.get(paf=paf)
    assert penalty.amount == Decimal("740.70") == Decimal("0.60") * Decimal("1234.50")
    assert penalty.base_amount == Decimal("1234.50")
    assert event.payload["records"] == {"paf_id": paf.pk, "penalty_id": penalty.pk}


@scenario("revisit.scenario_5")
def _(users):
    case = case_on("revisit_payment", revisit_of(job(status="completed"), is_sme_revisit=True))
    decision, event = run(case, "revisit.scenario_5", {"payout_missed": True}, users["agent"])
    assert decision.outcome == "sme_payout_issue"
    assert event.payload["filled_inputs"] == {"is_sme_revisit": True}
    assert case.disposition.path == revisits.TAG_SME_PAYOUT


@scenario("revisit.paf_reversal")
def _(users):
    booking = job(status="completed")
    paf = PartnerAtFault.objects.create(partner=booking.partner, booking=booking, reason="x")
    case = case_on("paf_reversal", booking)
    decision, event = run(
        case, "revisit.paf_reversal", {"paf_genuine": False}, users["partner_support"]
    )
    assert decision.outcome == "paf_reversal_form"
    request = ReversalRequest.objects.get(paf=paf)
    assert request.kind == "paf_penalty" and request.case_id == case.pk
    assert event.payload["records"]["reversal_request_id"] == request.pk


# --- L1 ------------------------------------------------------------------------------------


@scenario("l1.status_check_cancelled")
def _(users):
    case = case_on("status_check")
    decision, _ = run(case, "l1.status_check_cancelled", {}, users["agent"])
    assert decision.outcome == "cancellation_explained"
    assert case.disposition.path == decision.tag


@scenario("l1.status_check_open")
def _(users):
    case = case_on("status_check")
    inputs = {"open_status": "created", "customer_wants_to_cancel": True}
    decision, event = run(case, "l1.status_check_open", inputs, users["agent"])
    assert decision.outcome == "cancelled_on_request"
    case.booking.refresh_from_db()
    assert (case.booking.status, case.booking.cancellation_code) == ("cancelled", "customer_voc")
    assert case.booking.cancelled_by == "agent"


@scenario("l1.status_check_closed")
def _(users):
    case = case_on("post_service_complaint", job(days_ago=10, status="completed"))
    inputs = {"complaint": "technician", "customer_agrees": True}
    decision, event = run(case, "l1.status_check_closed", inputs, users["agent"])
    assert decision.outcome == "ticket_reopened"
    task = case.tasks.get()
    assert (task.kind, task.owner_team) == ("reopen_booking", "operations")
    # The contact is answered ("Request to reopen ticket >> Resolved"): the case is resolved.
    assert case.status == "resolved"


@scenario("l1.cancel_request")
def _(users):
    case = case_on("cancellation_request")
    decision, _ = run(case, "l1.cancel_request", {}, users["agent"])
    assert decision.outcome == "guided_to_self_cancel"


@scenario("l1.address_change")
def _(users):
    case = case_on("address_change")
    inputs = {"customer_agrees_to_cancel": True, "customer_can_cancel": False}
    decision, _ = run(case, "l1.address_change", inputs, users["agent"])
    assert decision.outcome == "cancelled_for_address_change"
    assert Booking.objects.get(pk=case.booking_id).status == "cancelled"


@scenario("l1.property_damage")
def _(users):
    case = case_on("property_damage")
    decision, _ = run(case, "l1.property_damage", {"observation": "late"}, users["agent"])
    assert decision.outcome == "property_damage_escalated"
    assert case.priority == "high"


@scenario("l1.invoice_request")
def _(users):
    case = case_on("missing_invoice")
    decision, _ = run(case, "l1.invoice_request", {"invoice_available": False}, users["agent"])
    assert decision.outcome == "bill_not_given_complaint"
    assert case.disposition.path.endswith("Unresolved >> Remarks")


@scenario("l1.debited_not_confirmed")
def _(users):
    case = case_on("payment_not_confirmed")
    debited = (timezone.localdate() - timedelta(days=10)).isoformat()
    inputs = {"service_details_available": False, "debited_on": debited}
    decision, event = run(case, "l1.debited_not_confirmed", inputs, users["agent"])
    assert decision.outcome == "refund_delayed"
    assert event.payload["filled_inputs"]["payment_mode"] == "online"


@scenario("l1.refund_status")
def _(users):
    case = case_on("refund_status")
    inputs = {
        "refund_status_available": True,
        "refund_started_on": timezone.localdate().isoformat(),
    }
    decision, _ = run(case, "l1.refund_status", inputs, users["agent"])
    assert decision.outcome == "refund_status_shared"


@scenario("l1.extra_charges")
def _(users):
    booking = job(payment_mode="cash", invoice_amount=Decimal("799.00"))
    case = case_on("extra_charges", booking)
    decision, _ = run(case, "l1.extra_charges", {"amount_collected": "900"}, users["agent"])
    assert decision.outcome == "extra_cash_complaint"
    assert decision.input("invoice_amount") == Decimal("799.00")


@scenario("l1.safety_case")
def _(users):
    case = case_on("safety_incident")
    decision, _ = run(case, "l1.safety_case", {}, users["agent"])
    assert decision.outcome == "safety_case"
    assert case.priority == "urgent"


@scenario("l1.product_pickup")
def _(users):
    case = case_on("product_pickup")
    picked = (timezone.localdate() - timedelta(days=8)).isoformat()
    inputs = {"update_available": False, "picked_up_on": picked}
    decision, _ = run(case, "l1.product_pickup", inputs, users["agent"])
    assert decision.outcome == "pickup_overdue_escalated"
    assert case.priority == "high" and "Out of SPD" in case.disposition.path


# --- pre-services ----------------------------------------------------------------------------


@scenario("pre_services.change_request")
def _(users):
    booking = job(days_ago=-2)  # booked for the day after tomorrow
    case = case_on("change_request", booking)
    inputs = {"partner_responding": True, "partner_has_material": True, "partner_agrees": True}
    decision, _ = run(case, "pre_services.change_request", inputs, users["agent"])
    assert decision.outcome == "partner_delivers_change"
    assert case.status == "parked" and case.parked_until == booking.booking_time


@scenario("pre_services.reschedule_request")
def _(users):
    case = case_on("reschedule", job(days_ago=-1))
    slot = timezone.now().replace(microsecond=0) + timedelta(days=4)
    inputs = {
        "preferred_slot": slot.isoformat(),
        "different_pro_requested": False,
        "booking_auto_accepted": False,
    }
    decision, _ = run(case, "pre_services.reschedule_request", inputs, users["agent"])
    assert decision.outcome == "rescheduled"
    booking = Booking.objects.get(pk=case.booking_id)
    assert booking.booking_time == slot
    assert booking.service_date == timezone.localtime(slot).date()


@scenario("pre_services.preferred_professional")
def _(users):
    case = case_on("preferred_professional", job(days_ago=-2))
    preferred = PartnerFactory(city=case.booking.city)
    inputs = {
        "preferred_partner": preferred.external_id,
        "professional_responding": True,
        "professional_agrees": True,
    }
    decision, event = run(case, "pre_services.preferred_professional", inputs, users["agent"])
    assert decision.outcome == "preferred_professional_notified"
    assert event.payload["filled_inputs"]["calendar_status"] == "free"  # read, not asked
    assert "Assigned" in case.disposition.path
    booking = Booking.objects.get(pk=case.booking_id)
    assert (booking.status, booking.partner_id) == ("allocated", preferred.pk)


@scenario("pre_services.cancellation_request")
def _(users):
    case = case_on("pre_service_cancellation")
    inputs = {"voc": "moving house", "customer_accepts_reschedule": False}
    decision, _ = run(case, "pre_services.cancellation_request", inputs, users["agent"])
    assert decision.outcome == "cancelled_on_customer_voc"
    booking = Booking.objects.get(pk=case.booking_id)
    assert (booking.status, booking.cancelled_by) == ("cancelled", "customer")
    # Prepaid: refunded what was paid, due within the refund TAT; the ticket is closed.
    refund = Refund.objects.get(booking=booking)
    assert (refund.amount, refund.reason) == (booking.invoice_amount, "customer_cancellation")
    assert refund.tat_due_on is not None
    assert case.status == "resolved" and "Cancelled on customer VOC" in case.disposition.path


@scenario("pre_services.goodwill_refund")
def _(users):
    booking = job(status="cancelled", cart_value=Decimal("499.99"))
    Booking.objects.filter(pk=booking.pk).update(cancellation_code="no_show", cancelled_by="agent")
    booking.refresh_from_db()
    case = case_on("pre_service_cancellation", booking)
    decision, _ = run(
        case, "pre_services.goodwill_refund", {"refund_requested": True}, users["agent"]
    )
    assert decision.outcome == "goodwill_refund"
    refund = Refund.objects.get(booking=booking)
    assert (refund.amount, refund.reason) == (Decimal("100.00"), "goodwill_no_show")


@scenario("pre_services.wrong_job_started")
def _(users):
    case = case_on(
        "wrong_job_started", job(payment_mode="online", invoice_amount=Decimal("1200.00"))
    )
    inputs = {"amount_paid": "1200", "partner_responding": True, "unanswered_attempts": 0}
    decision, _ = run(case, "pre_services.wrong_job_started", inputs, users["agent"])
    assert decision.outcome == "full_refund"
    refund = Refund.objects.get(booking=case.booking)
    assert refund.amount == Decimal("1200.00") and refund.deduct_from_partner


@scenario("pre_services.personal_details_edit")
def _(users):
    # Both leaves refuse the edit; the refusal is recorded, and when the partner delivers to
    # the new address he is paid the changed-address bonus.
    case = case_on("contact_edit")
    decision = runner.decide_case(
        case_id=case.pk,
        flow="pre_services.personal_details_edit",
        inputs={"detail": "number", "partner_can_deliver_elsewhere": False},
        actor=users["agent"],
    ).decision
    assert decision.outcome == "edit_refused" and decision.refused
    assert CaseEvent.objects.filter(case=case, type=EventType.DECISION).count() == 1


@scenario("pre_services.service_enquiry")
def _(users):
    case = case_on("service_enquiry")
    decision, _ = run(case, "pre_services.service_enquiry", {"book_now": True}, users["agent"])
    assert decision.outcome == "assist_booking_now"


@scenario("pre_services.unable_to_book")
def _(users):
    case = case_on("unable_to_book")
    inputs = {
        "service_available": True,
        "app_updated": True,
        "professionals_available": True,
        "alternate_service_suggested": True,
    }
    decision, event = run(case, "pre_services.unable_to_book", inputs, users["agent"])
    assert decision.outcome == "escalated_with_screenshot"
    assert task_kinds(case) == ["request_images"]
    assert applied(event)["escalate"] == "applied"
    assert (case.team, case.priority) == ("tech_support", "high")


@scenario("pre_services.ob_form")
def _(users):
    case = case_on("ob_form")
    inputs = {"email_confirmed": True, "email_sent": False, "email_received": False}
    before = timezone.now()
    decision, _ = run(case, "pre_services.ob_form", inputs, users["agent"])
    assert decision.outcome == "ob_form_parked"
    assert case.status == "parked"
    assert before + timedelta(hours=24) <= case.parked_until <= timezone.now() + timedelta(hours=24)


# --- out of scope ----------------------------------------------------------------------------


@scenario("oos.eligibility")
def _(users):
    case = case_on("out_of_scope")
    inputs = {
        "partner_latitude": "28.614200",
        "partner_longitude": "77.209000",
        "images_shared": True,
    }
    decision, event = run(case, "oos.eligibility", inputs, users["partner_support"])
    assert decision.outcome == "oos_ticket_parked"
    assert event.payload["filled_inputs"]["distance_m"] == 33.0
    assert case.status == "parked"
    assert case.disposition.path == "4.2 On job - Partner led Cancellation < Out of scope"


@scenario("oos.partner_visit")
def _(users):
    case = case_on("out_of_scope")
    decision, _ = run(case, "oos.partner_visit", {"agrees_to_visit": True}, users["agent"])
    assert decision.outcome == "partner_to_visit"


@scenario("oos.after_park")
def _(users):
    case = case_on("out_of_scope", created_at=timezone.now() - timedelta(hours=4))
    Case.objects.filter(pk=case.pk).update(
        status="parked", parked_until=timezone.now() + timedelta(minutes=5)
    )
    inputs = {
        "work_out_of_scope": True,
        "partner_continues": False,
        "customer_agrees_to_cancel": True,
    }
    decision, event = run(case, "oos.after_park", inputs, users["partner_support"])
    assert decision.outcome == "customer_cancelled_incorrect_service"
    # The partner is not on the MG plan: nothing to exclude, and nothing left as text.
    assert applied(event)["exclude_from_mg_plan"] == "not_on_mg_plan"


@scenario("oos.paf_review")
def _(users):
    case = case_on("out_of_scope")
    inputs = {"cancellation_marked_against_partner": True, "partner_at_fault": False}
    decision, event = run(case, "oos.paf_review", inputs, users["partner_support"])
    assert decision.outcome == "paf_reversed_at_review"
    task = case.tasks.get(kind="reverse_paf")
    assert task.owner_team == "training" and task.due_at > timezone.now()
    assert applied(event)["exclude_from_mg_plan"] == "not_on_mg_plan"


@scenario("oos.commercial_location")
def _(users):
    case = case_on("out_of_scope")
    inputs = {"commercial_appliance": True, "partner_comfortable": False}
    decision, _ = run(case, "oos.commercial_location", inputs, users["partner_support"])
    assert decision.outcome == "commercial_out_of_scope"


@scenario("oos.rating_reversal")
def _(users):
    case = case_on("rating_reversal", job(status="completed"))
    inputs = {"oos_ticket_verified": True, "closed_at_bpc": True}
    decision, _ = run(case, "oos.rating_reversal", inputs, users["partner_support"])
    assert decision.outcome == "rating_reversal_form"
    assert ReversalRequest.objects.get(booking=case.booking).kind == "rating"


@scenario("oos.start_otp_or_non_payment")
def _(users):
    case = case_on("oos_otp_or_payment", job(status="started"))
    inputs = {"oos_ticket_created": True, "validated": True}
    decision, _ = run(case, "oos.start_otp_or_non_payment", inputs, users["partner_support"])
    assert decision.outcome == "cancelled_after_validation"
    assert Booking.objects.get(pk=case.booking_id).status == "cancelled"


# --- pending customer action -----------------------------------------------------------------


@scenario("follow_up.open_first_visit_ticket")
def _(users):
    booking = job(days_ago=-1)
    case = case_on("follow_up_first_visit", booking)
    before = timezone.now()
    decision, _ = run(
        case, "follow_up.open_first_visit_ticket", {"reason": "customer_not_found"}, users["agent"]
    )
    assert decision.outcome == "followup_ticket_opened"
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_code) == ("cancelled", "no_response")
    assert (case.status, case.priority, case.team) == ("open", "low", "customer_care")
    assert before + timedelta(hours=8) <= case.due_at <= timezone.now() + timedelta(hours=8)


@scenario("follow_up.open_second_appointment_ticket")
def _(users):
    case = case_on("follow_up_second_appointment", job(status="completed"))
    decision, _ = run(
        case,
        "follow_up.open_second_appointment_ticket",
        {"reason": "inspection_results"},
        users["agent"],
    )
    assert decision.outcome == "followup_ticket_opened"
    assert case.status == "open"


@scenario("follow_up.call_attempt")
def _(users):
    case = case_on("follow_up_first_visit", job(status="cancelled"))
    decision, _ = run(
        case, "follow_up.call_attempt", {"outcome": "new_appointment"}, users["agent"]
    )
    assert decision.outcome == "new_visit_resolved"
    assert (case.status, case.priority) == ("resolved", "medium")
    assert case.disposition.path == "Follow up >> Customer care >> New appointment set"
    assert CaseEvent.objects.filter(case=case, type=EventType.CALL_ATTEMPT).count() == 1


@scenario("follow_up.reopen")
def _(users):
    case = case_on("follow_up_first_visit", job(days_ago=30))
    Case.objects.filter(pk=case.pk).update(status="waiting_on_customer")
    decision, event = run(case, "follow_up.reopen", {}, users["agent"])
    assert decision.outcome == "reopen_allowed"
    assert event.payload["filled_inputs"]["ticket_status"] == "waiting on customer"


@scenario("follow_up.completed_wrongly")
def _(users):
    case = case_on("follow_up_second_appointment")
    decision, _ = run(
        case, "follow_up.completed_wrongly", {"missing_services": ["fan", "wiring"]}, users["agent"]
    )
    assert decision.outcome == "complaint_for_eo_and_convert"
    assert decision.input("missing_services") == ("fan", "wiring")


@scenario("follow_up.visit_time_change")
def _(users):
    booking = job(booking_time=timezone.now() + timedelta(minutes=60))
    case = case_on("follow_up_first_visit", booking)
    decision, _ = run(case, "follow_up.visit_time_change", {}, users["agent"])
    assert decision.outcome == "cancel_and_recreate_visit"
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    assert case.status == "resolved"


@scenario("follow_up.deadline_check")
def _(users):
    case = case_on("follow_up_second_appointment")
    due = (timezone.now() - timedelta(hours=2)).isoformat()
    inputs = {"what": "costing", "due_at": due, "done": False}
    decision, event = run(case, "follow_up.deadline_check", inputs, users["agent"])
    assert decision.outcome == "late_escalated"
    assert applied(event)["escalate"] == "applied"
    assert case.priority == "high"


@scenario("painting.quotation")
def _(users):
    case = case_on("follow_up_painting")
    inputs = {
        "material_cost": "1000",
        "total_service_cost": "3000",
        "days": 3,
        "tax_invoice": True,
    }
    decision, event = run(case, "painting.quotation", inputs, users["agent"])
    assert decision.outcome == "painting_quotation"
    recap = case.tasks.get(kind="call_customer").params
    assert recap["material_quote"] == "1419.00" and recap["service_price_per_day"] == "1000.00"
    slot = CalendarSlot.objects.get(partner=case.booking.partner)
    assert (slot.status, slot.ends_at - slot.starts_at) == ("working", timedelta(days=3))
    assert applied(event)["block_partner_slots"] == "applied"


# --- the clocks' flows (run by the system, never by hand) ---------------------------------------


def run_clock(case, flow):
    outcome = clocks.run_system_flow(case.pk, flow, now=timezone.now())
    case.refresh_from_db()
    return outcome, last_decision(case)


@scenario("follow_up.close_due")
def _(users):
    case = case_on("follow_up_first_visit", status="open")
    outcome, event = run_clock(case, "follow_up.close_due")
    assert outcome == "not_closed_waiting_on_customer" and event.actor is None
    assert (case.status, case.priority) == ("waiting_on_customer", "medium")
    outcome, event = run_clock(case, "follow_up.close_due")
    assert outcome == "closed_waiting_on_customer"
    assert case.status == "resolved"
    assert case.disposition.path == "Follow up >> Customer care >> No answer twice"


@scenario("l1.spd_breached")
def _(users):
    booking = job(days_ago=-3, spd=timezone.localdate() - timedelta(days=1))
    case = case_on("status_check", booking, status="open")
    outcome, event = run_clock(case, "l1.spd_breached")
    assert outcome == "spd_breached"
    assert case.disposition.path.startswith("Inbound >> Complaint >> Delay in Service >> Out of")
    assert case.priority == "high" and case.status == "open"


@scenario("l1.refund_past_tat")
def _(users):
    case = case_on("complaint", status="open")
    due = timezone.localdate() - timedelta(days=1)
    outcome = clocks.run_system_flow(
        case.pk, "l1.refund_past_tat", now=timezone.now(), inputs={"tat_due_on": due}
    )
    case.refresh_from_db()
    assert outcome == "refund_past_tat"
    assert case.disposition.path == "Inbound >> Complaint >> Delay in refund >> Unresolved"
    assert (case.team, case.priority) == ("finance", "high")


def test_a_clock_flow_is_not_run_by_hand(agent):
    case = case_on("follow_up_first_visit", status="open")
    with pytest.raises(InvalidInput):
        runner.decide_case(case_id=case.pk, flow="follow_up.close_due", inputs={}, actor=agent)
    assert "follow_up.close_due" not in [f.name for f, _ in flow_selectors.flows_offered(case)]


# --- the table covers the registry -------------------------------------------------------------


def test_every_flow_has_an_apply_scenario():
    assert sorted(SCENARIOS) == sorted(FLOWS)


@pytest.fixture
def users(agent, partner_support, supervisor):
    return {"agent": agent, "partner_support": partner_support, "supervisor": supervisor}


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_flow_applies(name, users):
    SCENARIOS[name](users)


def test_a_case_without_a_booking_is_asked_what_the_booking_would_say(agent):
    case = CaseFactory(kind="revisit_partner_fault", booking=None, customer=None, partner=None)
    asked = [spec.name for spec in FLOWS["revisit.scenario_4"].asked(FlowContext(case))]
    assert asked == ["partner_failure", "original_invoice_amount"]
