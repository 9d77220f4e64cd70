"""Pre-services SOP: every leaf, with goodwill, wrong-job and attempt boundaries."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.parameters import DEFAULT_POLICY, Policy, PolicyParameters
from policies.sop import pre_services as pre

P = DEFAULT_POLICY


def policy_with(**changes) -> Policy:
    return Policy(version="test-modified", params=replace(PolicyParameters(), **changes))


@pytest.mark.parametrize(
    "responding, material, agrees, outcome, kinds",
    [
        (True, True, True, "partner_delivers_change", ("call_partner", "park")),
        (False, True, True, "customer_places_fresh_booking", ("call_customer",)),
        (True, False, True, "customer_places_fresh_booking", ("call_customer",)),
        (True, True, False, "customer_places_fresh_booking", ("call_customer",)),
    ],
)
def test_change_request(responding, material, agrees, outcome, kinds):
    decision = pre.decide_change_request(
        partner_responding=responding,
        partner_has_material=material,
        partner_agrees=agrees,
        policy=P,
    )
    assert decision.outcome == outcome
    assert decision.action_kinds == kinds
    if outcome == "partner_delivers_change":
        assert decision.action("park").param("until_event") == "job_delivered"


@pytest.mark.parametrize(
    "different_pro, auto_accepted, outcome, partner_purpose",
    [
        (False, False, "rescheduled", None),
        (True, False, "rescheduled_with_different_pro", "do_not_pick_up_booking"),
        (True, True, "rescheduled_with_different_pro", "mark_leave_for_slot"),
    ],
)
def test_reschedule_or_different_pro(different_pro, auto_accepted, outcome, partner_purpose):
    slot = datetime(2026, 5, 4, 10, 0)
    decision = pre.decide_reschedule_request(
        preferred_slot=slot,
        different_pro_requested=different_pro,
        booking_auto_accepted=auto_accepted,
        policy=P,
    )
    assert decision.outcome == outcome
    assert decision.action("reschedule_booking").param("preferred_slot") == slot
    call = decision.action("call_partner")
    assert (call.param("purpose") if call else None) == partner_purpose


@pytest.mark.parametrize(
    "status, responding, agrees, known, tech_issue, outcome, kinds",
    [
        ("free", True, True, True, False, "preferred_professional_notified",
         ("call_partner", "assign_partner", "schedule_followup")),
        ("free", False, False, True, False, "preferred_unavailable_assign_other",
         ("assign_partner",)),
        ("free", True, False, True, False, "preferred_unavailable_assign_other",
         ("assign_partner",)),
        ("working", True, True, True, False, "preferred_unavailable_assign_other",
         ("assign_partner",)),
        ("on_leave", True, True, True, False, "preferred_unavailable_assign_other",
         ("assign_partner",)),
        ("free", True, True, False, False, "ask_professional_details", ("call_customer",)),
        ("free", True, True, True, True, "tech_issue_escalated", ("escalate",)),
    ],
)  # fmt: skip
def test_preferred_professional(status, responding, agrees, known, tech_issue, outcome, kinds):
    decision = pre.decide_preferred_professional(
        calendar_status=status,
        professional_responding=responding,
        professional_agrees=agrees,
        professional_known=known,
        tech_issue=tech_issue,
        policy=P,
    )
    assert decision.outcome == outcome
    assert decision.action_kinds == kinds
    if outcome == "preferred_professional_notified":
        assert decision.action("assign_partner").param("preferred") is True
    if outcome == "preferred_unavailable_assign_other":
        assert decision.action("assign_partner").param("preferred") is False
    if tech_issue:
        assert decision.action("escalate").param("to") == "Sajan/Karuna"


def test_preferred_professional_rejects_unknown_calendar_status():
    with pytest.raises(ValueError):
        pre.decide_preferred_professional(
            calendar_status="green",
            professional_responding=True,
            professional_agrees=True,
            policy=P,
        )


@pytest.mark.parametrize(
    "voc, accepts, outcome, kinds",
    [
        ("", False, "confirm_cancellation_reason", ("call_customer",)),
        ("Not at home", True, "rescheduled_instead_of_cancelled", ("reschedule_booking",)),
        ("Not at home", False, "cancelled_on_customer_voc", ("cancel_booking", "set_status")),
    ],
)
def test_cancellation_request(voc, accepts, outcome, kinds):
    decision = pre.decide_cancellation_request(
        voc=voc, customer_accepts_reschedule=accepts, policy=P
    )
    assert decision.outcome == outcome
    assert decision.action_kinds == kinds
    if outcome == "cancelled_on_customer_voc":
        cancel = decision.action("cancel_booking")
        assert (cancel.param("code"), cancel.param("cancelled_by")) == ("Not at home", "customer")
        assert decision.action("set_status").param("status") == "resolved"


@pytest.mark.parametrize(
    "mode, paid, refunded",
    [
        ("online", Decimal("799.00"), Decimal("799.00")),
        ("prepaid", Decimal("0.01"), Decimal("0.01")),
        ("online", Decimal("0.00"), None),
        ("cash", Decimal("799.00"), None),
        (None, None, None),
    ],
)
def test_a_prepaid_booking_cancelled_on_the_voc_is_refunded(mode, paid, refunded):
    decision = pre.decide_cancellation_request(
        voc="Not at home",
        customer_accepts_reschedule=False,
        payment_mode=mode,
        amount_paid=paid,
        policy=P,
    )
    refund = decision.action("create_refund")
    if refunded is None:
        assert refund is None
    else:
        assert (refund.param("amount"), refund.param("reason")) == (
            refunded,
            "customer_cancellation",
        )
        assert "7-day refund TAT" in decision.reason
    assert decision.action_kinds[-1] == "set_status"


@pytest.mark.parametrize(
    "cart_value, goodwill",
    [("0", "100"), ("499.99", "100"), ("500", "150"), ("500.00", "150"), ("501", "150")],
)
def test_goodwill_by_cart_value(cart_value, goodwill):
    assert pre.goodwill_amount(cart_value=Decimal(cart_value), policy=P) == Decimal(goodwill)
    decision = pre.decide_goodwill_refund(
        cancellation_cause="no_show",
        refund_requested=True,
        cart_value=Decimal(cart_value),
        policy=P,
    )
    assert decision.outcome == "goodwill_refund"
    assert decision.action("create_refund").param("amount") == Decimal(goodwill)


@pytest.mark.parametrize(
    "cause, requested, outcome, refused",
    [
        ("no_show", True, "goodwill_refund", False),
        ("no_response", True, "goodwill_refund", False),
        ("no_show", False, "no_refund_requested", False),
        ("customer_changed_mind", True, "no_goodwill", True),
    ],
)
def test_goodwill_only_for_no_show_or_no_response(cause, requested, outcome, refused):
    decision = pre.decide_goodwill_refund(
        cancellation_cause=cause, refund_requested=requested, cart_value=Decimal("800"), policy=P
    )
    assert (decision.outcome, decision.refused) == (outcome, refused)
    assert decision.has_action("create_refund") is (outcome == "goodwill_refund")


def test_goodwill_amounts_are_parameters():
    policy = policy_with(goodwill_below_threshold=Decimal("200"))
    decision = pre.decide_goodwill_refund(
        cancellation_cause="no_show",
        refund_requested=True,
        cart_value=Decimal("499"),
        policy=policy,
    )
    assert decision.action("create_refund").param("amount") == Decimal("200")
    assert decision.policy_version == "test-modified"


def test_goodwill_refuses_float_cart_value():
    with pytest.raises(TypeError):
        pre.goodwill_amount(cart_value=499.99, policy=P)  # type: ignore[arg-type]


# Wrong job started: online, confirmed cash, unreachable professional (attempts), fraud score.
@pytest.mark.parametrize(
    "paid, mode, responding, confirms, attempts, fraud, outcome, refund",
    [
        ("0", "online", True, True, 0, "0.1", "nothing_paid", None),
        ("4500", "online", True, True, 0, "0.1", "full_refund", "4500"),
        ("4500", "online", False, True, 0, "0.9", "full_refund", "4500"),
        ("1200", "cash", True, True, 0, "0.1", "full_refund", "1200"),
        ("1200", "cash", True, False, 0, "0.1", "payment_disputed", None),
        ("1200", "cash", False, True, 0, "0.1", "keep_calling_partner", None),
        ("1200", "cash", False, True, 1, "0.1", "keep_calling_partner", None),
        ("1200", "cash", False, True, 2, "0.1", "capped_refund", "1200"),
        ("1200", "cash", False, True, 3, "0.1", "capped_refund", "1200"),
        ("2999.99", "cash", False, True, 2, "0.1", "capped_refund", "2999.99"),
        ("3000", "cash", False, True, 2, "0.1", "capped_refund", "3000"),
        ("3000.01", "cash", False, True, 2, "0.1", "capped_refund", "3000"),
        ("8000", "cash", False, True, 2, "0.69", "capped_refund", "3000"),
        ("8000", "cash", False, True, 2, "0.70", "refund_blocked_by_fraud_score", None),
        ("8000", "cash", False, True, 3, "0.95", "refund_blocked_by_fraud_score", None),
    ],
)
def test_wrong_job_started(paid, mode, responding, confirms, attempts, fraud, outcome, refund):
    decision = pre.decide_wrong_job_started(
        amount_paid=Decimal(paid),
        payment_mode=mode,
        partner_responding=responding,
        partner_confirms_payment=confirms,
        unanswered_attempts=attempts,
        fraud_score=Decimal(fraud),
        policy=P,
    )
    assert decision.outcome == outcome
    if refund is None:
        assert not decision.has_action("create_refund")
        assert not decision.has_action("deduct_from_partner")
    else:
        assert decision.action("create_refund").param("amount") == Decimal(refund)
        assert decision.action("deduct_from_partner").param("amount") == Decimal(refund)
    assert decision.refused is (outcome == "refund_blocked_by_fraud_score")


def test_wrong_job_attempts_cap_and_fraud_gate_are_parameters():
    policy = policy_with(
        wrong_job_unanswered_attempts=3,
        wrong_job_refund_cap=Decimal("5000"),
        wrong_job_fraud_score_max=Decimal("0.95"),
    )

    def decide(attempts):
        return pre.decide_wrong_job_started(
            amount_paid=Decimal("8000"),
            payment_mode="cash",
            partner_responding=False,
            unanswered_attempts=attempts,
            fraud_score=Decimal("0.9"),
            policy=policy,
        )

    assert decide(2).outcome == "keep_calling_partner"
    assert decide(3).action("create_refund").param("amount") == Decimal("5000")


@given(paid=st.decimals(min_value=0, max_value=10**6, places=2))
def test_wrong_job_refund_never_exceeds_cap_or_payment(paid):
    amount = pre.wrong_job_refund_amount(amount_paid=paid, policy=P)
    assert amount == min(paid, Decimal("3000"))
    assert amount <= paid


@pytest.mark.parametrize(
    "detail, placed, can_deliver, outcome, bonus",
    [
        ("address", True, True, "edit_refused_partner_delivers_elsewhere", "100"),
        ("address", True, False, "edit_refused", None),
        ("address", False, True, "edit_refused", None),
        ("number", True, True, "edit_refused", None),
        ("name", False, False, "edit_refused", None),
        ("email", True, False, "edit_refused", None),
    ],
)
def test_personal_details_cannot_be_edited(detail, placed, can_deliver, outcome, bonus):
    decision = pre.decide_personal_details_edit(
        detail=detail, booking_placed=placed, partner_can_deliver_elsewhere=can_deliver, policy=P
    )
    assert decision.outcome == outcome
    assert decision.refused is True
    paid = decision.action("partner_bonus")
    assert (paid.param("amount") if paid else None) == (Decimal(bonus) if bonus else None)


def test_changed_address_bonus_is_a_parameter():
    decision = pre.decide_personal_details_edit(
        detail="address",
        booking_placed=True,
        partner_can_deliver_elsewhere=True,
        policy=policy_with(changed_address_partner_bonus=Decimal("120")),
    )
    assert decision.action("partner_bonus").param("amount") == Decimal("120")


@pytest.mark.parametrize(
    "book_now, outcome", [(True, "assist_booking_now"), (False, "guide_booking_later")]
)
def test_service_enquiry(book_now, outcome):
    decision = pre.decide_service_enquiry(book_now=book_now, policy=P)
    assert decision.outcome == outcome
    assert decision.action_kinds == ("call_customer",)


@pytest.mark.parametrize(
    "blocked, available, updated, pros, alternate, outcome",
    [
        (True, True, True, True, True, "blocked_user_excluded"),
        (False, True, False, True, False, "ask_app_update"),
        (False, True, True, False, False, "suggest_alternate_service"),
        (False, False, False, False, False, "suggest_alternate_service"),
        (False, True, True, False, True, "escalated_with_screenshot"),
        (False, True, True, True, False, "escalated_with_screenshot"),
        (False, False, False, False, True, "escalated_with_screenshot"),
    ],
)
def test_unable_to_book_ladder(blocked, available, updated, pros, alternate, outcome):
    decision = pre.decide_unable_to_book(
        blocked_user=blocked,
        service_available=available,
        app_updated=updated,
        professionals_available=pros,
        alternate_service_suggested=alternate,
        policy=P,
    )
    assert decision.outcome == outcome
    if outcome == "escalated_with_screenshot":
        assert decision.action("request_images").param("what") == "screenshot"
        escalate = decision.action("escalate")
        assert escalate.param("to") == "Sajan/Karuna"
        assert escalate.param("cc") == ("AM", "TL", "QA")


@pytest.mark.parametrize(
    "confirmed, sent, received, outcome, kinds",
    [
        (False, False, False, "confirm_email", ("call_customer",)),
        (True, False, False, "ob_form_parked", ("send_ob_form", "park")),
        (True, True, False, "ob_form_still_parked", ()),
        (True, True, True, "ob_email_received", ("unpark",)),
    ],
)
def test_ob_form(confirmed, sent, received, outcome, kinds):
    decision = pre.decide_ob_form(
        email_confirmed=confirmed, email_sent=sent, email_received=received, policy=P
    )
    assert decision.outcome == outcome
    assert decision.action_kinds == kinds
    if outcome == "ob_form_parked":
        assert decision.action("send_ob_form").param("tat_hours") == 24
        assert decision.action("park").param("until_event") == "ob_email_received"
        assert "24-hour TAT" in decision.reason


def test_ob_form_reply_due_uses_the_tat():
    sent = datetime(2026, 5, 4, 18, 0)
    assert pre.ob_form_reply_due(sent_at=sent, policy=P) == datetime(2026, 5, 5, 18, 0)
    assert pre.ob_form_reply_due(
        sent_at=sent, policy=policy_with(ob_form_tat_hours=48)
    ) == datetime(2026, 5, 6, 18, 0)
