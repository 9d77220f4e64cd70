"""L1 installation / maintenance SOP (l1-installation-maintenance.txt): scenarios 1-10, tagged."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from .decision import Action, Decision, make_decision, require_choice, require_date, require_money
from .parameters import Policy, normalise_payment_mode
from .revisits import days_since_service

SOP = "L1 installation/maintenance SOP"


def normalise_tag_path(raw: str) -> str:
    """Kapture paths with one separator, " >> " (the SOP also writes "> >"), words untouched."""
    parts = re.split(r">\s*>", raw)
    return " >> ".join(part.strip() for part in parts)


# Every Kapture tag path the SOP gives, exactly as written there, normalised.
TAG_ENQUIRY_CANCELLATION = normalise_tag_path(
    "Inbound >> Enquiry >> Enquiry about the cancellation >> Resolved"
)
TAG_FAKE_CLOSURE = normalise_tag_path(
    "Inbound >> Complaint >> Fake closure/ Fake Status >> service not provided / Call closed "
    "without service >> Unresolved >> Remarks"
)
TAG_FAKE_STATUS_BY_TECHNICIAN = normalise_tag_path(
    "Inbound >> Complaint >> Fake status updated by technician >> Unresolved >> Remarks"
)
TAG_CANCELLATION_OF_SERVICE_RESOLVED = normalise_tag_path(
    "Inbound >> Request >> Cancellation of service >> Resolved"
)
TAG_OUT_OF_SPD = normalise_tag_path(
    "Inbound >> Complaint >> Delay in Service >> Out of SPD >> Unresolved >> Remarks"
)
TAG_ENQUIRY_TAT_SPD = normalise_tag_path("Inbound >> Enquiry >> Enquiry About TAT/SPD >> Resolved")
TAG_REOPEN = normalise_tag_path("Inbound >> Request >> Request to reopen ticket >> Resolved")
TAG_IMPROPER_INSTALLATION = normalise_tag_path(
    "Inbound >> Complaint >> Technician Not Aware Of Installation/Improper Installation >> "
    "Unresolved"
)
TAG_POST_POLICY_DENIAL = normalise_tag_path("Inbound >> Enquiry >> Post Policy-Service Denial")
TAG_CHANGE_OF_ADDRESS = normalise_tag_path("Inbound >> Request >> Change of Address")
TAG_CANCELLATION_OF_SERVICE = normalise_tag_path("Inbound >> Request >> Cancellation of Service")
TAG_PROPERTY_DAMAGE = normalise_tag_path(
    "Inbound >> Complaint >> Technician damaged customers property >> Unresolved >> Remarks"
)
TAG_BILL_NOT_GIVEN = normalise_tag_path(
    "Inbound >> Complaint >> Bill Not Given By Technician >> Unresolved >> Remarks"
)
TAG_REFUND_STATUS = normalise_tag_path("Inbound >> Enquiry >> Refund status query >> Resolved")
TAG_DELAY_IN_REFUND = normalise_tag_path("Inbound >> Complaint >> Delay in refund >> Unresolved")
TAG_SERVICE_CHARGES = normalise_tag_path("Inbound >> Enquiry >> Enquiry About Service Charges")
TAG_EXTRA_CASH = normalise_tag_path(
    "Inbound > > Complaint >> Extra Cash Collected By Technician >> Unresolved >> Remarks"
)
TAG_SAFETY = normalise_tag_path(
    "Inbound >> Complaint >> Women & Child Safety Case >> Unresolved >> Remarks"
)

L1_TAGS: tuple[str, ...] = (
    TAG_ENQUIRY_CANCELLATION,
    TAG_FAKE_CLOSURE,
    TAG_FAKE_STATUS_BY_TECHNICIAN,
    TAG_CANCELLATION_OF_SERVICE_RESOLVED,
    TAG_OUT_OF_SPD,
    TAG_ENQUIRY_TAT_SPD,
    TAG_REOPEN,
    TAG_IMPROPER_INSTALLATION,
    TAG_POST_POLICY_DENIAL,
    TAG_CHANGE_OF_ADDRESS,
    TAG_CANCELLATION_OF_SERVICE,
    TAG_PROPERTY_DAMAGE,
    TAG_BILL_NOT_GIVEN,
    TAG_REFUND_STATUS,
    TAG_DELAY_IN_REFUND,
    TAG_SERVICE_CHARGES,
    TAG_EXTRA_CASH,
    TAG_SAFETY,
)

# Sub-states of an open ticket (scenario 1.2), as the order system shows them.
OPEN_CUSTOMER_NOT_RESPONDING = "customer_not_responding"
OPEN_CUSTOMER_RESCHEDULE = "customer_reschedule"
OPEN_CREATED = "created"
OPEN_VENDOR_OFFLOAD = "vendor_offload"
OPEN_ALLOCATED = "allocated"
OPEN_TECHNICIAN_RESCHEDULE = "technician_reschedule"
OPEN_STATUSES: tuple[str, ...] = (
    OPEN_CUSTOMER_NOT_RESPONDING,
    OPEN_CUSTOMER_RESCHEDULE,
    OPEN_CREATED,
    OPEN_VENDOR_OFFLOAD,
    OPEN_ALLOCATED,
    OPEN_TECHNICIAN_RESCHEDULE,
)

# The customer's answer to the status the technician set: agrees, or disagrees / says fake.
CUSTOMER_AGREES = "agrees"
CUSTOMER_DISAGREES = "disagrees"
CUSTOMER_RESPONSES: tuple[str, ...] = (CUSTOMER_AGREES, CUSTOMER_DISAGREES)

# Scenario 1.3 complaint kinds.
COMPLAINT_TECHNICIAN = "technician"  # what the technician did (e.g. improper installation)
COMPLAINT_PRODUCT_ISSUE = "product_issue"  # AC cooling, gas or water leakage after the service
CLOSED_COMPLAINTS: tuple[str, ...] = (COMPLAINT_TECHNICIAN, COMPLAINT_PRODUCT_ISSUE)

OBSERVATION_IMMEDIATE = "immediate"
OBSERVATION_LATE = "late"

PAYMENT_MODES: tuple[str, ...] = ("online", "cash")


def _reschedule(preferred_date: date | None) -> Action:
    # Reschedule leaves are a button in the order system, not a tag.
    if preferred_date is None:
        return Action.of("reschedule_booking", remarks="customer preferred date")
    return Action.of("reschedule_booking", preferred_date=preferred_date)


def _complaint(tag: str) -> Action:
    # An "Unresolved" complaint stays open for follow-up, so it becomes a complaint ticket.
    return Action.of("create_complaint_ticket", subject=tag)


def decide_status_check_cancelled(*, policy: Policy) -> Decision:
    """1.1 Status check, ticket cancelled: explain the cancellation."""
    return make_decision(
        policy,
        sop=SOP,
        outcome="cancellation_explained",
        reason="1.1 status check on a cancelled ticket: enquiry about the cancellation, resolved",
        actions=[Action.of("call_customer", purpose="explain_cancellation")],
        tag=TAG_ENQUIRY_CANCELLATION,
    )


def decide_status_check_open(
    *,
    open_status: str,
    policy: Policy,
    customer_response: str | None = None,
    spd_breached: bool = False,
    reschedule_date_breached: bool = False,
    customer_wants_new_date: bool = False,
    customer_wants_to_cancel: bool = False,
    preferred_date: date | None = None,
) -> Decision:
    """1.2 Status check, ticket open: by the open sub-status, SPD and the customer's answer."""
    require_choice(open_status, "open_status", OPEN_STATUSES)
    if customer_response is not None:
        require_choice(customer_response, "customer_response", CUSTOMER_RESPONSES)
    inputs = {
        "open_status": open_status,
        "customer_response": customer_response,
        "spd_breached": spd_breached,
        "reschedule_date_breached": reschedule_date_breached,
        "customer_wants_new_date": customer_wants_new_date,
        "customer_wants_to_cancel": customer_wants_to_cancel,
        "preferred_date": preferred_date,
    }

    def decide(outcome: str, reason: str, actions: list[Action], tag: str | None) -> Decision:
        return make_decision(
            policy,
            sop=SOP,
            outcome=outcome,
            reason=f"1.2 open ticket ({open_status.replace('_', ' ')}): {reason}",
            actions=actions,
            tag=tag,
            inputs=inputs,
        )

    def needs_response() -> str:
        if customer_response is None:
            raise ValueError(f"customer_response is needed for open status {open_status!r}")
        return customer_response

    if customer_wants_to_cancel:
        return decide(
            "cancelled_on_request",
            "the customer wants to cancel the installation/maintenance service",
            [Action.of("cancel_booking", code="Cancellation of service", cancelled_by="agent")],
            TAG_CANCELLATION_OF_SERVICE_RESOLVED,
        )
    if open_status == OPEN_CUSTOMER_NOT_RESPONDING:
        # The note applies whatever the answer: an alternative number stops it happening again.
        alternative = Action.of("call_customer", purpose="collect_alternative_number")
        if needs_response() == CUSTOMER_AGREES:
            # The SOP gives no tag here; the customer admits missing the technician, so the
            # service is rescheduled like the other "customer agrees" leaves.
            return decide(
                "rescheduled_after_no_response",
                "the customer agrees they did not respond; reschedule to the preferred date and "
                "take an alternative number (the SOP gives no tag for this leaf)",
                [alternative, _reschedule(preferred_date)],
                None,
            )
        return decide(
            "fake_closure_complaint",
            "the customer disagrees / claims a fake update; complaint for fake closure",
            [alternative, _complaint(TAG_FAKE_CLOSURE)],
            TAG_FAKE_CLOSURE,
        )
    if open_status == OPEN_CUSTOMER_RESCHEDULE:
        if not reschedule_date_breached:
            return decide(
                "rescheduled",
                "the reschedule date is not breached; reschedule to the preferred date",
                [_reschedule(preferred_date)],
                None,
            )
        if needs_response() == CUSTOMER_AGREES:
            return decide(
                "rescheduled_after_breach",
                "the reschedule date is breached and the customer agrees; reschedule",
                [_reschedule(preferred_date)],
                None,
            )
        return decide(
            "fake_status_complaint",
            "the reschedule date is breached and the customer calls the update fake",
            [_complaint(TAG_FAKE_STATUS_BY_TECHNICIAN)],
            TAG_FAKE_STATUS_BY_TECHNICIAN,
        )
    if open_status == OPEN_TECHNICIAN_RESCHEDULE or spd_breached:
        return decide(
            "delay_out_of_spd",
            "technician reschedule"
            if open_status == OPEN_TECHNICIAN_RESCHEDULE
            else "the SPD is breached",
            [_complaint(TAG_OUT_OF_SPD)],
            TAG_OUT_OF_SPD,
        )
    if open_status == OPEN_ALLOCATED:
        # The SOP gives only the reschedule path for an allocated job inside its SPD.
        return decide(
            "rescheduled",
            "the SPD is not breached; reschedule to the preferred date",
            [_reschedule(preferred_date)],
            None,
        )
    # Created / vendor-offload, SPD not breached.
    if customer_wants_new_date:
        return decide(
            "rescheduled",
            "the SPD is not breached and the customer asks for a new date; reschedule",
            [_reschedule(preferred_date)],
            None,
        )
    return decide(
        "tat_spd_explained",
        "the SPD is not breached and the customer agrees with the rescheduled date",
        [Action.of("call_customer", purpose="confirm_spd")],
        TAG_ENQUIRY_TAT_SPD,
    )


def decide_status_check_closed(
    *,
    service_date: date,
    contacted_on: date,
    complaint: str,
    customer_agrees: bool,
    policy: Policy,
) -> Decision:
    """1.3 Ticket cancelled/completed and the customer complains: inside the service warranty
    (day 30 inclusive) reopen or log the complaint; after it, deny as post policy."""
    require_choice(complaint, "complaint", CLOSED_COMPLAINTS)
    days = days_since_service(service_date=service_date, on=contacted_on)
    warranty = policy.params.warranty_days
    inputs = {
        "service_date": service_date,
        "contacted_on": contacted_on,
        "complaint": complaint,
        "customer_agrees": customer_agrees,
    }
    what = (
        "the service technician's work"
        if complaint == COMPLAINT_TECHNICIAN
        else "issues with the product after the service"
    )
    if days > warranty:
        return make_decision(
            policy,
            sop=SOP,
            outcome="post_policy_service_denial",
            reason=(
                f"1.3 complaint about {what} {days} days after the service on {service_date}, "
                f"post the {warranty}-day service warranty"
            ),
            actions=[Action.of("call_customer", purpose="explain_warranty_expired")],
            tag=TAG_POST_POLICY_DENIAL,
            refused=True,
            inputs=inputs,
        )
    inside = f"1.3 complaint about {what} on day {days} of the {warranty}-day service warranty"
    if customer_agrees:
        return make_decision(
            policy,
            sop=SOP,
            outcome="ticket_reopened",
            reason=f"{inside}; the customer agrees, reopen the ticket",
            actions=[Action.of("reopen_booking", reason=complaint)],
            tag=TAG_REOPEN,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="improper_installation_complaint",
        reason=f"{inside}; the customer disagrees, log an improper installation complaint",
        actions=[_complaint(TAG_IMPROPER_INSTALLATION)],
        tag=TAG_IMPROPER_INSTALLATION,
        inputs=inputs,
    )


def decide_cancel_request(*, policy: Policy) -> Decision:
    """2 The customer asks to cancel: they can cancel from My Booking themselves."""
    return make_decision(
        policy,
        sop=SOP,
        outcome="guided_to_self_cancel",
        reason="2 cancellation request: the customer can cancel the booking through My Booking",
        actions=[Action.of("call_customer", purpose="guide_cancel_via_my_booking")],
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
                Action.of("ask_customer_to_cancel", code="Change of Address"),
                Action.of("call_customer", purpose="rebook_at_new_address"),
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
                Action.of("cancel_booking", code="Cancellation of Service", cancelled_by="agent")
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
        actions=[Action.of("call_customer", purpose="explain_address_cannot_change")],
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
            actions=[_complaint(TAG_PROPERTY_DAMAGE)],
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
            _complaint(TAG_PROPERTY_DAMAGE),
            Action.of(
                "escalate",
                to="supervisor",
                reason="late observation of damage or theft by the technician",
            ),
            Action.of("set_priority", priority="high"),
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
            actions=[Action.of("call_customer", purpose="share_invoice")],
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="bill_not_given_complaint",
        reason="5 the invoice is unavailable: complaint, bill not given by technician",
        actions=[_complaint(TAG_BILL_NOT_GIVEN)],
        tag=TAG_BILL_NOT_GIVEN,
        inputs=inputs,
    )


def _refund_tat(
    *, payment_mode: str, started_on: date, contacted_on: date, policy: Policy
) -> tuple[bool, int, int, date]:
    """(within TAT, days elapsed, TAT days, last day): the TAT runs in calendar days and its
    last day still counts as within."""
    require_choice(normalise_payment_mode(payment_mode), "payment_mode", PAYMENT_MODES)
    tat = policy.params.refund_tat_days_for(payment_mode)
    start = require_date(started_on, "started_on")
    elapsed = (require_date(contacted_on, "contacted_on") - start).days
    if elapsed < 0:
        raise ValueError(f"{contacted_on} is before {started_on}")
    return elapsed <= tat, elapsed, tat, start + timedelta(days=tat)


def _refund_timing_decision(
    *,
    policy: Policy,
    within: bool,
    last_day: date,
    situation: str,
    within_reason: str,
    inputs: dict[str, object],
) -> Decision:
    """Scenarios 6 and 7 end alike: inside the refund TAT, tell the customer when it arrives;
    past it, a delay-in-refund complaint escalated to finance."""
    if within:
        return make_decision(
            policy,
            sop=SOP,
            outcome="refund_within_tat",
            reason=f"{situation}: within TAT, {within_reason}",
            actions=[Action.of("call_customer", purpose="refund_within_tat", due_by=last_day)],
            tag=TAG_REFUND_STATUS,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="refund_delayed",
        reason=f"{situation}: post TAT, complaint for delay in refund",
        actions=[
            _complaint(TAG_DELAY_IN_REFUND),
            Action.of("escalate", to="finance", reason="refund not received within TAT"),
        ],
        tag=TAG_DELAY_IN_REFUND,
        inputs=inputs,
    )


def decide_debited_not_confirmed(
    *,
    service_details_available: bool,
    payment_mode: str,
    debited_on: date,
    contacted_on: date,
    policy: Policy,
) -> Decision:
    """6 Money was debited but the booking was not confirmed."""
    inputs = {
        "service_details_available": service_details_available,
        "payment_mode": payment_mode,
        "debited_on": debited_on,
        "contacted_on": contacted_on,
    }
    if service_details_available:
        return make_decision(
            policy,
            sop=SOP,
            outcome="booking_found_tat_explained",
            reason="6 the service details are in the system: share the TAT/SPD",
            actions=[Action.of("call_customer", purpose="confirm_spd")],
            tag=TAG_ENQUIRY_TAT_SPD,
            inputs=inputs,
        )
    within, elapsed, tat, last_day = _refund_tat(
        payment_mode=payment_mode, started_on=debited_on, contacted_on=contacted_on, policy=policy
    )
    timing = (
        f"day {elapsed} after the debit on {debited_on}, refund TAT {tat} days ({payment_mode})"
    )
    # Within TAT the SOP leaves this leaf untagged; the refund-status enquiry is the nearest.
    return _refund_timing_decision(
        policy=policy,
        within=within,
        last_day=last_day,
        situation=f"6 no booking found; {timing}",
        within_reason=(
            f"the refund arrives by {last_day} "
            "(the SOP gives no tag here; nearest is the refund status query)"
        ),
        inputs=inputs,
    )


def decide_refund_status(
    *,
    refund_status_available: bool,
    payment_mode: str,
    refund_started_on: date,
    contacted_on: date,
    policy: Policy,
) -> Decision:
    """7 The customer asks about a refund."""
    inputs = {
        "refund_status_available": refund_status_available,
        "payment_mode": payment_mode,
        "refund_started_on": refund_started_on,
        "contacted_on": contacted_on,
    }
    if refund_status_available:
        return make_decision(
            policy,
            sop=SOP,
            outcome="refund_status_shared",
            reason="7 the refund status is available: share it",
            actions=[Action.of("call_customer", purpose="share_refund_status")],
            tag=TAG_REFUND_STATUS,
            inputs=inputs,
        )
    within, elapsed, tat, last_day = _refund_tat(
        payment_mode=payment_mode,
        started_on=refund_started_on,
        contacted_on=contacted_on,
        policy=policy,
    )
    timing = (
        f"day {elapsed} after the refund started on {refund_started_on}, refund TAT {tat} days "
        f"({payment_mode})"
    )
    return _refund_timing_decision(
        policy=policy,
        within=within,
        last_day=last_day,
        situation=f"7 refund status unavailable; {timing}",
        within_reason=f"due by {last_day}",
        inputs=inputs,
    )


def decide_extra_charges(
    *, amount_collected: Decimal, invoice_amount: Decimal, payment_mode: str, policy: Policy
) -> Decision:
    """8 The technician collected extra charges: compare what the customer paid in total
    (online and cash) with the invoice."""
    require_money(amount_collected, "amount_collected")
    require_money(invoice_amount, "invoice_amount")
    mode = require_choice(normalise_payment_mode(payment_mode), "payment_mode", PAYMENT_MODES)
    inputs = {
        "amount_collected": amount_collected,
        "invoice_amount": invoice_amount,
        "payment_mode": payment_mode,
    }
    extra = amount_collected - invoice_amount
    if extra <= 0:
        return make_decision(
            policy,
            sop=SOP,
            outcome="charges_match_invoice",
            reason=(
                f"8 the amount charged ({amount_collected}) matches the invoice "
                f"({invoice_amount}): explain the service charges"
            ),
            actions=[Action.of("call_customer", purpose="explain_service_charges")],
            tag=TAG_SERVICE_CHARGES,
            inputs=inputs,
        )
    actions = [
        Action.of(
            "create_complaint_ticket", subject=TAG_EXTRA_CASH, extra_amount=extra, payment_mode=mode
        )
    ]
    if mode == "cash":
        reason = (
            f"8 cash transaction: {amount_collected} collected against an invoice of "
            f"{invoice_amount}, {extra} extra"
        )
    else:
        # The SOP lists the prepaid leaf with no tag of its own: money taken on top of a
        # prepaid invoice is still extra cash collected by the technician, and it is escalated.
        reason = (
            f"8 prepaid transaction: {extra} collected on top of the prepaid invoice of "
            f"{invoice_amount}; the SOP gives no separate tag, so use the extra cash complaint "
            "and escalate"
        )
        actions.append(
            Action.of("escalate", to="supervisor", reason="extra money collected on a prepaid job")
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="extra_cash_complaint",
        reason=reason,
        actions=actions,
        tag=TAG_EXTRA_CASH,
        inputs=inputs,
    )


def decide_safety_case(*, policy: Policy) -> Decision:
    """9 Harassment, women or child abuse: always a safety complaint, escalated at once."""
    return make_decision(
        policy,
        sop=SOP,
        outcome="safety_case",
        reason="9 harassment / women and child safety: complaint, escalated with top priority",
        actions=[
            _complaint(TAG_SAFETY),
            Action.of("set_priority", priority="urgent"),
            Action.of("escalate", to="safety_team", reason="harassment or women/child safety"),
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
            actions=[Action.of("call_customer", purpose="share_pickup_update")],
            tag=TAG_ENQUIRY_TAT_SPD,
            inputs=inputs,
        )
    escalate = Action.of(
        "escalate", to="operations", reason="no update on a product taken away for repair"
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
                "escalate for an update (the SOP gives no tag for this leaf)"
            ),
            actions=[escalate],
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
        actions=[escalate, _complaint(TAG_OUT_OF_SPD), Action.of("set_priority", priority="high")],
        tag=TAG_OUT_OF_SPD,
        inputs=inputs,
    )
