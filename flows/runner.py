"""Deciding a case with an SOP flow and carrying the decision out, once, audited.

A flow (flows.table) is decided by a pure function of policies.sop under the policy version
in force at the flow's reference time. A gate flow's refusal writes nothing and is a
PolicyRefusal (422); other refusals are recorded as the answer given. `apply_decision` hands
each action to its handler (flows.handlers), sets the disposition and writes one DECISION
event; record-creating handlers find what an earlier run made instead of making it twice.

Beside it: who may run flows (access), loading a case with what flows read (loading), the
follow-up call script (call_script), a logged call (calls) and the reads (selectors).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseEvent, CaseStatus, EventType
from core.errors import InvalidInput, NotFoundError, TransitionConflict
from core.roles import User
from policies.decision import Decision, to_jsonable
from policies.parameters import Policy
from policies.selectors import policy_by_version, policy_in_force

from . import call_script
from .access import require_case_worker
from .context import FlowContext
from .decision_run import DecisionRun
from .flow import Flow, PreparedCall, plain_value
from .handlers import carry_out
from .loading import case_with_records, lock_case_with_records
from .refusals import keeping_refusals, refused
from .table import flow_named

CLOSED_STATES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


@dataclass(frozen=True)
class FlowRun:
    """A flow applied: its decision, the DECISION event written, the case afterwards."""

    decision: Decision
    event: CaseEvent
    case: Case


def _flow(name: str) -> Flow:
    flow = flow_named(name)
    if flow is None:
        raise NotFoundError(f"No SOP flow named {name!r}.")
    if flow.system:
        raise InvalidInput({"flow": f"{name} is run by the system's clock, not by hand."})
    return flow


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
    outside warranty, OOS too far, RWM partner) is a 422 with nothing written but the
    refusal itself (flows.refusals, for backtests); other
    refusals are recorded as the answer given. `script_done`: the call script's steps the
    agent ticked, saved with a call attempt (see `call_script.done_steps`)."""
    require_case_worker(actor)
    entry = _flow(flow)
    with keeping_refusals(), transaction.atomic():
        case = lock_case_with_records(case_id)
        _check_flow_applies(case, entry)
        script = (
            call_script.done_steps(case, script_done, reject_unknown_steps=reject_unknown_steps)
            if entry.records_call_attempt
            else []
        )
        ctx = FlowContext(case)
        prepared, policy, decision = _decide(entry, ctx, inputs)
        if decision.refused and entry.gate:
            raise refused(
                decision,
                booking=case.booking,
                case=case,
                actor=actor,
                zone=ctx.zone,
                flow=entry.name,
                given=prepared.given,
                filled=_plain(prepared.filled),
            )
        if entry.records_call_attempt:
            call_script.log_call_attempt(case, actor, prepared, ctx, decision, script)
        event = apply_decision(
            case, decision, actor, policy=policy, flow=entry, prepared=prepared, now=ctx.now
        )
    return FlowRun(decision=decision, event=event, case=case)


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
            # The zone its moments were read in (a backtest replays them in it).
            "zone": run.zone.key,
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
