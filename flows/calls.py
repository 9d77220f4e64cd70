"""A follow-up call logged and decided: the pending-customer-action SOP applied to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.roles import User
from policies.decision import Decision

from .runner import decide_case

CALL_ATTEMPT_FLOW = "follow_up.call_attempt"


def record_call_attempt(
    *,
    case_id: int,
    actor: User | None,
    outcome: str,
    at: datetime,
    material_needed: bool | None = None,
    operations_note_days: int | None = None,
    new_appointment_at: datetime | None = None,
    script: Sequence[str] = (),
) -> Decision:
    """Log one follow-up call (a CALL_ATTEMPT event) and apply the pending-customer-action
    SOP to it: the earlier calls come from the case's CALL_ATTEMPT events and the business
    days from the region's calendar. `script`: the call script's steps done on the call; one
    that is not a step of the case's script is a 400 on `script`."""
    inputs: dict[str, Any] = {"outcome": outcome, "at": at}
    if material_needed is not None:
        inputs["material_needed"] = material_needed
    if operations_note_days is not None:
        inputs["operations_note_days"] = operations_note_days
    if new_appointment_at is not None:
        inputs["new_appointment_at"] = new_appointment_at
    run = decide_case(
        case_id=case_id,
        flow=CALL_ATTEMPT_FLOW,
        inputs=inputs,
        actor=actor,
        script_done=script,
        reject_unknown_steps=True,
    )
    return run.decision
