"""L1 SOP scenarios 9 and 10: harassment / women and child safety, and a product taken away for
repair and not returned."""

from __future__ import annotations

from datetime import date, timedelta

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_date
from ...parameters import Policy
from .common import (
    SOP,
    TAG_ENQUIRY_TAT_SPD,
    TAG_OUT_OF_SPD,
    TAG_SAFETY,
    complaint_action,
)


def decide_safety_case(*, policy: Policy) -> Decision:
    """9 Harassment, women or child abuse: always a safety complaint, escalated at once."""
    return make_decision(
        policy,
        sop=SOP,
        outcome="safety_case",
        reason="9 harassment / women and child safety: complaint, escalated with top priority",
        actions=[
            complaint_action(TAG_SAFETY),
            Action.of(ActionKind.SET_PRIORITY, priority="urgent"),
            Action.of(
                ActionKind.ESCALATE, to="safety_team", reason="harassment or women/child safety"
            ),
        ],
        tag=TAG_SAFETY,
    )


def decide_product_pickup(
    *, update_available: bool, picked_up_on: date, contacted_on: date, policy: Policy
) -> Decision:
    """10 The technician took the product for repair and promised it back in 4-5 days."""
    promise = policy.params.product_pickup_return_days
    picked_up = require_date(picked_up_on, "picked_up_on")
    elapsed = (require_date(contacted_on, "contacted_on") - picked_up).days
    if elapsed < 0:
        raise ValueError(f"{contacted_on} is before the pickup on {picked_up_on}")
    due = picked_up + timedelta(days=promise)
    inputs = {
        "update_available": update_available,
        "picked_up_on": picked_up_on,
        "contacted_on": contacted_on,
    }
    if update_available:
        return make_decision(
            policy,
            sop=SOP,
            outcome="pickup_update_shared",
            reason="10 an update is available: share it with the customer",
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="share_pickup_update")],
            tag=TAG_ENQUIRY_TAT_SPD,
            inputs=inputs,
        )
    escalate = Action.of(
        ActionKind.ESCALATE, to="operations", reason="no update on a product taken away for repair"
    )
    if elapsed <= promise:
        # The SOP gives no tag when there is no update; inside the promise nothing is late yet,
        # so the case is escalated for an update without a complaint tag.
        return make_decision(
            policy,
            sop=SOP,
            outcome="pickup_update_requested",
            reason=(
                f"10 no update; day {elapsed} of the {promise}-day return promise (due {due}): "
                "escalate for an update (the SOP gives no tag for this leaf); the return is "
                "checked on the due day"
            ),
            actions=[
                escalate,
                Action.of(ActionKind.SCHEDULE_FOLLOWUP, due_on=due, purpose="product_returned"),
            ],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="pickup_overdue_escalated",
        reason=(
            f"10 no update; day {elapsed}, past the {promise}-day return promise (due {due}): "
            "escalate; the SOP gives no tag, the nearest is delay in service out of SPD"
        ),
        actions=[
            escalate,
            complaint_action(TAG_OUT_OF_SPD),
            Action.of(ActionKind.SET_PRIORITY, priority="high"),
        ],
        tag=TAG_OUT_OF_SPD,
        inputs=inputs,
    )
