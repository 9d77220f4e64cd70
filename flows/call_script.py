"""The follow-up call script of the pending-customer-action SOP: its steps for a case, the
steps an agent ticked, and the CALL_ATTEMPT event that saves them with the call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cases import services as case_services
from cases.catalog import CaseKind
from cases.models import Case, CaseEvent, EventType
from core.errors import InvalidInput
from core.roles import User
from policies.decision import Decision
from policies.sop import followups

from .context import FlowContext
from .flow import PreparedCall


def script_for(case: Case) -> tuple[str, ...]:
    """The SOP's call script for a follow-up case (first visit or second appointment)."""
    first = case.kind == CaseKind.FOLLOW_UP_FIRST_VISIT
    return followups.call_script(
        followups.FLOW_FIRST_VISIT if first else followups.FLOW_SECOND_APPOINTMENT
    )


def done_steps(
    case: Case, ticked: Sequence[str], *, reject_unknown_steps: bool = False
) -> list[str]:
    """The steps of the case's call script that were ticked: each once, in the script's order,
    as a CALL_ATTEMPT event saves them.

    A ticked step that is not in the script is dropped (the console's checkboxes offer only the
    script's steps) or, with `reject_unknown_steps` (the API), a 400 on `script` naming it."""
    script = script_for(case)
    ticked_once = dict.fromkeys(ticked)
    unknown = [step for step in ticked_once if step not in script]
    if unknown and reject_unknown_steps:
        raise InvalidInput(
            {"script": [f"Not a step of this case's call script: {step!r}." for step in unknown]}
        )
    return [step for step in script if step in ticked_once]


def log_call_attempt(
    case: Case,
    actor: User | None,
    prepared: PreparedCall,
    ctx: FlowContext,
    decision: Decision,
    script_done: Sequence[str],
) -> CaseEvent:
    at: datetime = prepared.kwargs["at"]
    return case_services.append_event(
        case,
        type=EventType.CALL_ATTEMPT,
        actor=actor,
        reason=f"Follow-up call: {prepared.kwargs['outcome'].replace('_', ' ')}.",
        payload={
            "outcome": prepared.kwargs["outcome"],
            "at": at.isoformat(),
            "attempt": len(ctx.call_attempts) + 1,
            # The steps of the SOP's call script the agent ticked (done_steps).
            "script": list(script_done),
        },
        policy_version=decision.policy_version,
    )
