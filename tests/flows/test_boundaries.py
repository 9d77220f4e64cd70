"""The SOP numbers at their boundaries, through the flow service and the entry points:
money (penalty, goodwill, capped refund), the OOS radius, the warranty, SME revisits."""

import math
from decimal import Decimal

import pytest

from cases.models import Booking, Case, CaseEvent
from core.errors import InvalidInput, PolicyRefusal, TransitionConflict
from flows import intake, runner
from payouts.models import PartnerAtFault, Penalty, Refund
from policies.sop.oos import EARTH_RADIUS_M
from tests.factories import CustomerFactory, PartnerFactory, city
from tests.helpers import case_on, job, revisit_of

pytestmark = pytest.mark.django_db


def snapshot():
    """Counts of everything a flow could write."""
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        Booking.objects.count(),
        PartnerAtFault.objects.count(),
        Penalty.objects.count(),
        Refund.objects.count(),
    )


# --- revisit scenario 4: PAF + 60% of the original invoice -------------------------------------


@pytest.mark.parametrize(
    "invoice, penalty",
    [
        (Decimal("1000.00"), Decimal("600.00")),
        (Decimal("999.99"), Decimal("599.99")),  # 599.994 rounds down
        (Decimal("0.25"), Decimal("0.15")),
        (Decimal("1.25"), Decimal("0.75")),
    ],
)
def test_scenario_4_penalty_is_60_percent_of_the_original_invoice(agent, invoice, penalty):
    original = job(status="completed", invoice_amount=invoice)
    revisit = revisit_of(original)
    case = case_on("revisit_partner_fault", revisit)
    runner.decide_case(
        case_id=case.pk,
        flow="revisit.scenario_4",
        inputs={"partner_failure": "no_show"},
        actor=agent,
    )
    paf = PartnerAtFault.objects.get()
    assert (paf.booking_id, paf.partner_id, paf.case_id) == (
        revisit.pk,
        revisit.partner_id,
        case.pk,
    )
    assert Penalty.objects.get(paf=paf).amount == penalty


# --- goodwill: 100 below 500, 150 from 500 -----------------------------------------------------


@pytest.mark.parametrize(
    "cart_value, goodwill",
    [
        (Decimal("499.99"), Decimal("100.00")),
        (Decimal("500.00"), Decimal("150.00")),
        (Decimal("501.00"), Decimal("150.00")),
    ],
)
def test_goodwill_refund_by_cart_value(agent, cart_value, goodwill):
    booking = job(status="cancelled", cart_value=cart_value)
    Booking.objects.filter(pk=booking.pk).update(cancellation_code="no_response")
    case = case_on("pre_service_cancellation", booking)
    decision = runner.decide_case(
        case_id=case.pk,
        flow="pre_services.goodwill_refund",
        inputs={"refund_requested": True},
        actor=agent,
    ).decision
    refund = Refund.objects.get(booking=booking)
    assert (refund.amount, refund.reason, refund.case_id) == (
        goodwill,
        "goodwill_no_response",
        case.pk,
    )
    assert not refund.deduct_from_partner
    assert decision.input("cart_value") == cart_value


def money_snapshot():
    """Counts of the records that move money or mark a partner."""
    return (
        Booking.objects.count(),
        PartnerAtFault.objects.count(),
        Penalty.objects.count(),
        Refund.objects.count(),
    )


def test_no_goodwill_for_other_cancellations_refunds_nothing(agent):
    booking = job(status="cancelled")  # customer_voc
    case = case_on("pre_service_cancellation", booking)
    before = money_snapshot()
    decision = runner.decide_case(
        case_id=case.pk,
        flow="pre_services.goodwill_refund",
        inputs={"refund_requested": True},
        actor=agent,
    ).decision
    assert decision.outcome == "no_goodwill" and decision.refused
    assert money_snapshot() == before
    assert CaseEvent.objects.filter(case=case, type="decision").count() == 1


# --- wrong job started: refund and deduct, capped at 3000, gated by the fraud score ----------


def _wrong_job(fraud_score: str):
    customer = CustomerFactory(fraud_score=Decimal(fraud_score))
    # The customer paid 4,500 on the booking: the refund may not exceed it.
    booking = job(payment_mode="cash", customer=customer, invoice_amount=Decimal("4500.00"))
    return case_on("wrong_job_started", booking)


UNREACHABLE = {"amount_paid": "4500", "partner_responding": False, "unanswered_attempts": 2}


def test_wrong_job_refund_is_capped_and_deducted_from_the_partner(agent):
    case = _wrong_job("0.100")
    decision = runner.decide_case(
        case_id=case.pk, flow="pre_services.wrong_job_started", inputs=UNREACHABLE, actor=agent
    ).decision
    assert decision.outcome == "capped_refund"
    refund = Refund.objects.get(booking=case.booking)
    assert refund.amount == Decimal("3000.00")
    assert refund.deduct_from_partner and refund.partner_id == case.booking.partner_id
    assert refund.reason == "wrong_job"


def test_wrong_job_below_the_cap_refunds_what_was_paid(agent):
    case = _wrong_job("0.100")
    inputs = {**UNREACHABLE, "amount_paid": "2999.50"}
    runner.decide_case(
        case_id=case.pk, flow="pre_services.wrong_job_started", inputs=inputs, actor=agent
    )
    assert Refund.objects.get(booking=case.booking).amount == Decimal("2999.50")


def test_wrong_job_refund_blocked_by_the_fraud_score_refunds_nothing(agent):
    case = _wrong_job("0.900")
    before = money_snapshot()
    decision = runner.decide_case(
        case_id=case.pk,
        flow="pre_services.wrong_job_started",
        inputs=UNREACHABLE,
        actor=agent,
    ).decision
    assert decision.outcome == "refund_blocked_by_fraud_score" and decision.refused
    assert money_snapshot() == before
    event = CaseEvent.objects.get(case=case, type="decision")
    assert "fraud score" in event.reason


# --- OOS: within 500 m (inclusive), images, RWM ------------------------------------------------

BOOKING_LAT = Decimal("28.613900")
LNG = Decimal("77.209000")


def north_of_booking(metres: int) -> Decimal:
    """A latitude `metres` north of the booking, to the 6 decimals the apps send."""
    degrees = Decimal(repr(math.degrees(metres / EARTH_RADIUS_M)))
    return (BOOKING_LAT + degrees).quantize(Decimal("0.000001"))


def oos_job(**partner_kwargs):
    partner = PartnerFactory(**partner_kwargs)
    return job(status="started", partner=partner, latitude=BOOKING_LAT, longitude=LNG)


@pytest.mark.parametrize(
    "metres, parked", [(499, True), (500, True), (501, False)], ids=["499m", "500m", "501m"]
)
def test_oos_ticket_only_within_500_m(partner_support, metres, parked):
    booking = oos_job()
    before = snapshot()
    if parked:
        result = intake.raise_oos_ticket(
            booking_id=booking.pk,
            partner_actor_or_partner=partner_support,
            latitude=north_of_booking(metres),
            longitude=LNG,
            images=["img-1.jpg"],
            note="Needs a commercial chiller technician",
        )
        case = result.case
        assert result.created and case.kind == "out_of_scope" and case.status == "parked"
        assert case.disposition.path == "4.2 On job - Partner led Cancellation < Out of scope"
        event = case.events.filter(type="decision").get()
        assert event.payload["filled_inputs"] == {"distance_m": float(metres)}
        assert event.payload["given_inputs"]["images"] == ["img-1.jpg"]
    else:
        with pytest.raises(PolicyRefusal) as refused:
            intake.raise_oos_ticket(
                booking_id=booking.pk,
                partner_actor_or_partner=partner_support,
                latitude=north_of_booking(metres),
                longitude=LNG,
                images=["img-1.jpg"],
                note="",
            )
        assert refused.value.code == "oos_refused_too_far"
        assert snapshot() == before


@pytest.mark.parametrize("metres, outcome", [(500, "oos_ticket_parked"), (501, None)])
def test_oos_flow_measures_from_the_partners_reported_location(partner_support, metres, outcome):
    case = case_on("out_of_scope", oos_job())
    inputs = {
        "partner_latitude": str(north_of_booking(metres)),
        "partner_longitude": str(LNG),
        "images_shared": True,
    }
    if outcome:
        decision = runner.decide_case(
            case_id=case.pk, flow="oos.eligibility", inputs=inputs, actor=partner_support
        ).decision
        assert decision.outcome == outcome and decision.input("distance_m") == 500.0
    else:
        with pytest.raises(PolicyRefusal):
            runner.decide_case(
                case_id=case.pk, flow="oos.eligibility", inputs=inputs, actor=partner_support
            )


def test_oos_ticket_needs_images(partner_support):
    booking = oos_job()
    before = snapshot()
    with pytest.raises(PolicyRefusal) as refused:
        intake.raise_oos_ticket(
            booking_id=booking.pk,
            partner_actor_or_partner=partner_support,
            latitude=BOOKING_LAT,
            longitude=LNG,
            images=["  "],
            note="",
        )
    assert refused.value.code == "oos_images_required"
    assert snapshot() == before


def test_rwm_partner_in_delhi_is_refused_and_nothing_is_written(partner_support):
    booking = oos_job(programmes=["rwm"])
    before = snapshot()
    with pytest.raises(PolicyRefusal) as refused:
        intake.raise_oos_ticket(
            booking_id=booking.pk,
            partner_actor_or_partner=partner_support,
            latitude=BOOKING_LAT,
            longitude=LNG,
            images=["img.jpg"],
            note="",
        )
    assert refused.value.code == "oos_refused_rwm_partner"
    assert "close the job at BPC" in refused.value.message
    assert snapshot() == before


def test_rwm_partner_outside_the_rwm_cities_may_raise(partner_support):
    jaipur = CustomerFactory(city=city("Jaipur"))
    partner = PartnerFactory(programmes=["rwm"], city=city("Jaipur"))
    booking = job(status="started", customer=jaipur, partner=partner, latitude=BOOKING_LAT)
    result = intake.raise_oos_ticket(
        booking_id=booking.pk,
        partner_actor_or_partner=partner_support,
        latitude=BOOKING_LAT,
        longitude=LNG,
        images=["img.jpg"],
        note="",
    )
    assert result.created and result.case.status == "parked"


# --- revisits: inside the 30-day warranty (day 30 in, day 31 out), SME from the second -------


@pytest.mark.parametrize(
    "days, allowed", [(29, True), (30, True), (31, False)], ids=["day29", "day30", "day31"]
)
def test_revisit_only_inside_the_warranty(agent, days, allowed):
    original = job(days_ago=days, status="completed")
    before = snapshot()
    if allowed:
        result = intake.create_revisit(booking_id=original.pk, actor=agent, issue_note="AC leaks")
        assert result.decision.outcome == "revisit_allowed"
        assert result.booking.revisit_of_id == original.pk and not result.booking.is_sme_revisit
        assert result.booking.invoice_amount == Decimal("0.00")
        assert result.case.booking_id == result.booking.pk
        assert result.case.description == "AC leaks"
        assert result.case.disposition.path == "1.3 Money-revisit issue : revisit work related info"
        event = result.case.events.get(type="decision")
        assert event.payload["records"] == {"revisit_booking_id": result.booking.pk}
        assert f"{days} days ago" in event.reason
    else:
        with pytest.raises(PolicyRefusal) as refused:
            intake.create_revisit(booking_id=original.pk, actor=agent)
        assert refused.value.code == "revisit_refused_outside_warranty"
        assert "31 days ago, outside the 30-day warranty" in refused.value.message
        assert snapshot() == before


def test_second_revisit_on_the_same_job_is_an_sme_revisit(agent):
    original = job(days_ago=5, status="completed")
    first = intake.create_revisit(booking_id=original.pk, actor=agent)
    second = intake.create_revisit(booking_id=original.pk, actor=agent)
    assert not first.booking.is_sme_revisit
    assert second.decision.outcome == "sme_revisit_allowed"
    assert second.booking.is_sme_revisit and second.booking.partner_id is None
    assert second.booking.external_id == f"{original.external_id}-R2"
    # A third one, asked on the revisit itself, is not made: a supervisor's case with the
    # history of both revisits, escalated and notified.
    third = intake.create_revisit(booking_id=second.booking.pk, actor=agent)
    assert third.booking is None
    assert third.decision.outcome == "revisit_beyond_sme_escalated"
    assert Booking.objects.filter(revisit_of=original).count() == 2
    escalation = third.case
    assert (escalation.kind, escalation.team, escalation.booking_id) == (
        "revisit_escalation",
        "escalations",
        original.pk,
    )
    assert first.booking.external_id in escalation.description
    assert second.booking.external_id in escalation.description


def test_a_revisit_cancelled_as_placed_by_mistake_does_not_count(agent):
    original = job(days_ago=5, status="completed")
    mistake = revisit_of(original)
    Booking.objects.filter(pk=mistake.pk).update(
        status="cancelled", cancellation_code="placed_revisit_by_mistake"
    )
    result = intake.create_revisit(booking_id=original.pk, actor=agent)
    assert not result.booking.is_sme_revisit


def test_only_completed_jobs_are_revisited(agent):
    booking = job(days_ago=2)
    with pytest.raises(TransitionConflict):
        intake.create_revisit(booking_id=booking.pk, actor=agent)


def test_revisit_requested_before_the_service_is_an_input_error(agent):
    original = job(days_ago=2, status="completed")
    with pytest.raises(InvalidInput) as bad:
        intake.create_revisit(
            booking_id=original.pk,
            actor=agent,
            requested_on=original.service_date.replace(year=2020),
        )
    assert "requested_on" in bad.value.fields
