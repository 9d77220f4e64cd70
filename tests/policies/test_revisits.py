"""Revisit work SOP: warranty, SME revisits, scenarios 1-5, PAF reversal requests."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.parameters import DEFAULT_POLICY, Policy, PolicyParameters
from policies.sop import revisits
from policies.sop.revisits import (
    BAD_EXPERIENCE,
    TAG_NON_SME_PAYOUT,
    TAG_SME_PAYOUT,
    TAG_WORK_INFO,
    decide_paf_reversal_request,
    decide_scenario_1,
    decide_scenario_2,
    decide_scenario_3,
    decide_scenario_4,
    decide_scenario_5,
    is_sme_revisit,
    may_create_revisit,
    revisit_penalty_amount,
)

SERVICE = date(2026, 10, 1)


def policy_with(**changes) -> Policy:
    return Policy(version="test-modified", params=replace(PolicyParameters(), **changes))


@pytest.mark.parametrize(
    "days_after_service, outcome, refused",
    [
        (0, "revisit_allowed", False),
        (29, "revisit_allowed", False),
        (30, "revisit_allowed", False),
        (31, "revisit_refused_outside_warranty", True),
    ],
)
def test_revisit_only_inside_warranty(days_after_service, outcome, refused):
    decision = may_create_revisit(
        service_date=SERVICE,
        requested_on=SERVICE + timedelta(days=days_after_service),
        policy=DEFAULT_POLICY,
    )
    assert decision.outcome == outcome
    assert decision.refused is refused
    assert decision.has_action("create_revisit_booking") is not refused
    assert decision.tag == TAG_WORK_INFO
    assert decision.policy_version == DEFAULT_POLICY.version


def test_refusal_reason_cites_dates_and_parameters():
    decision = may_create_revisit(
        service_date=SERVICE, requested_on=date(2026, 11, 1), policy=DEFAULT_POLICY
    )
    assert decision.reason == (
        "Revisit SOP: service on 2026-10-01 is 31 days ago, outside the 30-day warranty "
        "(policy sop-2026.1)"
    )


@pytest.mark.parametrize("days_after_service, allowed", [(31, True), (45, True), (46, False)])
def test_longer_warranty_changes_the_decision(days_after_service, allowed):
    policy = policy_with(warranty_days=45)
    decision = may_create_revisit(
        service_date=SERVICE,
        requested_on=SERVICE + timedelta(days=days_after_service),
        policy=policy,
    )
    assert decision.refused is not allowed
    assert decision.policy_version == "test-modified"
    assert "45-day warranty" in decision.reason


def test_revisit_before_the_service_is_an_input_error():
    with pytest.raises(ValueError):
        may_create_revisit(
            service_date=SERVICE, requested_on=date(2026, 9, 30), policy=DEFAULT_POLICY
        )


@pytest.mark.parametrize("prior, sme", [(0, False), (1, True)])
def test_second_revisit_on_the_same_issue_is_sme(prior, sme):
    assert is_sme_revisit(prior_revisits_on_issue=prior) is sme
    decision = may_create_revisit(
        service_date=SERVICE,
        requested_on=SERVICE + timedelta(days=3),
        prior_revisits_on_issue=prior,
        policy=DEFAULT_POLICY,
    )
    assert decision.has_action("mark_sme_revisit") is sme
    assert decision.outcome == ("sme_revisit_allowed" if sme else "revisit_allowed")


@pytest.mark.parametrize("prior", [2, 5])
def test_a_revisit_after_the_sme_one_is_escalated_not_made(prior):
    decision = may_create_revisit(
        service_date=SERVICE,
        requested_on=SERVICE + timedelta(days=3),
        prior_revisits_on_issue=prior,
        policy=DEFAULT_POLICY,
    )
    assert decision.outcome == "revisit_beyond_sme_escalated"
    assert decision.refused
    assert decision.action_kinds == ("escalate",)
    assert decision.action("escalate").param("to") == "supervisor"
    assert f"revisit number {prior + 1}" in decision.reason


def test_sme_ordinal_is_a_parameter():
    policy = policy_with(sme_revisit_number=3)
    assert is_sme_revisit(prior_revisits_on_issue=1, policy=policy) is False
    assert is_sme_revisit(prior_revisits_on_issue=2, policy=policy) is True
    with pytest.raises(ValueError):
        is_sme_revisit(prior_revisits_on_issue=-1)


# Scenario 1: revisit created but the customer cancelled.
@pytest.mark.parametrize(
    "denied, shared_number, paf, penalty, genuine, outcome, kinds",
    [
        # Case 1: nothing marked, IR not triggered, close.
        (False, False, False, False, False, "no_paf_close_ticket",
         ("no_paf", "call_partner", "set_status")),
        (True, False, False, False, False, "no_paf_close_ticket",
         ("no_paf", "call_partner", "set_status")),
        # Case 2 step 1: genuine PAF (check point or review) stands.
        (True, False, True, True, False, "paf_genuine_not_reversed", ("refuse_reversal",)),
        (False, True, True, True, False, "paf_genuine_not_reversed", ("refuse_reversal",)),
        (False, False, True, True, True, "paf_genuine_not_reversed", ("refuse_reversal",)),
        # Case 2 step 2: not genuine, reversal form.
        (False, False, True, True, False, "paf_not_genuine_reversal_form",
         ("offer_reversal_form",)),
        # Only one of the two marked: reviewed like case 2.
        (False, False, True, False, False, "paf_not_genuine_reversal_form",
         ("offer_reversal_form",)),
        (False, False, False, True, True, "paf_genuine_not_reversed", ("refuse_reversal",)),
    ],
)  # fmt: skip
def test_scenario_1(denied, shared_number, paf, penalty, genuine, outcome, kinds):
    decision = decide_scenario_1(
        pro_discussed_and_denied=denied,
        pro_shared_personal_number=shared_number,
        paf_marked=paf,
        penalty_marked=penalty,
        paf_genuine=genuine,
        policy=DEFAULT_POLICY,
    )
    assert decision.outcome == outcome
    assert decision.action_kinds == kinds
    assert decision.refused is (outcome == "paf_genuine_not_reversed")
    assert decision.tag == TAG_WORK_INFO
    if decision.refused:
        assert BAD_EXPERIENCE in decision.reason


# Scenario 2: revisit created, work not required.
@pytest.mark.parametrize(
    "responsive, agrees, paf, genuine, outcome, kinds",
    [
        (True, True, True, False, "customer_cancels_placed_by_mistake",
         ("ask_customer_to_cancel", "set_status")),
        (False, True, False, False, "partner_cancels_no_paf", ("ask_partner_to_cancel", "no_paf")),
        (True, False, False, False, "partner_cancels_no_paf", ("ask_partner_to_cancel", "no_paf")),
        (False, False, True, False, "partner_cancels_reversal_form",
         ("ask_partner_to_cancel", "offer_reversal_form")),
        (True, False, True, True, "partner_cancels_paf_genuine",
         ("ask_partner_to_cancel", "refuse_reversal")),
    ],
)  # fmt: skip
def test_scenario_2(responsive, agrees, paf, genuine, outcome, kinds):
    decision = decide_scenario_2(
        customer_responsive=responsive,
        customer_agrees_to_cancel=agrees,
        paf_marked=paf,
        paf_genuine=genuine,
        policy=DEFAULT_POLICY,
    )
    assert decision.outcome == outcome
    assert decision.action_kinds == kinds
    if outcome == "customer_cancels_placed_by_mistake":
        assert decision.action("ask_customer_to_cancel").param("code") == (
            "Placed Revisit by Mistake"
        )


# Scenario 3: new work required, customer denied it.
@pytest.mark.parametrize(
    "accepts_sku, agrees, paf, genuine, outcome, kinds",
    [
        (None, False, False, False, "estimate_to_trainer", ("call_partner", "escalate")),
        (True, False, False, False, "new_work_accepted", ("call_partner",)),
        (False, True, True, False, "customer_cancels_issue_resolved",
         ("ask_customer_to_cancel", "set_status")),
        (False, False, False, False, "partner_cancels_no_paf", ("ask_partner_to_cancel", "no_paf")),
        (False, False, True, False, "partner_cancels_reversal_form",
         ("ask_partner_to_cancel", "offer_reversal_form")),
        (False, False, True, True, "partner_cancels_paf_genuine",
         ("ask_partner_to_cancel", "refuse_reversal")),
    ],
)  # fmt: skip
def test_scenario_3(accepts_sku, agrees, paf, genuine, outcome, kinds):
    decision = decide_scenario_3(
        customer_accepts_new_sku=accepts_sku,
        customer_agrees_to_cancel=agrees,
        paf_marked=paf,
        paf_genuine=genuine,
        policy=DEFAULT_POLICY,
    )
    assert decision.outcome == outcome
    assert decision.action_kinds == kinds
    if outcome == "estimate_to_trainer":
        assert decision.action("escalate").param("to") == "trainer"
    if outcome == "customer_cancels_issue_resolved":
        assert decision.action("ask_customer_to_cancel").param("code") == "Issue resolved"


# Scenario 4: partner denied / no show / poor service: PAF + 60% penalty.
@pytest.mark.parametrize(
    "failure, invoice, penalty",
    [
        ("denied_job", Decimal("1000"), Decimal("600.00")),
        ("no_show", Decimal("999.99"), Decimal("599.99")),
        ("no_contact_attempt", Decimal("0.01"), Decimal("0.01")),
        ("unresponsive", Decimal("0.07"), Decimal("0.04")),
        ("poor_service", Decimal("0"), Decimal("0.00")),
    ],
)
def test_scenario_4_paf_and_penalty(failure, invoice, penalty):
    decision = decide_scenario_4(
        partner_failure=failure, original_invoice_amount=invoice, policy=DEFAULT_POLICY
    )
    assert decision.outcome == "paf_and_penalty_marked"
    assert decision.action_kinds == ("mark_paf", "create_penalty", "refuse_reversal")
    created = decision.action("create_penalty")
    assert created.param("rate") == Decimal("0.60")
    assert created.param("base_amount") == invoice
    assert created.param("amount") == penalty
    assert "cannot be reversed because the customer faced a bad experience" in decision.reason


def test_scenario_4_penalty_rate_is_a_parameter():
    decision = decide_scenario_4(
        partner_failure="no_show",
        original_invoice_amount=Decimal("1000"),
        policy=policy_with(revisit_penalty_rate=Decimal("0.50")),
    )
    assert decision.action("create_penalty").param("amount") == Decimal("500.00")
    assert decision.policy_version == "test-modified"


def test_scenario_4_rounds_half_up_to_the_minor_unit():
    policy = policy_with(revisit_penalty_rate=Decimal("0.65"))
    # 0.65 x 0.10 = 0.065 -> 0.07 half-up (half-even would give 0.06).
    assert revisit_penalty_amount(
        original_invoice_amount=Decimal("0.10"), policy=policy
    ) == Decimal("0.07")


@pytest.mark.parametrize(
    "bad, error", [(1000.0, TypeError), (Decimal("-1"), ValueError), (Decimal("NaN"), ValueError)]
)
def test_scenario_4_rejects_bad_money(bad, error):
    with pytest.raises(error):
        decide_scenario_4(
            partner_failure="no_show", original_invoice_amount=bad, policy=DEFAULT_POLICY
        )


def test_scenario_4_rejects_unknown_failure():
    with pytest.raises(ValueError):
        decide_scenario_4(
            partner_failure="late", original_invoice_amount=Decimal("1"), policy=DEFAULT_POLICY
        )


@given(invoice=st.decimals(min_value=0, max_value=10**8, places=2))
def test_penalty_is_the_rounded_rate_of_the_invoice(invoice):
    penalty = revisit_penalty_amount(original_invoice_amount=invoice, policy=DEFAULT_POLICY)
    exact = invoice * Decimal("0.60")
    assert penalty == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert abs(penalty - exact) <= Decimal("0.005")
    assert Decimal(0) <= penalty <= invoice
    assert penalty.as_tuple().exponent == -2


# Scenario 5: payment issues go to the revisit payment SOP with the right tag.
@pytest.mark.parametrize(
    "missed, sme, outcome, tag",
    [
        (True, True, "sme_payout_issue", TAG_SME_PAYOUT),
        (True, False, "non_sme_payout_issue", TAG_NON_SME_PAYOUT),
        (False, True, "revisit_payment_info", TAG_WORK_INFO),
        (False, False, "revisit_payment_info", TAG_WORK_INFO),
    ],
)
def test_scenario_5_routes_to_payment_sop(missed, sme, outcome, tag):
    decision = decide_scenario_5(payout_missed=missed, is_sme_revisit=sme, policy=DEFAULT_POLICY)
    assert decision.outcome == outcome
    assert decision.tag == tag
    assert decision.action("route_to_sop").param("sop") == "revisit-payment"


def test_money_revisit_tags_are_spelled_as_in_the_sop():
    assert revisits.MONEY_REVISIT_TAGS == (
        "1.3 Money-revisit issue : revisit work related info",
        "1.3 Money-revisit issue : SME Revisit - Payout issue",
        "1.3 Money-revisit issue : Non-SME Revisit - Payout issue",
    )


@pytest.mark.parametrize(
    "genuine, outcome, kinds, refused",
    [
        (True, "paf_reversal_refused", ("refuse_reversal",), True),
        (False, "paf_reversal_form", ("offer_reversal_form",), False),
    ],
)
def test_paf_reversal_request(genuine, outcome, kinds, refused):
    decision = decide_paf_reversal_request(paf_genuine=genuine, policy=DEFAULT_POLICY)
    assert decision.outcome == outcome
    assert decision.action_kinds == kinds
    assert decision.refused is refused
    if genuine:
        assert decision.action("refuse_reversal").param("reason") == BAD_EXPERIENCE


def test_every_decision_records_the_policy_version_it_used():
    policy = Policy(version="audit-check")
    decisions = [
        may_create_revisit(service_date=SERVICE, requested_on=SERVICE, policy=policy),
        decide_paf_reversal_request(paf_genuine=True, policy=policy),
        decide_scenario_1(
            pro_discussed_and_denied=False,
            pro_shared_personal_number=False,
            paf_marked=False,
            penalty_marked=False,
            paf_genuine=False,
            policy=policy,
        ),
        decide_scenario_4(
            partner_failure="no_show", original_invoice_amount=Decimal("10"), policy=policy
        ),
        decide_scenario_5(payout_missed=True, is_sme_revisit=True, policy=policy),
    ]
    for decision in decisions:
        assert decision.policy_version == "audit-check"
        assert decision.reason.endswith("(policy audit-check)")


# The revisit penalty by its SOP path: only on a revisit job, the reason names the path.
@pytest.mark.parametrize(
    "path, named",
    [
        ("revisit_scenario_1", "scenario 1, the customer cancelled the revisit"),
        ("revisit_scenario_2", "scenario 2, the partner cancelled a revisit whose work"),
        ("revisit_scenario_3", "scenario 3, the partner cancelled a revisit whose new work"),
        ("revisit_scenario_4", "scenario 4, the partner denied the revisit"),
    ],
)
def test_revisit_penalty_names_its_sop_path(path, named):
    decision = revisits.decide_revisit_penalty(
        path=path,
        is_revisit_job=True,
        original_invoice_amount=Decimal("833.33"),
        policy=DEFAULT_POLICY,
    )
    assert (decision.outcome, decision.refused) == ("revisit_penalty", False)
    assert decision.reason.startswith(f"Revisit SOP: {named}")
    created = decision.action("create_penalty")
    assert (created.param("path"), created.param("rate"), created.param("amount")) == (
        path,
        Decimal("0.60"),
        Decimal("500.00"),
    )


@pytest.mark.parametrize("path", sorted(revisits.PENALTY_PATHS))
def test_no_sop_path_gives_a_penalty_on_a_job_that_is_not_a_revisit(path):
    decision = revisits.decide_revisit_penalty(
        path=path,
        is_revisit_job=False,
        original_invoice_amount=Decimal("1000.00"),
        policy=DEFAULT_POLICY,
    )
    assert (decision.outcome, decision.refused, decision.actions) == ("no_penalty_path", True, ())
    assert "not a revisit" in decision.reason


@pytest.mark.parametrize("path", ["", "oos", "revisit_scenario_5", None])
def test_a_penalty_path_the_revisit_sop_does_not_have_is_an_input_error(path):
    with pytest.raises(ValueError):
        revisits.decide_revisit_penalty(
            path=path,
            is_revisit_job=True,
            original_invoice_amount=Decimal("1.00"),
            policy=DEFAULT_POLICY,
        )


def test_scenario_4_names_its_penalty_path():
    decision = decide_scenario_4(
        partner_failure="no_show", original_invoice_amount=Decimal("100"), policy=DEFAULT_POLICY
    )
    assert decision.action("create_penalty").param("path") == revisits.PENALTY_SCENARIO_4
