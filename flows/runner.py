"""Deciding a case with an SOP flow and carrying the decision out, once, audited.

A flow (flows.table) is decided by a pure function of policies.sop under the policy version
in force at the flow's reference time. A gate flow's refusal writes nothing and is a
PolicyRefusal (422); other refusals are recorded as the answer given. `apply_decision` hands
each action to its handler (flows.handlers), sets the disposition and writes one DECISION
event; record-creating handlers find what an earlier run made instead of making it twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases import services as case_services
from cases.catalog import CaseKind
from cases.models import Case, CaseEvent, CaseStatus, EventType, Task
from core import roles
from core.errors import (
    InvalidInput,
    NotFoundError,
    NotPermitted,
    PolicyRefusal,
    TransitionConflict,
)
from core.roles import User
from policies.decision import Decision, to_jsonable
from policies.parameters import Policy
from policies.selectors import policy_by_version, policy_in_force
from policies.sop import followups

from .context import FlowContext
from .decision_run import DecisionRun
from .flow import Flow, PreparedCall, plain_value
from .handlers import carry_out
from .table import flow_named, flows_for_kind

CLOSED_STATES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
CALL_ATTEMPT_FLOW = "follow_up.call_attempt"


@dataclass(frozen=True)
class FlowRun:
    """A flow applied: its decision, the DECISION event written, the case afterwards."""

    decision: Decision
    event: CaseEvent
    case: Case


def require_case_worker(actor: User | None) -> None:
    """Only agents, partner support and supervisors decide cases with the SOP flows."""
    if not roles.has_role(actor, roles.CASE_WORKERS):
        raise NotPermitted("Only agents, partner support and supervisors may run SOP flows.")


def _flow(name: str) -> Flow:
    flow = flow_named(name)
    if flow is None:
        raise NotFoundError(f"No SOP flow named {name!r}.")
    if flow.system:
        raise InvalidInput({"flow": f"{name} is run by the system's clock, not by hand."})
    return flow


def _cases_with_records() -> QuerySet[Case]:
    return Case.objects.select_related(
        "city__region",
        "customer",
        "partner",
        "disposition",
        "booking__partner",
        "booking__customer",
        "booking__city__region",
        "booking__revisit_of",
    )


def lock_case_with_records(case_id: int) -> Case:
    """The case locked, with what the flows read joined (not locked)."""
    try:
        return _cases_with_records().select_for_update(of=("self",)).get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFoundError(f"Case {case_id} does not exist.") from None


def case_with_records(case_id: int) -> Case:
    """The case with what the flows read, for listing and previewing them (no lock)."""
    try:
        return _cases_with_records().get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFoundError(f"Case {case_id} does not exist.") from None


def _check_flow_applies(case: Case, flow: Flow) -> None:
    if case.status in CLOSED_STATES:
        raise TransitionConflict(
            f"Case #{case.pk} is {case.get_status_display().lower()}: reopen it to run "
            f"{flow.name}.",
            code="case_closed",
        )
    if not flow.applies_to(case.kind):
        raise InvalidInput(
            {"flow": f"{flow.name} does not apply to a {case.get_kind_display()} case."}
        )


def _decide(
    flow: Flow, ctx: FlowContext, inputs: Mapping[str, Any] | None
) -> tuple[PreparedCall, Policy, Decision]:
    prepared = flow.prepare(ctx, inputs)
    policy = policy_in_force(flow.reference_at(ctx, prepared))
    return prepared, policy, flow.run(prepared, policy)


def flows_offered(case: Case, *, now: datetime | None = None) -> list[tuple[Flow, FlowContext]]:
    """The flows an agent may run on the case, each with its context (for input schemas)."""
    ctx = FlowContext(case, now=now)
    return [(flow, ctx) for flow in flows_for_kind(case.kind)]


def preview_decision(
    *, case_id: int, flow: str, inputs: Mapping[str, Any] | None, actor: User | None
) -> Decision:
    """What the SOP decides for these inputs, without writing anything (refusals included)."""
    require_case_worker(actor)
    entry = _flow(flow)
    case = case_with_records(case_id)
    _check_flow_applies(case, entry)
    _, _, decision = _decide(entry, FlowContext(case), inputs)
    return decision


def decide_case(
    *,
    case_id: int,
    flow: str,
    inputs: Mapping[str, Any] | None,
    actor: User | None,
    script_done: Sequence[str] = (),
    reject_unknown_steps: bool = False,
) -> FlowRun:
    """Decide the case with the flow and carry the decision out, in one transaction.

    409 on a resolved or closed case, 400 for bad inputs. A gate flow's refusal (revisit
    outside warranty, OOS too far, RWM partner) is a 422 with nothing written; other
    refusals are recorded as the answer given. `script_done`: the call script's steps the
    agent ticked, saved with a call attempt (see `call_script_done`)."""
    require_case_worker(actor)
    entry = _flow(flow)
    with transaction.atomic():
        case = lock_case_with_records(case_id)
        _check_flow_applies(case, entry)
        script = (
            call_script_done(case, script_done, reject_unknown_steps=reject_unknown_steps)
            if entry.records_call_attempt
            else []
        )
        ctx = FlowContext(case)
        prepared, policy, decision = _decide(entry, ctx, inputs)
        if decision.refused and entry.gate:
            raise PolicyRefusal(decision.reason, code=decision.outcome)
        if entry.records_call_attempt:
            _log_call_attempt(case, actor, prepared, ctx, decision, script)
        event = apply_decision(
            case, decision, actor, policy=policy, flow=entry, prepared=prepared, now=ctx.now
        )
    return FlowRun(decision=decision, event=event, case=case)


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


def call_script_for(case: Case) -> tuple[str, ...]:
    """The SOP's call script for a follow-up case (first visit or second appointment)."""
    first = case.kind == CaseKind.FOLLOW_UP_FIRST_VISIT
    return followups.call_script(
        followups.FLOW_FIRST_VISIT if first else followups.FLOW_SECOND_APPOINTMENT
    )


def call_script_done(
    case: Case, ticked: Sequence[str], *, reject_unknown_steps: bool = False
) -> list[str]:
    """The steps of the case's call script that were ticked: each once, in the script's order,
    as a CALL_ATTEMPT event saves them.

    A ticked step that is not in the script is dropped (the console's checkboxes offer only the
    script's steps) or, with `reject_unknown_steps` (the API), a 400 on `script` naming it."""
    script = call_script_for(case)
    ticked_once = dict.fromkeys(ticked)
    unknown = [step for step in ticked_once if step not in script]
    if unknown and reject_unknown_steps:
        raise InvalidInput(
            {"script": [f"Not a step of this case's call script: {step!r}." for step in unknown]}
        )
    return [step for step in script if step in ticked_once]


def _log_call_attempt(
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
            # The steps of the SOP's call script the agent ticked (call_script_done).
            "script": list(script_done),
        },
        policy_version=decision.policy_version,
    )


def decision_history(*, case_id: int) -> QuerySet[CaseEvent]:
    """The case's decisions, oldest first, with their actors and tasks (two queries)."""
    return (
        CaseEvent.objects.filter(case_id=case_id, type=EventType.DECISION)
        .select_related("actor")
        .prefetch_related(
            Prefetch("tasks", queryset=Task.objects.select_related("owner", "closed_by"))
        )
        .order_by("at", "id")
    )


def apply_decision(
    case: Case,
    decision: Decision,
    actor: User | None,
    *,
    policy: Policy | None = None,
    flow: Flow | None = None,
    prepared: PreparedCall | None = None,
    now: datetime | None = None,
    role_checked: bool = False,
    made_by_caller: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Carry out a decision's actions on the (locked) case and write its DECISION event.

    `role_checked`: the caller has already decided who may do this (a partner raising an OOS
    ticket), so case moves skip their role check. `made_by_caller`: records the caller made
    for this decision (the revisit booking of create_revisit).
    """
    with transaction.atomic():
        # Lock the row (a no-op when the caller holds the lock) and catch a stale object.
        status = (
            Case.objects.select_for_update().filter(pk=case.pk).values_list("status", flat=True)
        ).get()
        if status != case.status:
            case.refresh_from_db()
        run = DecisionRun(
            case=case,
            decision=decision,
            actor=actor,
            policy=policy or policy_by_version(decision.policy_version),
            flow=flow,
            now=now or timezone.now(),
            role_checked=role_checked,
            made_by_caller=dict(made_by_caller or {}),
            given=dict(prepared.given) if prepared else {},
        )
        run.set_disposition()
        for action in decision.actions:
            carry_out(run, action)
        if flow is not None and flow.resolves_when_answered:
            run.resolve_if_answered()
        payload: dict[str, Any] = {
            **decision.to_dict(),
            "flow": flow.name if flow else "",
            "given_inputs": to_jsonable(prepared.given) if prepared else {},
            "filled_inputs": to_jsonable(_plain(prepared.filled)) if prepared else {},
            "disposition": run.disposition,
            "actions_applied": run.applied,
            "tasks": [spec.to_dict() for spec in run.tasks],
            "records": run.records,
        }
        event = case_services.append_event(
            case,
            type=EventType.DECISION,
            actor=actor,
            reason=decision.reason,
            payload=payload,
            policy_version=decision.policy_version,
        )
        case_services.create_tasks(
            case,
            run.tasks,
            actor=actor,
            decision=event,
            policy_version=decision.policy_version,
        )
        # A decision the agent tells the customer is a first response on the SLA clock.
        case_services.mark_first_response(case.pk, at=run.now, actor=actor)
        return event


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: plain_value(value) for name, value in values.items()}
