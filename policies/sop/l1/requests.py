"""L1 SOP scenarios 2-5: cancel the order, change the address, damaged or stolen property,
an invoice for the service or an extra part."""

from __future__ import annotations

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_choice
from ...parameters import Policy
from .common import (
    OBSERVATION_IMMEDIATE,
    OBSERVATION_LATE,
    SOP,
    TAG_BILL_NOT_GIVEN,
    TAG_CANCELLATION_OF_SERVICE,
    TAG_CHANGE_OF_ADDRESS,
    TAG_ENQUIRY_CANCELLATION,
    TAG_PROPERTY_DAMAGE,
    complaint_action,
)


def decide_cancel_request(*, policy: Policy) -> Decision:
    """2 The customer asks to cancel: they can cancel from My Booking themselves."""
    return make_decision(
        policy,
        sop=SOP,
        outcome="guided_to_self_cancel",
        reason="2 cancellation request: the customer can cancel the booking through My Booking",
        actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="guide_cancel_via_my_booking")],
        tag=TAG_ENQUIRY_CANCELLATION,
    )


def decide_address_change(
    *, customer_agrees_to_cancel: bool, customer_can_cancel: bool, policy: Policy
) -> Decision:
    """3 The customer wants another installation address: the booking cannot be moved."""
    inputs = {
        "customer_agrees_to_cancel": customer_agrees_to_cancel,
        "customer_can_cancel": customer_can_cancel,
    }
    if customer_agrees_to_cancel and customer_can_cancel:
        return make_decision(
            policy,
            sop=SOP,
            outcome="customer_cancels_and_rebooks",
            reason=(
                "3 change of address: the customer agrees and cancels from their end, then books "
                "at the new address"
            ),
            actions=[
                Action.of(ActionKind.ASK_CUSTOMER_TO_CANCEL, code="Change of Address"),
                Action.of(ActionKind.CALL_CUSTOMER, purpose="rebook_at_new_address"),
            ],
            tag=TAG_CHANGE_OF_ADDRESS,
            inputs=inputs,
        )
    if customer_agrees_to_cancel:
        return make_decision(
            policy,
            sop=SOP,
            outcome="cancelled_for_address_change",
            reason=(
                "3 change of address: the customer agrees but cannot cancel; cancel the service "
                "for them (the ticket is disposed automatically)"
            ),
            actions=[
                Action.of(
                    ActionKind.CANCEL_BOOKING, code="Cancellation of Service", cancelled_by="agent"
                )
            ],
            tag=TAG_CANCELLATION_OF_SERVICE,
            inputs=inputs,
        )
    # The SOP tags this "Cancellation of Service" but says nothing of cancelling against the
    # customer's wish: the booking stays at its address and the request is refused.
    return make_decision(
        policy,
        sop=SOP,
        outcome="address_change_refused",
        reason=(
            "3 change of address: the customer disputes and refuses to cancel; the address "
            "cannot be changed, the booking stays as it is"
        ),
        actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="explain_address_cannot_change")],
        tag=TAG_CANCELLATION_OF_SERVICE,
        refused=True,
        inputs=inputs,
    )


def decide_property_damage(*, observation: str, policy: Policy) -> Decision:
    """4 The technician damaged (or took) something: immediate or late observation."""
    require_choice(observation, "observation", (OBSERVATION_IMMEDIATE, OBSERVATION_LATE))
    inputs = {"observation": observation}
    if observation == OBSERVATION_IMMEDIATE:
        return make_decision(
            policy,
            sop=SOP,
            outcome="property_damage_complaint",
            reason=(
                "4 immediate observation: the technician is still there or committed to come "
                "back the next day; log the property damage complaint"
            ),
            actions=[complaint_action(TAG_PROPERTY_DAMAGE)],
            tag=TAG_PROPERTY_DAMAGE,
            inputs=inputs,
        )
    # The SOP stops at the description for late observation: the nearest tag is the damage
    # complaint, and theft or an abandoned repair needs a supervisor, so escalate.
    return make_decision(
        policy,
        sop=SOP,
        outcome="property_damage_escalated",
        reason=(
            "4 late observation (technician did not come back, or theft or damage found later): "
            "the SOP gives no tag, so tag the nearest (property damage complaint) and escalate"
        ),
        actions=[
            complaint_action(TAG_PROPERTY_DAMAGE),
            Action.of(
                ActionKind.ESCALATE,
                to="supervisor",
                reason="late observation of damage or theft by the technician",
            ),
            Action.of(ActionKind.SET_PRIORITY, priority="high"),
        ],
        tag=TAG_PROPERTY_DAMAGE,
        inputs=inputs,
    )


def decide_invoice_request(*, invoice_available: bool, policy: Policy) -> Decision:
    """5 The customer needs an invoice for the service or an extra part."""
    inputs = {"invoice_available": invoice_available}
    if invoice_available:
        # The SOP only tags the unavailable case; sharing an existing invoice needs no tag.
        return make_decision(
            policy,
            sop=SOP,
            outcome="invoice_shared",
            reason="5 the invoice is available: share it (the SOP gives no tag for this leaf)",
            actions=[Action.of(ActionKind.CALL_CUSTOMER, purpose="share_invoice")],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="bill_not_given_complaint",
        reason="5 the invoice is unavailable: complaint, bill not given by technician",
        actions=[complaint_action(TAG_BILL_NOT_GIVEN)],
        tag=TAG_BILL_NOT_GIVEN,
        inputs=inputs,
    )
