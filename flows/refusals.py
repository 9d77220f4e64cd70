"""Refusals at an SOP gate, kept. A gate (a revisit asked for, an OOS ticket raised, a gate
flow) that refuses answers 422 and rolls its work back; the refusal itself, with the decision
and the inputs it was made on, is then written on its own (cases.GateRefusal), so a backtest
can replay it and show what a changed number would have allowed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from cases.models import Booking, Case, GateRefusal
from core.errors import PolicyRefusal
from core.roles import User
from policies.decision import Decision, to_jsonable


class RefusedAtGate(PolicyRefusal):
    """The gate's 422, carrying what to keep of it."""

    def __init__(self, decision: Decision, payload: dict[str, Any], **where: Any):
        super().__init__(decision.reason, code=decision.outcome)
        self.decision, self.payload, self.where = decision, payload, where


def refused(
    decision: Decision,
    *,
    booking: Booking | None,
    case: Case | None = None,
    actor: User | None,
    zone: ZoneInfo,
    flow: str = "",
    given: Mapping[str, Any] | None = None,
    filled: Mapping[str, Any] | None = None,
) -> RefusedAtGate:
    """The refusal to raise from inside the gate's transaction."""
    payload = {
        **decision.to_dict(),
        "flow": flow,
        "given_inputs": to_jsonable(dict(given or {})),
        "filled_inputs": to_jsonable(dict(filled or {})),
        "zone": zone.key,
    }
    return RefusedAtGate(
        decision,
        payload,
        booking_id=booking.pk if booking else None,
        case_id=case.pk if case else None,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )


@contextmanager
def keeping_refusals() -> Iterator[None]:
    """Around the gate's transaction: a refusal raised inside is written once that
    transaction has rolled back, then raised on."""
    try:
        yield
    except RefusedAtGate as exc:
        GateRefusal.objects.create(
            booking_id=exc.where["booking_id"],
            case_id=exc.where["case_id"],
            actor=exc.where["actor"],
            payload=exc.payload,
            policy_version=exc.decision.policy_version,
        )
        raise
