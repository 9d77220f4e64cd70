"""Out-of-scope cancellations SOP: distance, RWM, images, commercial places, the steps."""

import math
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from policies.parameters import DEFAULT_POLICY, Policy, PolicyParameters
from policies.sop import oos

P = DEFAULT_POLICY
TAG = "4.2 On job - Partner led Cancellation < Out of scope"
DELHI = (28.6139, 77.2090)
METRES_PER_DEGREE = oos.EARTH_RADIUS_M * math.pi / 180


def policy_with(**changes) -> Policy:
    return Policy(version="test-modified", params=replace(PolicyParameters(), **changes))


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / METRES_PER_DEGREE, point[1]


@pytest.mark.parametrize(
    "a, b, metres",
    [
        ((0.0, 0.0), (0.0, 0.0), 0.0),
        ((0.0, 0.0), (0.0, 1.0), METRES_PER_DEGREE),
        ((0.0, 0.0), (1.0, 0.0), METRES_PER_DEGREE),
        ((0.0, 0.0), (0.0, 180.0), math.pi * oos.EARTH_RADIUS_M),
        (DELHI, north_of(DELHI, 500), 500.0),
    ],
)
def test_haversine(a, b, metres):
    assert oos.haversine_m(*a, *b) == pytest.approx(metres, abs=1e-6)


def test_haversine_known_city_pair():
    # Delhi to Mumbai is about 1,150 km as the crow flies.
    mumbai = (19.0760, 72.8777)
    assert oos.haversine_m(*DELHI, *mumbai) == pytest.approx(1_153_000, rel=0.01)


def test_haversine_rejects_bad_latitudes():
    with pytest.raises(ValueError):
        oos.haversine_m(91, 0, 0, 0)


@pytest.mark.parametrize(
    "rwm, city, distance, images, outcome, refused, kinds",
    [
        (True, "Delhi", 10, True, "oos_refused_rwm_partner", True, ("close_at_bpc",)),
        (True, "mumbai ", 10, True, "oos_refused_rwm_partner", True, ("close_at_bpc",)),
        (True, "Pune", 10, True, "oos_ticket_parked", False,
         ("call_partner", "park", "schedule_followup")),
        (False, "Delhi", 0, True, "oos_ticket_parked", False,
         ("call_partner", "park", "schedule_followup")),
        (False, "Delhi", 499, True, "oos_ticket_parked", False,
         ("call_partner", "park", "schedule_followup")),
        (False, "Delhi", 500, True, "oos_ticket_parked", False,
         ("call_partner", "park", "schedule_followup")),
        (False, "Delhi", 500.4, True, "oos_refused_too_far", True, ("call_partner",)),
        (False, "Delhi", 501, True, "oos_refused_too_far", True, ("call_partner",)),
        (False, "Delhi", 501, False, "oos_refused_too_far", True, ("call_partner",)),
        (False, "Delhi", 120, False, "oos_images_required", False, ("request_images",)),
    ],
)  # fmt: skip
def test_oos_eligibility(rwm, city, distance, images, outcome, refused, kinds):
    decision = oos.decide_oos_eligibility(
        partner_is_rwm=rwm, city=city, distance_m=distance, images_shared=images, policy=P
    )
    assert decision.outcome == outcome
    assert decision.refused is refused
    assert decision.action_kinds == kinds
    if outcome == "oos_ticket_parked":
        assert decision.action("park").param("hours") == 3
        assert decision.tag == TAG


@pytest.mark.parametrize("metres, eligible", [(400, True), (600, False)])
def test_eligibility_from_coordinates(metres, eligible):
    partner = north_of(DELHI, metres)
    decision = oos.decide_oos_eligibility(
        partner_is_rwm=False,
        city="Delhi",
        distance_m=oos.haversine_m(*partner, *DELHI),
        images_shared=True,
        policy=P,
    )
    assert (decision.outcome == "oos_ticket_parked") is eligible


def test_radius_park_hours_and_rwm_cities_are_parameters():
    policy = policy_with(oos_radius_m=1000, oos_park_hours=2, rwm_cities=("Pune",))
    decision = oos.decide_oos_eligibility(
        partner_is_rwm=True, city="Delhi", distance_m=900, images_shared=True, policy=policy
    )
    assert decision.outcome == "oos_ticket_parked"
    assert decision.action("park").param("hours") == 2
    assert "1000 m" in decision.reason
    refused = oos.decide_oos_eligibility(
        partner_is_rwm=True, city="Pune", distance_m=10, images_shared=True, policy=policy
    )
    assert refused.outcome == "oos_refused_rwm_partner"


def test_negative_distance_is_an_input_error():
    with pytest.raises(ValueError):
        oos.decide_oos_eligibility(
            partner_is_rwm=False, city="Delhi", distance_m=-1, images_shared=True, policy=P
        )


@pytest.mark.parametrize(
    "agrees, outcome, refused, kinds",
    [
        (True, "partner_to_visit", False, ("call_partner", "request_images")),
        (False, "cant_deliver_against_partner", True,
         ("call_partner", "ask_partner_to_cancel", "mark_paf")),
    ],
)  # fmt: skip
def test_partner_not_at_location(agrees, outcome, refused, kinds):
    decision = oos.decide_partner_visit(agrees_to_visit=agrees, policy=P)
    assert (decision.outcome, decision.refused, decision.action_kinds) == (outcome, refused, kinds)
    if not agrees:
        assert decision.action("ask_partner_to_cancel").param("code") == "Can't Deliver"


CREATED = datetime(2026, 6, 1, 11, 0)


@pytest.mark.parametrize(
    "elapsed, oos_work, continues, customer_agrees, outcome, cancel_code",
    [
        (timedelta(hours=2, minutes=59), True, False, None, "still_parked", None),
        (timedelta(hours=3), True, False, None, "ask_customer_to_cancel",
         "Incorrect service booked"),
        (timedelta(hours=4), True, False, True, "customer_cancelled_incorrect_service", None),
        (timedelta(hours=4), True, False, False, "partner_cancels_pro_cannot_deliver",
         "Pro Cannot Deliver"),
        (timedelta(hours=3), False, True, None, "partner_continues_service", None),
        (timedelta(hours=3), False, False, None, "cant_deliver_against_partner", "Can't Deliver"),
    ],
)  # fmt: skip
def test_after_park(elapsed, oos_work, continues, customer_agrees, outcome, cancel_code):
    decision = oos.decide_after_park(
        ticket_created_at=CREATED,
        now=CREATED + elapsed,
        work_out_of_scope=oos_work,
        partner_continues=continues,
        customer_agrees_to_cancel=customer_agrees,
        policy=P,
    )
    assert decision.outcome == outcome
    cancel = decision.action("ask_customer_to_cancel") or decision.action("ask_partner_to_cancel")
    assert (cancel.param("code") if cancel else None) == cancel_code
    if outcome in ("customer_cancelled_incorrect_service", "partner_cancels_pro_cannot_deliver"):
        assert decision.has_action("exclude_from_mg_plan")
        assert decision.tag == TAG
    if outcome == "cant_deliver_against_partner":
        assert decision.has_action("mark_paf") and decision.refused


def test_park_length_is_a_parameter():
    decision = oos.decide_after_park(
        ticket_created_at=CREATED,
        now=CREATED + timedelta(hours=3),
        work_out_of_scope=True,
        partner_continues=False,
        policy=policy_with(oos_park_hours=4),
    )
    assert decision.outcome == "still_parked"


@pytest.mark.parametrize(
    "marked, at_fault, outcome, kinds, refused",
    [
        (False, False, "no_cancellation_against_partner", ("no_paf",), False),
        (True, True, "paf_stands", ("refuse_reversal",), True),
        (True, False, "paf_reversed_at_review", ("reverse_paf", "exclude_from_mg_plan"), False),
    ],
)
def test_step_5_paf_review(marked, at_fault, outcome, kinds, refused):
    decision = oos.decide_oos_paf_review(
        cancellation_marked_against_partner=marked, partner_at_fault=at_fault, policy=P
    )
    assert (decision.outcome, decision.action_kinds, decision.refused) == (outcome, kinds, refused)
    if outcome == "paf_reversed_at_review":
        assert decision.action("reverse_paf").param("when") == "training_or_review_date"


@pytest.mark.parametrize(
    "city, ro, commercial_appliance, comfortable, customer_agrees, outcome, refused",
    [
        ("Delhi", False, True, True, None, "commercial_out_of_scope", False),
        ("Indore", False, True, True, None, "commercial_out_of_scope", False),
        ("Chennai", True, False, True, None, "commercial_out_of_scope", False),
        ("Kolkata", False, False, False, None, "commercial_in_scope", True),
        ("bangalore", False, False, False, None, "commercial_in_scope", True),
        ("Indore", False, False, True, None, "commercial_partner_provides", True),
        ("Indore", True, False, True, None, "commercial_partner_provides", True),
        ("Indore", False, False, False, None, "ask_customer_to_cancel", False),
        ("Indore", False, False, False, True, "customer_cancelled_commercial", False),
        ("Indore", False, False, False, False, "commercial_partner_asked_to_provide", True),
    ],
)
def test_commercial_location(
    city, ro, commercial_appliance, comfortable, customer_agrees, outcome, refused
):
    decision = oos.decide_commercial_location(
        city=city,
        appliance_is_ro=ro,
        commercial_appliance=commercial_appliance,
        partner_comfortable=comfortable,
        customer_agrees_to_cancel=customer_agrees,
        policy=P,
    )
    assert (decision.outcome, decision.refused) == (outcome, refused)


def test_metro_cities_are_a_parameter():
    policy = policy_with(metro_cities=("Indore",))
    decision = oos.decide_commercial_location(
        city="Indore",
        appliance_is_ro=False,
        commercial_appliance=False,
        partner_comfortable=False,
        policy=policy,
    )
    assert decision.outcome == "commercial_in_scope"
    assert oos.is_metro_city("Delhi", policy) is False


@pytest.mark.parametrize(
    "verified, bpc, outcome, refused",
    [
        (True, True, "rating_reversal_form", False),
        (False, True, "rating_reversal_refused", True),
        (True, False, "rating_reversal_refused", True),
    ],
)
def test_scenario_1_rating_reversal(verified, bpc, outcome, refused):
    decision = oos.decide_rating_reversal(oos_ticket_verified=verified, closed_at_bpc=bpc, policy=P)
    assert (decision.outcome, decision.refused) == (outcome, refused)
    assert decision.has_action("rating_reversal_form") is not refused


@pytest.mark.parametrize(
    "created, validated, outcome, kinds",
    [
        (False, None, "ask_partner_to_raise_oos_ticket", ("call_partner",)),
        (True, None, "awaiting_validation", ("park",)),
        (True, True, "cancelled_after_validation",
         ("cancel_booking", "no_paf", "exclude_from_mg_plan")),
        (True, False, "validation_failed", ("call_partner",)),
    ],
)  # fmt: skip
def test_scenario_2_start_otp_or_not_paying(created, validated, outcome, kinds):
    decision = oos.decide_start_otp_or_non_payment(
        oos_ticket_created=created, validated=validated, policy=P
    )
    assert (decision.outcome, decision.action_kinds) == (outcome, kinds)
