"""Revisit work SOP (revisit-work.txt): warranty, SME revisits, PAF and penalty scenarios 1-5."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..actions import ActionKind
from ..decision import Action, Decision, make_decision, require_choice, require_date, require_money
from ..parameters import DEFAULT_POLICY, Policy

SOP = "Revisit SOP"

# The SOP's three tags, spelled exactly as written.
TAG_WORK_INFO = "1.3 Money-revisit issue : revisit work related info"
TAG_SME_PAYOUT = "1.3 Money-revisit issue : SME Revisit - Payout issue"
TAG_NON_SME_PAYOUT = "1.3 Money-revisit issue : Non-SME Revisit - Payout issue"
MONEY_REVISIT_TAGS: tuple[str, ...] = (TAG_WORK_INFO, TAG_SME_PAYOUT, TAG_NON_SME_PAYOUT)

# Cancellation reasons the customer is asked to pick (scenarios 2 and 3).
PLACED_BY_MISTAKE = "Placed Revisit by Mistake"
ISSUE_RESOLVED = "Issue resolved"

# What the partner is told when a PAF stands (scenarios 1 and 4).
BAD_EXPERIENCE = (
    "this cannot be reversed because the customer faced a bad experience due to the partner"
)

# The payout SOP that scenario 5 hands over to; it is not one of our five SOPs.
REVISIT_PAYMENT_SOP = "revisit-payment"

# Scenario 4 check points: how the partner failed the revisit.
PARTNER_FAILURES: frozenset[str] = frozenset(
    {"denied_job", "no_show", "no_contact_attempt", "unresponsive", "poor_service"}
)


# The revisit SOP's paths that put a revisit penalty on the partner with his PAF; a penalty's
# reason names the one that produced it. Every path is about a revisit job: no other job, and
# no other SOP, carries this penalty.
PENALTY_SCENARIO_1 = "revisit_scenario_1"
PENALTY_SCENARIO_2 = "revisit_scenario_2"
PENALTY_SCENARIO_3 = "revisit_scenario_3"
PENALTY_SCENARIO_4 = "revisit_scenario_4"
PENALTY_PATHS: dict[str, str] = {
    PENALTY_SCENARIO_1: (
        "scenario 1, the customer cancelled the revisit and the partner is at fault (he denied "
        "the job after a discussion, or shared his personal number)"
    ),
    PENALTY_SCENARIO_2: (
        "scenario 2, the partner cancelled a revisit whose work was not required (PAF and "
        "penalty are notified as he cancels)"
    ),
    PENALTY_SCENARIO_3: (
        "scenario 3, the partner cancelled a revisit whose new work the customer denied (PAF "
        "and penalty are notified as he cancels)"
    ),
    PENALTY_SCENARIO_4: (
        "scenario 4, the partner denied the revisit, did not show, did not contact the "
        "customer, was unresponsive, or served poorly"
    ),
}


def days_since_service(*, service_date: date, on: date) -> int:
    """Whole days from the service day (day 0) to `on`; a contact before the service is an
    input error, not a decision."""
    days = (require_date(on, "on") - require_date(service_date, "service_date")).days
    if days < 0:
        raise ValueError(f"{on} is before the service date {service_date}")
    return days


def is_sme_revisit(*, prior_revisits_on_issue: int, policy: Policy = DEFAULT_POLICY) -> bool:
    """Whether the next revisit on an issue is an SME revisit: the second one and any after
    it (the SOP names only the second; a third would not go back to a non-SME partner)."""
    if isinstance(prior_revisits_on_issue, bool) or prior_revisits_on_issue < 0:
        raise ValueError("prior_revisits_on_issue must be a non-negative integer")
    return prior_revisits_on_issue + 1 >= policy.params.sme_revisit_number


def revisit_penalty_amount(*, original_invoice_amount: Decimal, policy: Policy) -> Decimal:
    """Scenario 4 penalty: revisit_penalty_rate x original invoice, rounded once."""
    require_money(original_invoice_amount, "original_invoice_amount")
    rate = policy.params.revisit_penalty_rate
    return policy.params.round_money(original_invoice_amount * rate)


def decide_revisit_penalty(
    *, path: str, is_revisit_job: bool, original_invoice_amount: Decimal, policy: Policy
) -> Decision:
    """Whether the revisit penalty applies by the named SOP path: only on a revisit job (the
    SOP's penalty is "60% of total original invoice" of the job revisited). Anywhere else no
    SOP path gives a penalty, and the decision is refused. An unknown path is an input error."""
    require_choice(path, "path", PENALTY_PATHS)
    require_money(original_invoice_amount, "original_invoice_amount")
    inputs = {
        "path": path,
        "is_revisit_job": is_revisit_job,
        "original_invoice_amount": original_invoice_amount,
    }
    if not is_revisit_job:
        return make_decision(
            policy,
            sop=SOP,
            outcome="no_penalty_path",
            reason=(
                f"the revisit penalty ({PENALTY_PATHS[path]}) is for a revisit job; this job "
                "is not a revisit, so no SOP path gives it a penalty"
            ),
            refused=True,
            inputs=inputs,
        )
    rate = policy.params.revisit_penalty_rate
    penalty = revisit_penalty_amount(original_invoice_amount=original_invoice_amount, policy=policy)
    return make_decision(
        policy,
        sop=SOP,
        outcome="revisit_penalty",
        reason=(
            f"{PENALTY_PATHS[path]}: a penalty of {rate} x original invoice "
            f"{original_invoice_amount} = {penalty}, deducted from the next payout once the PAF "
            "is genuine"
        ),
        actions=[
            Action.of(
                ActionKind.CREATE_PENALTY,
                path=path,
                rate=rate,
                base_amount=original_invoice_amount,
                amount=penalty,
                deduct_from="next_payout",
            )
        ],
        tag=TAG_WORK_INFO,
        inputs=inputs,
    )


def may_create_revisit(
    *,
    service_date: date,
    requested_on: date,
    policy: Policy,
    prior_revisits_on_issue: int = 0,
) -> Decision:
    """A customer asks for a revisit: allowed only inside the warranty (day 30 yes, day 31 no
    with the default 30 days); the second revisit on the same issue is marked SME; one after
    the SME revisit is not made but escalated to a supervisor."""
    days = days_since_service(service_date=service_date, on=requested_on)
    warranty = policy.params.warranty_days
    inputs = {
        "service_date": service_date,
        "requested_on": requested_on,
        "prior_revisits_on_issue": prior_revisits_on_issue,
    }
    if days > warranty:
        return make_decision(
            policy,
            sop=SOP,
            outcome="revisit_refused_outside_warranty",
            reason=(
                f"service on {service_date} is {days} days ago, outside the {warranty}-day warranty"
            ),
            tag=TAG_WORK_INFO,
            refused=True,
            inputs=inputs,
        )
    ordinal = prior_revisits_on_issue + 1
    sme_number = policy.params.sme_revisit_number
    if ordinal > sme_number:
        # The SOP stops at the SME revisit; another one is not made silently.
        return make_decision(
            policy,
            sop=SOP,
            outcome="revisit_beyond_sme_escalated",
            reason=(
                f"revisit number {ordinal} on this issue comes after the SME revisit (number "
                f"{sme_number}): no further revisit is created; escalate to a supervisor with "
                "the history of the revisits"
            ),
            actions=[
                Action.of(
                    ActionKind.ESCALATE,
                    to="supervisor",
                    reason=f"revisit number {ordinal} asked after the SME revisit",
                )
            ],
            tag=TAG_WORK_INFO,
            refused=True,
            inputs=inputs,
        )
    sme = is_sme_revisit(prior_revisits_on_issue=prior_revisits_on_issue, policy=policy)
    actions = [Action.of(ActionKind.CREATE_REVISIT_BOOKING, service_date=service_date)]
    if sme:
        actions.append(Action.of(ActionKind.MARK_SME_REVISIT))
    return make_decision(
        policy,
        sop=SOP,
        outcome="sme_revisit_allowed" if sme else "revisit_allowed",
        reason=(
            f"service on {service_date} is {days} days ago, inside the {warranty}-day warranty "
            f"(day {warranty} is the last day); revisit number {ordinal} on this issue"
            + (
                f" is an SME revisit (from revisit number {policy.params.sme_revisit_number})"
                if sme
                else " is delivered by a regular partner"
            )
        ),
        actions=actions,
        tag=TAG_WORK_INFO,
        inputs=inputs,
    )


def decide_paf_reversal_request(*, paf_genuine: bool, policy: Policy) -> Decision:
    """A partner asks to reverse a PAF/penalty: genuine ones stand, the rest go on the form."""
    inputs = {"paf_genuine": paf_genuine}
    if paf_genuine:
        return make_decision(
            policy,
            sop=SOP,
            outcome="paf_reversal_refused",
            reason=f"the PAF is genuine: tell the partner {BAD_EXPERIENCE}",
            actions=[Action.of(ActionKind.REFUSE_REVERSAL, reason=BAD_EXPERIENCE)],
            tag=TAG_WORK_INFO,
            refused=True,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="paf_reversal_form",
        reason="the PAF is not genuine: fill the PAF and penalty reversal form",
        actions=[Action.of(ActionKind.OFFER_REVERSAL_FORM)],
        tag=TAG_WORK_INFO,
        inputs=inputs,
    )


def decide_scenario_1(
    *,
    pro_discussed_and_denied: bool,
    pro_shared_personal_number: bool,
    paf_marked: bool,
    penalty_marked: bool,
    paf_genuine: bool,
    policy: Policy,
) -> Decision:
    """Scenario 1, revisit created but the customer cancelled (before BT or with the partner
    on site). Case 1: neither PAF nor penalty marked, close. Case 2: a mark exists, review it.

    `paf_genuine` is the agent's finding from the call recordings and the customer; a partner
    who denied the job after a discussion or shared a personal number is at fault whatever
    that finding says, as the SOP's check point makes it so.
    """
    inputs = {
        "pro_discussed_and_denied": pro_discussed_and_denied,
        "pro_shared_personal_number": pro_shared_personal_number,
        "paf_marked": paf_marked,
        "penalty_marked": penalty_marked,
        "paf_genuine": paf_genuine,
    }
    partner_at_fault = pro_discussed_and_denied or pro_shared_personal_number
    if not paf_marked and not penalty_marked:
        return make_decision(
            policy,
            sop=SOP,
            outcome="no_paf_close_ticket",
            reason=(
                "scenario 1 case 1: neither PAF nor revisit penalty is marked, so IR will not "
                "trigger; close the ticket and tell the partner this will not affect them"
            ),
            actions=[
                Action.of(ActionKind.NO_PAF),
                Action.of(ActionKind.CALL_PARTNER, purpose="inform_no_impact"),
                Action.of(ActionKind.SET_STATUS, status="resolved"),
            ],
            tag=TAG_WORK_INFO,
            inputs=inputs,
        )
    # A single mark (PAF without penalty or the reverse) is reviewed like case 2: it still
    # affects the partner, and case 1 is the "nothing marked, IR not triggered" case.
    genuine = partner_at_fault or paf_genuine
    why = (
        "the partner denied the job after a discussion or shared a personal number"
        if partner_at_fault
        else "the call recordings and the customer confirm the partner was at fault"
    )
    if genuine:
        return make_decision(
            policy,
            sop=SOP,
            outcome="paf_genuine_not_reversed",
            reason=f"scenario 1 case 2 step 1: the PAF is genuine ({why}); {BAD_EXPERIENCE}",
            actions=[Action.of(ActionKind.REFUSE_REVERSAL, reason=BAD_EXPERIENCE)],
            tag=TAG_WORK_INFO,
            refused=True,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="paf_not_genuine_reversal_form",
        reason=(
            "scenario 1 case 2 step 2: the PAF is not genuine; fill the PAF and penalty "
            "reversal form"
        ),
        actions=[Action.of(ActionKind.OFFER_REVERSAL_FORM)],
        tag=TAG_WORK_INFO,
        inputs=inputs,
    )


def _partner_cancels(
    *, step: str, paf_marked: bool, paf_genuine: bool, policy: Policy, inputs: dict[str, object]
) -> Decision:
    """Scenarios 2 and 3 end the same way: the partner cancels, then any PAF is reviewed."""
    cancel = Action.of(ActionKind.ASK_PARTNER_TO_CANCEL)
    if not paf_marked:
        return make_decision(
            policy,
            sop=SOP,
            outcome="partner_cancels_no_paf",
            reason=f"{step}: ask the partner to cancel at his end; no PAF or penalty is marked",
            actions=[cancel, Action.of(ActionKind.NO_PAF)],
            tag=TAG_WORK_INFO,
            inputs=inputs,
        )
    if paf_genuine:
        return make_decision(
            policy,
            sop=SOP,
            outcome="partner_cancels_paf_genuine",
            reason=(
                f"{step}: ask the partner to cancel at his end; the PAF is genuine, "
                f"{BAD_EXPERIENCE}"
            ),
            actions=[cancel, Action.of(ActionKind.REFUSE_REVERSAL, reason=BAD_EXPERIENCE)],
            tag=TAG_WORK_INFO,
            refused=True,
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="partner_cancels_reversal_form",
        reason=(
            f"{step}: ask the partner to cancel at his end; the PAF is not genuine, fill the "
            "PAF and penalty reversal form"
        ),
        actions=[cancel, Action.of(ActionKind.OFFER_REVERSAL_FORM)],
        tag=TAG_WORK_INFO,
        inputs=inputs,
    )


def decide_scenario_2(
    *,
    customer_responsive: bool,
    customer_agrees_to_cancel: bool,
    paf_marked: bool,
    paf_genuine: bool,
    policy: Policy,
) -> Decision:
    """Scenario 2, revisit created but work not required (PAF and penalty are notified as
    soon as the partner cancels, so the customer is asked to cancel first)."""
    inputs = {
        "customer_responsive": customer_responsive,
        "customer_agrees_to_cancel": customer_agrees_to_cancel,
        "paf_marked": paf_marked,
        "paf_genuine": paf_genuine,
    }
    if customer_responsive and customer_agrees_to_cancel:
        return make_decision(
            policy,
            sop=SOP,
            outcome="customer_cancels_placed_by_mistake",
            reason=(
                f'scenario 2 step 1: the customer cancels with "{PLACED_BY_MISTAKE}"; close '
                "the ticket"
            ),
            actions=[
                Action.of(ActionKind.ASK_CUSTOMER_TO_CANCEL, code=PLACED_BY_MISTAKE),
                Action.of(ActionKind.SET_STATUS, status="resolved"),
            ],
            tag=TAG_WORK_INFO,
            inputs=inputs,
        )
    step = (
        "scenario 2 step 2 (customer unresponsive)"
        if not customer_responsive
        else "scenario 2 step 2 (customer does not agree to cancel)"
    )
    return _partner_cancels(
        step=step, paf_marked=paf_marked, paf_genuine=paf_genuine, policy=policy, inputs=inputs
    )


def decide_scenario_3(
    *,
    customer_accepts_new_sku: bool | None,
    customer_agrees_to_cancel: bool,
    paf_marked: bool,
    paf_genuine: bool,
    policy: Policy,
) -> Decision:
    """Scenario 3, revisit created, new work is required but the customer denied it.

    `customer_accepts_new_sku` is None until the trainer has explained the estimate.
    """
    inputs = {
        "customer_accepts_new_sku": customer_accepts_new_sku,
        "customer_agrees_to_cancel": customer_agrees_to_cancel,
        "paf_marked": paf_marked,
        "paf_genuine": paf_genuine,
    }
    if customer_accepts_new_sku is None:
        return make_decision(
            policy,
            sop=SOP,
            outcome="estimate_to_trainer",
            reason=(
                "scenario 3 step 1: ask the partner to create an estimate; it is routed to the "
                "trainer, who explains to partner and customer why new work is required"
            ),
            actions=[
                Action.of(ActionKind.CALL_PARTNER, purpose="create_estimate"),
                Action.of(
                    ActionKind.ESCALATE,
                    to="trainer",
                    reason="explain to partner and customer why new work is required",
                ),
            ],
            tag=TAG_WORK_INFO,
            inputs=inputs,
        )
    if customer_accepts_new_sku:
        return make_decision(
            policy,
            sop=SOP,
            outcome="new_work_accepted",
            reason="scenario 3: the customer accepts the new SKU; the partner continues the job",
            actions=[Action.of(ActionKind.CALL_PARTNER, purpose="add_new_sku_and_continue")],
            tag=TAG_WORK_INFO,
            inputs=inputs,
        )
    if customer_agrees_to_cancel:
        return make_decision(
            policy,
            sop=SOP,
            outcome="customer_cancels_issue_resolved",
            reason=(
                f'scenario 3 step 2: the customer declines the new SKU and cancels with "'
                f'{ISSUE_RESOLVED}"; close the ticket'
            ),
            actions=[
                Action.of(ActionKind.ASK_CUSTOMER_TO_CANCEL, code=ISSUE_RESOLVED),
                Action.of(ActionKind.SET_STATUS, status="resolved"),
            ],
            tag=TAG_WORK_INFO,
            inputs=inputs,
        )
    return _partner_cancels(
        step="scenario 3 step 2.a (customer does not agree to cancel)",
        paf_marked=paf_marked,
        paf_genuine=paf_genuine,
        policy=policy,
        inputs=inputs,
    )


def decide_scenario_4(
    *, partner_failure: str, original_invoice_amount: Decimal, policy: Policy
) -> Decision:
    """Scenario 4, the partner denied the job, did not show, did not try to contact the
    customer, was unresponsive, or served poorly: PAF plus a penalty from the next payout."""
    require_choice(partner_failure, "partner_failure", PARTNER_FAILURES)
    rate = policy.params.revisit_penalty_rate
    penalty = revisit_penalty_amount(original_invoice_amount=original_invoice_amount, policy=policy)
    return make_decision(
        policy,
        sop=SOP,
        outcome="paf_and_penalty_marked",
        reason=(
            f"scenario 4 ({partner_failure.replace('_', ' ')}): mark PAF and a penalty of "
            f"{rate} x original invoice {original_invoice_amount} = {penalty}, deducted from the "
            f"next payout; {BAD_EXPERIENCE}"
        ),
        actions=[
            Action.of(ActionKind.MARK_PAF, reason=partner_failure),
            Action.of(
                ActionKind.CREATE_PENALTY,
                path=PENALTY_SCENARIO_4,
                rate=rate,
                base_amount=original_invoice_amount,
                amount=penalty,
                deduct_from="next_payout",
            ),
            Action.of(ActionKind.REFUSE_REVERSAL, reason=BAD_EXPERIENCE),
        ],
        tag=TAG_WORK_INFO,
        inputs={
            "partner_failure": partner_failure,
            "original_invoice_amount": original_invoice_amount,
        },
    )


def decide_scenario_5(*, payout_missed: bool, is_sme_revisit: bool, policy: Policy) -> Decision:
    """Scenario 5, any payment issue: hand over to the revisit payment SOP with its tag."""
    inputs = {"payout_missed": payout_missed, "is_sme_revisit": is_sme_revisit}
    if payout_missed:
        tag = TAG_SME_PAYOUT if is_sme_revisit else TAG_NON_SME_PAYOUT
        kind = "SME" if is_sme_revisit else "non-SME"
        reason = f"scenario 5: missed {kind} revisit payout; follow the revisit payment SOP"
        outcome = "sme_payout_issue" if is_sme_revisit else "non_sme_payout_issue"
    else:
        # The payout tags are only for missed payouts; the SOP's other tag is its catch-all.
        tag = TAG_WORK_INFO
        reason = (
            "scenario 5: payment question that is not a missed payout; follow the revisit "
            "payment SOP, tagged as revisit work related info"
        )
        outcome = "revisit_payment_info"
    return make_decision(
        policy,
        sop=SOP,
        outcome=outcome,
        reason=reason,
        actions=[Action.of(ActionKind.ROUTE_TO_SOP, sop=REVISIT_PAYMENT_SOP)],
        tag=tag,
        inputs=inputs,
    )
