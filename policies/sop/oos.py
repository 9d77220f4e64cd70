"""Out-of-scope / visited cancellations SOP (out-of-scope-cancellations.txt), appliances."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from ..actions import ActionKind
from ..decision import Action, Decision, make_decision
from ..parameters import Policy

SOP = "OOS SOP"

# The SOP's tag, exactly as written; it also says "Partner led cancellation >> Out Of Scope"
# for the same thing in the older notation.
TAG_OOS = "4.2 On job - Partner led Cancellation < Out of scope"

# Cancellation codes the SOP names.
CODE_INCORRECT_SERVICE = "Incorrect service booked"  # the customer cancels
CODE_PRO_CANNOT_DELIVER = "Pro Cannot Deliver"  # the partner cancels after validation
CODE_CANT_DELIVER = "Can't Deliver"  # the partner refuses to visit / to do the work
# Scenario 2 only says the job "will be canceled post validation"; this machine code marks it.
CODE_VALIDATED_OOS = "validated_oos"

# Where the partner uploads proof, as the SOP describes the app.
IMAGE_UPLOAD_PATH = "Help > Profile > App Issue > Upload Media > Select Image > Submit"
OOS_TICKET_PATH = "Help >> Need Help with Job >> This Job is out of scope"

# Mean Earth radius (IUGG), metres: a geodesy constant, not an SOP number.
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS84 points given in degrees."""
    for value, name in ((lat1, "lat1"), (lat2, "lat2")):
        if not -90 <= value <= 90:
            raise ValueError(f"{name} must be a latitude in degrees, got {value}")
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    # min() guards asin against 1.0000000002 from rounding on antipodal points.
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _in(city: str, cities: tuple[str, ...]) -> bool:
    # Case and surrounding spaces differ between the booking platform and the SOP.
    wanted = city.strip().casefold()
    return any(wanted == name.casefold() for name in cities)


def is_metro_city(city: str, policy: Policy) -> bool:
    """One of the eight metro cities whose commercial-location rules differ."""
    return _in(city, policy.params.metro_cities)


def is_rwm_city(city: str, policy: Policy) -> bool:
    """A city of the RWM programme (Delhi, Mumbai)."""
    return _in(city, policy.params.rwm_cities)


def within_oos_radius(*, distance_m: float, policy: Policy) -> bool:
    """At the customer's location or within the radius, the boundary included."""
    if math.isnan(distance_m) or distance_m < 0:
        raise ValueError(f"distance_m must be a non-negative number, got {distance_m}")
    return distance_m <= policy.params.oos_radius_m


def decide_oos_eligibility(
    *,
    partner_is_rwm: bool,
    city: str,
    distance_m: float,
    images_shared: bool,
    policy: Policy,
) -> Decision:
    """A partner wants to cancel a job as out of scope: RWM partners in RWM cities may not,
    the partner must be within the radius, and images are required; then the ticket is
    parked while the team validates it."""
    params = policy.params
    inputs = {
        "partner_is_rwm": partner_is_rwm,
        "city": city,
        "distance_m": distance_m,
        "images_shared": images_shared,
    }
    if partner_is_rwm and is_rwm_city(city, policy):
        return make_decision(
            policy,
            sop=SOP,
            outcome="oos_refused_rwm_partner",
            reason=(
                f"RWM partner in {city} (RWM cities: {', '.join(params.rwm_cities)}): no "
                "cancellations through the out-of-scope flow; close the job at BPC"
            ),
            actions=[Action.of(ActionKind.CLOSE_AT_BPC)],
            refused=True,
            inputs=inputs,
        )
    if not within_oos_radius(distance_m=distance_m, policy=policy):
        return make_decision(
            policy,
            sop=SOP,
            outcome="oos_refused_too_far",
            reason=(
                f"the partner is {distance_m:.0f} m from the customer, beyond the "
                f"{params.oos_radius_m} m radius; he must be at the customer's location"
            ),
            actions=[Action.of(ActionKind.CALL_PARTNER, purpose="reach_customer_location")],
            refused=True,
            inputs=inputs,
        )
    if not images_shared:
        return make_decision(
            policy,
            sop=SOP,
            outcome="oos_images_required",
            reason="proof check: the partner must share images of the work he cannot deliver",
            actions=[
                Action.of(
                    ActionKind.REQUEST_IMAGES, from_party="partner", upload_path=IMAGE_UPLOAD_PATH
                )
            ],
            inputs=inputs,
        )
    hours = params.oos_park_hours
    return make_decision(
        policy,
        sop=SOP,
        outcome="oos_ticket_parked",
        reason=(
            f"the partner is {distance_m:.0f} m from the customer (within {params.oos_radius_m} "
            f"m) with images; tell him the team will connect and park the ticket {hours} hours"
        ),
        actions=[
            Action.of(ActionKind.CALL_PARTNER, purpose="team_will_connect"),
            Action.of(ActionKind.PARK, hours=hours),
            Action.of(
                ActionKind.SCHEDULE_FOLLOWUP, at_hours=hours, purpose="call_partner_confirm_outcome"
            ),
        ],
        tag=TAG_OOS,
        inputs=inputs,
    )


def decide_partner_visit(*, agrees_to_visit: bool, policy: Policy) -> Decision:
    """A partner who is not at the location (or asks to pre-cancel): visit, or the
    cancellation is his ("Can't Deliver"), counted against his profile metrics."""
    radius = policy.params.oos_radius_m
    inputs = {"agrees_to_visit": agrees_to_visit}
    if agrees_to_visit:
        return make_decision(
            policy,
            sop=SOP,
            outcome="partner_to_visit",
            reason=(
                f"the partner agrees to visit; within {radius} m of the customer he can raise "
                "the out-of-scope ticket and share images"
            ),
            actions=[
                Action.of(
                    ActionKind.CALL_PARTNER,
                    purpose="visit_and_raise_oos_ticket",
                    path=OOS_TICKET_PATH,
                ),
                Action.of(
                    ActionKind.REQUEST_IMAGES, from_party="partner", upload_path=IMAGE_UPLOAD_PATH
                ),
            ],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="cant_deliver_against_partner",
        reason=(
            f"the partner refuses to visit: he updates the job as '{CODE_CANT_DELIVER}' and the "
            "cancellation is marked against him (profile metrics)"
        ),
        actions=[
            Action.of(ActionKind.CALL_PARTNER, purpose="warn_cancellation_against_partner"),
            Action.of(ActionKind.ASK_PARTNER_TO_CANCEL, code=CODE_CANT_DELIVER),
            Action.of(ActionKind.MARK_PAF, reason="refused_to_visit"),
        ],
        refused=True,
        inputs=inputs,
    )


def decide_after_park(
    *,
    ticket_created_at: datetime,
    now: datetime,
    work_out_of_scope: bool,
    partner_continues: bool,
    policy: Policy,
    customer_agrees_to_cancel: bool | None = None,
) -> Decision:
    """After the park: call the partner. Doable work continues (or is his "Can't Deliver");
    validated out-of-scope work is cancelled by the customer, else by the partner."""
    hours = policy.params.oos_park_hours
    unpark_at = ticket_created_at + timedelta(hours=hours)
    inputs = {
        "ticket_created_at": ticket_created_at,
        "now": now,
        "work_out_of_scope": work_out_of_scope,
        "partner_continues": partner_continues,
        "customer_agrees_to_cancel": customer_agrees_to_cancel,
    }

    def decide(
        outcome: str,
        reason: str,
        actions: list[Action],
        *,
        tag: str | None = None,
        refused: bool = False,
    ) -> Decision:
        return make_decision(
            policy,
            sop=SOP,
            outcome=outcome,
            reason=reason,
            actions=actions,
            tag=tag,
            refused=refused,
            inputs=inputs,
        )

    if now < unpark_at:
        return decide(
            "still_parked",
            f"the ticket is parked for {hours} hours, until {unpark_at.isoformat()}",
            [],
        )
    unpark = Action.of(ActionKind.UNPARK)
    if not work_out_of_scope:
        if partner_continues:
            return decide(
                "partner_continues_service",
                "the work is not out of scope and the partner agrees to continue the service",
                [unpark, Action.of(ActionKind.CALL_PARTNER, purpose="continue_service")],
            )
        return decide(
            "cant_deliver_against_partner",
            f"the work is not out of scope and the partner denies it: he cancels under "
            f"'{CODE_CANT_DELIVER}', marked against him",
            [
                unpark,
                Action.of(ActionKind.ASK_PARTNER_TO_CANCEL, code=CODE_CANT_DELIVER),
                Action.of(ActionKind.MARK_PAF, reason="denied_in_scope_work"),
            ],
            refused=True,
        )
    if customer_agrees_to_cancel is None:
        return decide(
            "ask_customer_to_cancel",
            f"the work cannot be done: ask the customer to cancel under '{CODE_INCORRECT_SERVICE}'",
            [
                unpark,
                Action.of(ActionKind.CALL_PARTNER, purpose="confirm_issue"),
                Action.of(ActionKind.ASK_CUSTOMER_TO_CANCEL, code=CODE_INCORRECT_SERVICE),
            ],
            tag=TAG_OOS,
        )
    if customer_agrees_to_cancel:
        return decide(
            "customer_cancelled_incorrect_service",
            f"the customer cancels under '{CODE_INCORRECT_SERVICE}': no PAF, and the booking "
            "does not count in the partner's MG plan",
            [Action.of(ActionKind.NO_PAF), Action.of(ActionKind.EXCLUDE_FROM_MG_PLAN)],
            tag=TAG_OOS,
        )
    return decide(
        "partner_cancels_pro_cannot_deliver",
        f"the customer refuses to cancel: the partner cancels under '{CODE_PRO_CANNOT_DELIVER}' "
        "(Help > Pro Cannot Deliver > Watch the video > Cancel Job); the booking does not count "
        "in his MG plan and any PAF is reviewed at the training or review date",
        [
            Action.of(ActionKind.ASK_PARTNER_TO_CANCEL, code=CODE_PRO_CANNOT_DELIVER),
            Action.of(ActionKind.EXCLUDE_FROM_MG_PLAN),
        ],
        tag=TAG_OOS,
    )


def decide_oos_paf_review(
    *, cancellation_marked_against_partner: bool, partner_at_fault: bool, policy: Policy
) -> Decision:
    """Step 5: a cancellation marked against the partner follows the Genuine PAF SOP; a
    partner not at fault has it reversed at the training or review date."""
    inputs = {
        "cancellation_marked_against_partner": cancellation_marked_against_partner,
        "partner_at_fault": partner_at_fault,
    }
    if not cancellation_marked_against_partner:
        return make_decision(
            policy,
            sop=SOP,
            outcome="no_cancellation_against_partner",
            reason="step 5: no cancellation is marked against the partner",
            actions=[Action.of(ActionKind.NO_PAF)],
            tag=TAG_OOS,
            inputs=inputs,
        )
    if partner_at_fault:
        return make_decision(
            policy,
            sop=SOP,
            outcome="paf_stands",
            reason="step 5: the partner is at fault; the cancellation stands (Genuine PAF SOP)",
            actions=[Action.of(ActionKind.REFUSE_REVERSAL, reason="genuine PAF")],
            tag=TAG_OOS,
            refused=True,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="paf_reversed_at_review",
        reason=(
            "step 5: the partner is not at fault; his cancellation / PAF is reversed at the "
            "training or review date and the booking leaves his MG plan"
        ),
        actions=[
            Action.of(ActionKind.REVERSE_PAF, when="training_or_review_date"),
            Action.of(ActionKind.EXCLUDE_FROM_MG_PLAN),
        ],
        tag=TAG_OOS,
        inputs=inputs,
    )


def decide_commercial_location(
    *,
    city: str,
    appliance_is_ro: bool,
    commercial_appliance: bool,
    partner_comfortable: bool,
    policy: Policy,
    customer_agrees_to_cancel: bool | None = None,
) -> Decision:
    """A job at a commercial place: commercial appliances are never served; in the metro
    cities the service is live except for RO; elsewhere the partner serves if comfortable,
    else the customer is asked to cancel, and if he refuses the partner serves."""
    metro = is_metro_city(city, policy)
    inputs = {
        "city": city,
        "appliance_is_ro": appliance_is_ro,
        "commercial_appliance": commercial_appliance,
        "partner_comfortable": partner_comfortable,
        "customer_agrees_to_cancel": customer_agrees_to_cancel,
    }
    where = f"{city} ({'a metro' if metro else 'not a metro'} city)"
    if commercial_appliance or (metro and appliance_is_ro):
        what = "a commercial appliance" if commercial_appliance else "an RO at a commercial place"
        return make_decision(
            policy,
            sop=SOP,
            outcome="commercial_out_of_scope",
            reason=f"{what} in {where} is out of scope: follow the out-of-scope steps",
            actions=[
                Action.of(ActionKind.CALL_PARTNER, purpose="raise_oos_ticket", path=OOS_TICKET_PATH)
            ],
            tag=TAG_OOS,
            inputs=inputs,
        )
    if metro:
        return make_decision(
            policy,
            sop=SOP,
            outcome="commercial_in_scope",
            reason=f"commercial locations are live in {where} for this appliance: provide it",
            actions=[Action.of(ActionKind.CALL_PARTNER, purpose="provide_service")],
            refused=True,
            inputs=inputs,
        )
    if partner_comfortable:
        return make_decision(
            policy,
            sop=SOP,
            outcome="commercial_partner_provides",
            reason=f"commercial place in {where}; the partner is comfortable, guide him to serve",
            actions=[Action.of(ActionKind.CALL_PARTNER, purpose="provide_service")],
            refused=True,
            inputs=inputs,
        )
    if customer_agrees_to_cancel is None:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ask_customer_to_cancel",
            reason=f"commercial place in {where}: call the customer to cancel the booking",
            actions=[Action.of(ActionKind.ASK_CUSTOMER_TO_CANCEL, code=CODE_INCORRECT_SERVICE)],
            tag=TAG_OOS,
            inputs=inputs,
        )
    if customer_agrees_to_cancel:
        return make_decision(
            policy,
            sop=SOP,
            outcome="customer_cancelled_commercial",
            reason=f"commercial place in {where}: the customer cancels; no PAF, not in MG plan",
            actions=[Action.of(ActionKind.NO_PAF), Action.of(ActionKind.EXCLUDE_FROM_MG_PLAN)],
            tag=TAG_OOS,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="commercial_partner_asked_to_provide",
        reason=f"commercial place in {where}: the customer refuses to cancel, the partner serves",
        actions=[Action.of(ActionKind.CALL_PARTNER, purpose="provide_service")],
        refused=True,
        inputs=inputs,
    )


def decide_rating_reversal(
    *, oos_ticket_verified: bool, closed_at_bpc: bool, policy: Policy
) -> Decision:
    """Scenario 1: rating reversal for a genuine out-of-scope job closed at BPC."""
    inputs = {"oos_ticket_verified": oos_ticket_verified, "closed_at_bpc": closed_at_bpc}
    if oos_ticket_verified and closed_at_bpc:
        return make_decision(
            policy,
            sop=SOP,
            outcome="rating_reversal_form",
            reason="scenario 1: the partner's OOS ticket is verified and the job was closed at "
            "BPC; fill the rating reversal form",
            actions=[Action.of(ActionKind.RATING_REVERSAL_FORM)],
            tag=TAG_OOS,
            inputs=inputs,
        )
    why = "no verified OOS ticket" if not oos_ticket_verified else "the job was not closed at BPC"
    return make_decision(
        policy,
        sop=SOP,
        outcome="rating_reversal_refused",
        reason=f"scenario 1: {why}; no rating reversal",
        refused=True,
        inputs=inputs,
    )


def decide_start_otp_or_non_payment(
    *, oos_ticket_created: bool, policy: Policy, validated: bool | None = None
) -> Decision:
    """Scenario 2: the customer will not share the start-job OTP or will not pay: the partner
    raises an OOS ticket and the job is cancelled once validated."""
    inputs = {"oos_ticket_created": oos_ticket_created, "validated": validated}
    if not oos_ticket_created:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ask_partner_to_raise_oos_ticket",
            reason="scenario 2: ask the partner to create an out-of-scope ticket",
            actions=[
                Action.of(ActionKind.CALL_PARTNER, purpose="raise_oos_ticket", path=OOS_TICKET_PATH)
            ],
            inputs=inputs,
        )
    if validated is None:
        hours = policy.params.oos_park_hours
        return make_decision(
            policy,
            sop=SOP,
            outcome="awaiting_validation",
            reason=f"scenario 2: ticket raised; park {hours} hours for validation",
            actions=[Action.of(ActionKind.PARK, hours=hours)],
            tag=TAG_OOS,
            inputs=inputs,
        )
    if validated:
        return make_decision(
            policy,
            sop=SOP,
            outcome="cancelled_after_validation",
            reason="scenario 2: validated; cancel the job without PAF, outside the MG plan",
            actions=[
                Action.of(ActionKind.CANCEL_BOOKING, code=CODE_VALIDATED_OOS, cancelled_by="agent"),
                Action.of(ActionKind.NO_PAF),
                Action.of(ActionKind.EXCLUDE_FROM_MG_PLAN),
            ],
            tag=TAG_OOS,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="validation_failed",
        reason="scenario 2: not validated; the job is not cancelled through the OOS flow",
        actions=[Action.of(ActionKind.CALL_PARTNER, purpose="explain_validation_failed")],
        refused=True,
        inputs=inputs,
    )
