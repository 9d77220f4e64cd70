"""The L1 clocks the system keeps without a customer calling: the service promise date (SPD)
passing on a live booking, and a refund still unpaid after its TAT."""

from __future__ import annotations

from datetime import date

from ...actions import ActionKind
from ...decision import Action, Decision, make_decision, require_date
from ...parameters import Policy
from .common import SOP, TAG_DELAY_IN_REFUND, TAG_OUT_OF_SPD


def decide_spd_breached(*, spd: date, today: date, policy: Policy) -> Decision:
    """The promise date has passed and the job is not done: the case is tagged "Out of SPD"
    (as the SOP tags a customer's call about it) and raised to the escalation priority."""
    days = (require_date(today, "today") - require_date(spd, "spd")).days
    inputs = {"spd": spd, "today": today}
    if days <= 0:
        return make_decision(
            policy,
            sop=SOP,
            outcome="spd_not_breached",
            reason=f"the promise date {spd} has not passed",
            inputs=inputs,
        )
    priority = policy.params.escalation_priority
    return make_decision(
        policy,
        sop=SOP,
        outcome="spd_breached",
        reason=f"the service promise date {spd} passed {days} day(s) ago with the job not "
        f"done: out of SPD, priority {priority}",
        actions=[Action.of(ActionKind.SET_PRIORITY, priority=priority)],
        tag=TAG_OUT_OF_SPD,
        inputs=inputs,
    )


def decide_refund_past_tat(*, tat_due_on: date, today: date, policy: Policy) -> Decision:
    """The refund TAT passed unpaid: the "post TAT" complaint ("Delay in refund"), escalated
    to finance."""
    days = (require_date(today, "today") - require_date(tat_due_on, "tat_due_on")).days
    inputs = {"tat_due_on": tat_due_on, "today": today}
    if days <= 0:
        return make_decision(
            policy,
            sop=SOP,
            outcome="refund_within_tat",
            reason=f"the refund TAT ends {tat_due_on}",
            inputs=inputs,
        )
    return make_decision(
        policy,
        sop=SOP,
        outcome="refund_past_tat",
        reason=f"the refund was due by {tat_due_on} and is still unpaid {days} day(s) later: "
        "post-TAT complaint, escalated to finance",
        actions=[Action.of(ActionKind.ESCALATE, to="finance", reason="refund past its TAT")],
        tag=TAG_DELAY_IN_REFUND,
        inputs=inputs,
    )
