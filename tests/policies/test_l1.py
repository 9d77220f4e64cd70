"""L1 installation / maintenance SOP: every leaf of the ten scenarios, with its exact tag."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from policies.parameters import DEFAULT_POLICY, Policy, PolicyParameters
from policies.sop import l1

P = DEFAULT_POLICY
DAY = date(2026, 3, 2)

RESCHEDULE = None  # reschedule leaves carry no tag, only a reschedule_booking action


def policy_with(**changes) -> Policy:
    return Policy(version="test-modified", params=replace(PolicyParameters(), **changes))


@pytest.mark.parametrize(
    "raw, normalised",
    [
        (
            "Inbound > > Complaint >> Extra Cash Collected By Technician >> Unresolved >> Remarks",
            "Inbound >> Complaint >> Extra Cash Collected By Technician >> Unresolved >> Remarks",
        ),
        (
            "Inbound>>Enquiry >>  Post Policy-Service Denial",
            "Inbound >> Enquiry >> Post Policy-Service Denial",
        ),
    ],
)
def test_tag_paths_are_normalised(raw, normalised):
    assert l1.normalise_tag_path(raw) == normalised


def test_sop_tags_keep_their_words():
    assert l1.TAG_OUT_OF_SPD == (
        "Inbound >> Complaint >> Delay in Service >> Out of SPD >> Unresolved >> Remarks"
    )
    assert l1.TAG_FAKE_CLOSURE == (
        "Inbound >> Complaint >> Fake closure/ Fake Status >> service not provided / Call closed "
        "without service >> Unresolved >> Remarks"
    )
    assert l1.TAG_EXTRA_CASH == (
        "Inbound >> Complaint >> Extra Cash Collected By Technician >> Unresolved >> Remarks"
    )
    assert len(set(l1.L1_TAGS)) == len(l1.L1_TAGS)


def test_1_1_cancelled_ticket():
    decision = l1.decide_status_check_cancelled(policy=P)
    assert decision.tag == "Inbound >> Enquiry >> Enquiry about the cancellation >> Resolved"
    assert decision.outcome == "cancellation_explained"


# 1.2 open ticket: one row per leaf.
@pytest.mark.parametrize(
    "open_status, response, spd, reschedule_breached, new_date, cancel, outcome, tag, kinds",
    [
        ("customer_not_responding", "agrees", False, False, False, False,
         "rescheduled_after_no_response", RESCHEDULE, ("call_customer", "reschedule_booking")),
        ("customer_not_responding", "disagrees", False, False, False, False,
         "fake_closure_complaint", l1.TAG_FAKE_CLOSURE,
         ("call_customer", "create_complaint_ticket")),
        ("customer_reschedule", None, False, False, False, False,
         "rescheduled", RESCHEDULE, ("reschedule_booking",)),
        ("customer_reschedule", "agrees", False, True, False, False,
         "rescheduled_after_breach", RESCHEDULE, ("reschedule_booking",)),
        ("customer_reschedule", "disagrees", False, True, False, False,
         "fake_status_complaint", l1.TAG_FAKE_STATUS_BY_TECHNICIAN, ("create_complaint_ticket",)),
        ("customer_reschedule", None, False, False, False, True,
         "cancelled_on_request", l1.TAG_CANCELLATION_OF_SERVICE_RESOLVED, ("cancel_booking",)),
        ("created", None, True, False, False, False,
         "delay_out_of_spd", l1.TAG_OUT_OF_SPD, ("create_complaint_ticket",)),
        ("vendor_offload", None, True, False, False, False,
         "delay_out_of_spd", l1.TAG_OUT_OF_SPD, ("create_complaint_ticket",)),
        ("created", None, False, False, False, False,
         "tat_spd_explained", l1.TAG_ENQUIRY_TAT_SPD, ("call_customer",)),
        ("vendor_offload", None, False, False, True, False,
         "rescheduled", RESCHEDULE, ("reschedule_booking",)),
        ("allocated", None, True, False, False, False,
         "delay_out_of_spd", l1.TAG_OUT_OF_SPD, ("create_complaint_ticket",)),
        ("allocated", None, False, False, False, False,
         "rescheduled", RESCHEDULE, ("reschedule_booking",)),
        ("technician_reschedule", None, False, False, False, False,
         "delay_out_of_spd", l1.TAG_OUT_OF_SPD, ("create_complaint_ticket",)),
    ],
)  # fmt: skip
def test_1_2_open_ticket(
    open_status, response, spd, reschedule_breached, new_date, cancel, outcome, tag, kinds
):
    decision = l1.decide_status_check_open(
        open_status=open_status,
        customer_response=response,
        spd_breached=spd,
        reschedule_date_breached=reschedule_breached,
        customer_wants_new_date=new_date,
        customer_wants_to_cancel=cancel,
        policy=P,
    )
    assert decision.outcome == outcome
    assert decision.tag == tag
    assert decision.action_kinds == kinds


def test_1_2_reschedule_carries_the_preferred_date():
    decision = l1.decide_status_check_open(
        open_status="allocated", preferred_date=date(2026, 3, 9), policy=P
    )
    assert decision.action("reschedule_booking").param("preferred_date") == date(2026, 3, 9)


def test_1_2_missing_customer_answer_is_an_input_error():
    with pytest.raises(ValueError):
        l1.decide_status_check_open(open_status="customer_not_responding", policy=P)
    with pytest.raises(ValueError):
        l1.decide_status_check_open(open_status="lost", policy=P)


# 1.3 cancelled/completed ticket: the 30-day service warranty.
@pytest.mark.parametrize(
    "days, complaint, agrees, outcome, tag, refused",
    [
        (29, "technician", True, "ticket_reopened", l1.TAG_REOPEN, False),
        (30, "technician", True, "ticket_reopened", l1.TAG_REOPEN, False),
        (30, "technician", False, "improper_installation_complaint",
         l1.TAG_IMPROPER_INSTALLATION, False),
        (29, "product_issue", True, "ticket_reopened", l1.TAG_REOPEN, False),
        (30, "product_issue", False, "improper_installation_complaint",
         l1.TAG_IMPROPER_INSTALLATION, False),
        (31, "technician", True, "post_policy_service_denial", l1.TAG_POST_POLICY_DENIAL, True),
        (31, "product_issue", False, "post_policy_service_denial",
         "Inbound >> Enquiry >> Post Policy-Service Denial", True),
    ],
)  # fmt: skip
def test_1_3_closed_ticket_warranty(days, complaint, agrees, outcome, tag, refused):
    decision = l1.decide_status_check_closed(
        service_date=DAY,
        contacted_on=DAY + timedelta(days=days),
        complaint=complaint,
        customer_agrees=agrees,
        policy=P,
    )
    assert decision.outcome == outcome
    assert decision.tag == tag
    assert decision.refused is refused
    if outcome == "ticket_reopened":
        assert decision.has_action("reopen_booking")


def test_1_3_warranty_is_a_parameter():
    decision = l1.decide_status_check_closed(
        service_date=DAY,
        contacted_on=DAY + timedelta(days=31),
        complaint="technician",
        customer_agrees=True,
        policy=policy_with(warranty_days=45),
    )
    assert decision.outcome == "ticket_reopened"
    assert "45-day service warranty" in decision.reason


def test_2_cancel_request():
    decision = l1.decide_cancel_request(policy=P)
    assert decision.tag == l1.TAG_ENQUIRY_CANCELLATION
    assert decision.action("call_customer").param("purpose") == "guide_cancel_via_my_booking"


@pytest.mark.parametrize(
    "agrees, can_cancel, outcome, tag, refused, kinds",
    [
        (True, True, "customer_cancels_and_rebooks", "Inbound >> Request >> Change of Address",
         False, ("ask_customer_to_cancel", "call_customer")),
        (True, False, "cancelled_for_address_change",
         "Inbound >> Request >> Cancellation of Service", False, ("cancel_booking",)),
        (False, True, "address_change_refused", "Inbound >> Request >> Cancellation of Service",
         True, ("call_customer",)),
        (False, False, "address_change_refused", "Inbound >> Request >> Cancellation of Service",
         True, ("call_customer",)),
    ],
)  # fmt: skip
def test_3_address_change(agrees, can_cancel, outcome, tag, refused, kinds):
    decision = l1.decide_address_change(
        customer_agrees_to_cancel=agrees, customer_can_cancel=can_cancel, policy=P
    )
    assert (decision.outcome, decision.tag, decision.refused) == (outcome, tag, refused)
    assert decision.action_kinds == kinds


@pytest.mark.parametrize(
    "observation, outcome, escalated",
    [
        ("immediate", "property_damage_complaint", False),
        ("late", "property_damage_escalated", True),
    ],
)
def test_4_property_damage(observation, outcome, escalated):
    decision = l1.decide_property_damage(observation=observation, policy=P)
    assert decision.outcome == outcome
    assert decision.tag == (
        "Inbound >> Complaint >> Technician damaged customers property >> Unresolved >> Remarks"
    )
    assert decision.has_action("escalate") is escalated
    if escalated:
        assert "gives no tag" in decision.reason


@pytest.mark.parametrize(
    "available, outcome, tag",
    [
        (True, "invoice_shared", None),
        (False, "bill_not_given_complaint",
         "Inbound >> Complaint >> Bill Not Given By Technician >> Unresolved >> Remarks"),
    ],
)  # fmt: skip
def test_5_invoice(available, outcome, tag):
    decision = l1.decide_invoice_request(invoice_available=available, policy=P)
    assert (decision.outcome, decision.tag) == (outcome, tag)


# 6 debited but not confirmed: details available, or the refund TAT by payment mode.
@pytest.mark.parametrize(
    "details, mode, days, outcome, tag",
    [
        (True, "online", 20, "booking_found_tat_explained", l1.TAG_ENQUIRY_TAT_SPD),
        (False, "online", 6, "refund_within_tat", l1.TAG_REFUND_STATUS),
        (False, "online", 7, "refund_within_tat", l1.TAG_REFUND_STATUS),
        (False, "online", 8, "refund_delayed", l1.TAG_DELAY_IN_REFUND),
        (False, "cash", 7, "refund_within_tat", l1.TAG_REFUND_STATUS),
        (False, "prepaid", 8, "refund_delayed", l1.TAG_DELAY_IN_REFUND),
    ],
)
def test_6_debited_not_confirmed(details, mode, days, outcome, tag):
    decision = l1.decide_debited_not_confirmed(
        service_details_available=details,
        payment_mode=mode,
        debited_on=DAY,
        contacted_on=DAY + timedelta(days=days),
        policy=P,
    )
    assert (decision.outcome, decision.tag) == (outcome, tag)
    if outcome == "refund_delayed":
        assert decision.action("escalate").param("to") == "finance"


# 7 refund status.
@pytest.mark.parametrize(
    "available, mode, days, outcome, tag",
    [
        (True, "online", 30, "refund_status_shared", l1.TAG_REFUND_STATUS),
        (False, "online", 7, "refund_within_tat", l1.TAG_REFUND_STATUS),
        (
            False,
            "online",
            8,
            "refund_delayed",
            "Inbound >> Complaint >> Delay in refund >> Unresolved",
        ),
        (False, "cash", 8, "refund_delayed", l1.TAG_DELAY_IN_REFUND),
    ],
)
def test_7_refund_status(available, mode, days, outcome, tag):
    decision = l1.decide_refund_status(
        refund_status_available=available,
        payment_mode=mode,
        refund_started_on=DAY,
        contacted_on=DAY + timedelta(days=days),
        policy=P,
    )
    assert (decision.outcome, decision.tag) == (outcome, tag)


@pytest.mark.parametrize("mode, within", [("online", True), ("cash", False)])
def test_refund_tat_is_per_payment_mode_and_a_parameter(mode, within):
    policy = policy_with(refund_tat_days=(("online", 10), ("cash", 3)))
    decision = l1.decide_refund_status(
        refund_status_available=False,
        payment_mode=mode,
        refund_started_on=DAY,
        contacted_on=DAY + timedelta(days=8),
        policy=policy,
    )
    assert (decision.outcome == "refund_within_tat") is within


def test_refund_tat_rejects_unknown_modes_and_backwards_dates():
    with pytest.raises(ValueError):
        l1.decide_refund_status(
            refund_status_available=False,
            payment_mode="cheque",
            refund_started_on=DAY,
            contacted_on=DAY,
            policy=P,
        )
    with pytest.raises(ValueError):
        l1.decide_refund_status(
            refund_status_available=False,
            payment_mode="online",
            refund_started_on=DAY,
            contacted_on=DAY - timedelta(days=1),
            policy=P,
        )


# 8 extra charges.
@pytest.mark.parametrize(
    "collected, invoice, mode, outcome, tag, escalated",
    [
        ("1500", "1500", "cash", "charges_match_invoice", l1.TAG_SERVICE_CHARGES, False),
        ("1500", "1500", "online", "charges_match_invoice",
         "Inbound >> Enquiry >> Enquiry About Service Charges", False),
        ("1500.01", "1500", "cash", "extra_cash_complaint", l1.TAG_EXTRA_CASH, False),
        ("1800", "1500", "prepaid", "extra_cash_complaint", l1.TAG_EXTRA_CASH, True),
    ],
)  # fmt: skip
def test_8_extra_charges(collected, invoice, mode, outcome, tag, escalated):
    decision = l1.decide_extra_charges(
        amount_collected=Decimal(collected),
        invoice_amount=Decimal(invoice),
        payment_mode=mode,
        policy=P,
    )
    assert (decision.outcome, decision.tag) == (outcome, tag)
    assert decision.has_action("escalate") is escalated
    if outcome == "extra_cash_complaint":
        extra = Decimal(collected) - Decimal(invoice)
        assert decision.action("create_complaint_ticket").param("extra_amount") == extra


def test_9_safety_case():
    decision = l1.decide_safety_case(policy=P)
    assert decision.tag == (
        "Inbound >> Complaint >> Women & Child Safety Case >> Unresolved >> Remarks"
    )
    assert decision.action("set_priority").param("priority") == "urgent"
    assert decision.has_action("escalate")


# 10 product taken away for repair, return promised within 4-5 days.
@pytest.mark.parametrize(
    "update, days, outcome, tag",
    [
        (True, 9, "pickup_update_shared", l1.TAG_ENQUIRY_TAT_SPD),
        (False, 4, "pickup_update_requested", None),
        (False, 5, "pickup_update_requested", None),
        (False, 6, "pickup_overdue_escalated", l1.TAG_OUT_OF_SPD),
    ],
)
def test_10_product_pickup(update, days, outcome, tag):
    decision = l1.decide_product_pickup(
        update_available=update,
        picked_up_on=DAY,
        contacted_on=DAY + timedelta(days=days),
        policy=P,
    )
    assert (decision.outcome, decision.tag) == (outcome, tag)
    assert decision.has_action("escalate") is (not update)


def test_10_return_promise_is_a_parameter():
    decision = l1.decide_product_pickup(
        update_available=False,
        picked_up_on=DAY,
        contacted_on=DAY + timedelta(days=6),
        policy=policy_with(product_pickup_return_days=7),
    )
    assert decision.outcome == "pickup_update_requested"
    assert decision.policy_version == "test-modified"


@pytest.mark.parametrize("days, checked", [(0, True), (5, True)])
def test_10_within_the_promise_the_return_is_checked_on_the_due_day(days, checked):
    decision = l1.decide_product_pickup(
        update_available=False,
        picked_up_on=DAY,
        contacted_on=DAY + timedelta(days=days),
        policy=P,
    )
    follow_up = decision.action("schedule_followup")
    assert follow_up.param("due_on") == DAY + timedelta(days=5)
    assert follow_up.param("purpose") == "product_returned"


@pytest.mark.parametrize("days_after, outcome", [(0, "spd_not_breached"), (1, "spd_breached")])
def test_spd_passing_tags_out_of_spd_and_raises(days_after, outcome):
    decision = l1.decide_spd_breached(spd=DAY, today=DAY + timedelta(days=days_after), policy=P)
    assert decision.outcome == outcome
    if outcome == "spd_breached":
        assert decision.tag == l1.TAG_OUT_OF_SPD
        assert decision.action("set_priority").param("priority") == "high"
    else:
        assert decision.actions == () and not decision.tag


@pytest.mark.parametrize("days_after, outcome", [(0, "refund_within_tat"), (1, "refund_past_tat")])
def test_refund_past_its_tat_is_a_delay_in_refund_complaint_for_finance(days_after, outcome):
    decision = l1.decide_refund_past_tat(
        tat_due_on=DAY, today=DAY + timedelta(days=days_after), policy=P
    )
    assert decision.outcome == outcome
    if outcome == "refund_past_tat":
        assert decision.tag == l1.TAG_DELAY_IN_REFUND
        assert decision.action("escalate").param("to") == "finance"
    else:
        assert not decision.actions
