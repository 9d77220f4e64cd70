"""Applying SOP decisions to cases: run a flow, carry out its actions once, audit the result.

A flow (cases.flow_registry) is decided by a pure function of policies/ under the policy
version in force at the flow's reference time. A gate flow's refused decision writes nothing
and is a PolicyRefusal (422); other refusals are recorded as the answer given. Every other
decision goes through `apply_decision`, the one place that turns actions into records
(PAF, penalty, refund, bonus, revisit booking, cancellations, case transitions and field
changes), records the people's next steps, sets the disposition
and writes one DECISION event. Record-creating actions are idempotent: running a flow again
finds what the first run made instead of making it twice.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed

from partners.models import Partner
from payouts import services as payouts
from payouts.models import (
    LedgerEntry,
    PafState,
    PartnerAtFault,
    Penalty,
    Refund,
    RefundReason,
    RefundState,
    ReversalKind,
    ReversalRequest,
    ReversalState,
)
from policies import oos, revisits
from policies.decision import Action, Decision, to_jsonable
from policies.models import PolicyVersion
from policies.parameters import DEFAULT_POLICY, Policy, PolicyParameters
from policies.selectors import policy_in_force

from . import roles, services
from .catalog import CaseKind, Team
from .errors import InvalidInput, NotFoundError, NotPermitted, PolicyRefusal, TransitionConflict
from .flow_registry import (
    FIRST_VISIT_CUSTOMER_NOT_FOUND,
    FOLLOW_UP_KINDS,
    Flow,
    FlowContext,
    Prepared,
    flows_for_kind,
    get_flow,
    measured_distance_m,
    original_booking,
    plain_value,
    prior_revisits_of,
    service_day_start,
)
from .models import (
    Booking,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    DispositionTag,
    EventType,
    Priority,
    Reporter,
)

User = AbstractBaseUser | AnonymousUser

CASE_WORKERS = (roles.AGENT, roles.PARTNER_SUPPORT, roles.SUPERVISOR)
OOS_ON_BEHALF = (roles.PARTNER_SUPPORT, roles.SUPERVISOR)
CLOSED_STATES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
CALL_ATTEMPT_FLOW = "follow_up.call_attempt"
# A case opened for a revisit: the customer says the work was not done properly. The catalog
# has no neutral "revisit requested" kind; the scenario flows run on every revisit kind.
REVISIT_CASE_KIND = CaseKind.REVISIT_PARTNER_FAULT

# SOP ticket statuses (pending-customer-action SOP, revisit SOP) as case states.
STATUS_OF_TICKET: dict[str, str] = {
    "open": CaseStatus.OPEN,
    "pending": CaseStatus.PENDING,
    "waiting on customer": CaseStatus.WAITING_ON_CUSTOMER,
    "waiting on third party": CaseStatus.WAITING_ON_THIRD_PARTY,
    "resolved": CaseStatus.RESOLVED,
}
# Transitions a decision may take to reach a status; park comes only from a park action,
# closing and reopening only from people.
_STATUS_MOVES = ("open", "mark_pending", "unpark", "wait_on_customer", "wait_on_third_party")
_STATUS_MOVES += ("resume", "resolve")

# The teams the SOPs name, as the catalog's teams.
TEAM_OF_NAME: dict[str, str] = {
    "customer care": Team.CUSTOMER_CARE,
    "customer_care": Team.CUSTOMER_CARE,
    "engineering operations": Team.ENGINEERING_OPS,
    "eo": Team.ENGINEERING_OPS,
    "partner support": Team.PARTNER_SUPPORT,
    "finance": Team.FINANCE,
    "escalations": Team.ESCALATIONS,
    "trainer": Team.TRAINING,
}

# The SOPs' cancellation codes as the booking's; a customer's own words are the VOC.
CANCELLATION_CODE_OF: dict[str, str] = {
    revisits.PLACED_BY_MISTAKE: CancellationCode.PLACED_REVISIT_BY_MISTAKE,
    revisits.ISSUE_RESOLVED: CancellationCode.ISSUE_RESOLVED,
    oos.CODE_INCORRECT_SERVICE: CancellationCode.INCORRECT_SERVICE_BOOKED,
    oos.CODE_PRO_CANNOT_DELIVER: CancellationCode.PRO_CANNOT_DELIVER,
    oos.CODE_CANT_DELIVER: CancellationCode.CANT_DELIVER,
    "customer_not_reachable": CancellationCode.NO_RESPONSE,
    FIRST_VISIT_CUSTOMER_NOT_FOUND: CancellationCode.NO_RESPONSE,
    **{code: code for code in CancellationCode.values},
}
CANCELLED_BY_OF: dict[str, str] = {
    "customer": CancelledBy.CUSTOMER,
    "partner": CancelledBy.PARTNER,
    "agent": CancelledBy.AGENT,
    "customer_care": CancelledBy.AGENT,
    "system": CancelledBy.SYSTEM,
}
REFUND_REASON_OF: dict[str, str] = {
    "goodwill_no_show": RefundReason.GOODWILL_NO_SHOW,
    "goodwill_no_response": RefundReason.GOODWILL_NO_RESPONSE,
    "wrong_job_started": RefundReason.WRONG_JOB,
    **{reason: reason for reason in RefundReason.values},
}
BONUS_REASON_OF: dict[str, str] = {"delivered_at_changed_address": "changed_address"}

# Actions that are instructions to people: recorded as the decision's next steps.
INSTRUCTIONS = frozenset(
    {
        "ask_customer_to_cancel",
        "ask_partner_to_cancel",
        "call_partner",
        "call_customer",
        "escalate",
        "request_images",
        "close_at_bpc",
        "create_complaint_ticket",
        "send_ob_form",
        "record_tag",
        "route_to_sop",
        "assign_partner",
        "reopen_booking",
        "create_visit",
        "convert_order",
        "block_partner_slots",
        "refuse_reversal",
    }
)
# Actions no service records yet: kept as next steps until payouts (or the order system
# integration) can carry them out.
AWAITING_SERVICE = {
    "exclude_from_mg_plan": "no payouts service excludes a booking from the MG plan yet",
    "reverse_paf": "the PAF is reversed at the training or review date",
}


@dataclass(frozen=True)
class FlowRun:
    """A flow applied: its decision, the DECISION event written, the case afterwards."""

    decision: Decision
    event: CaseEvent
    case: Case


@dataclass(frozen=True)
class RevisitResult:
    booking: Booking
    case: Case
    decision: Decision


@dataclass(frozen=True)
class OosTicketResult:
    case: Case
    decision: Decision | None
    created: bool


# --- running flows ---------------------------------------------------------------------------


def _require_case_worker(actor: User | None) -> None:
    if not roles.has_role(actor, *CASE_WORKERS):
        raise NotPermitted("Only agents, partner support and supervisors may run SOP flows.")


def _flow(name: str) -> Flow:
    flow = get_flow(name)
    if flow is None:
        raise NotFoundError(f"No SOP flow named {name!r}.")
    return flow


def _case_query() -> QuerySet[Case]:
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


def _lock_case(case_id: int) -> Case:
    try:
        return _case_query().select_for_update(of=("self",)).get(pk=case_id)
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
) -> tuple[Prepared, Policy, Decision]:
    prepared = flow.prepare(ctx, inputs)
    policy = policy_in_force(flow.reference_at(ctx, prepared))
    return prepared, policy, flow.run(prepared, policy)


def flows_for_case(case: Case, *, now: datetime | None = None) -> list[tuple[Flow, FlowContext]]:
    """The flows an agent may run on the case, each with its context (for input schemas)."""
    ctx = FlowContext(case, now=now)
    return [(flow, ctx) for flow in flows_for_kind(case.kind)]


def case_for_flows(case_id: int) -> Case:
    """The case with what the flows read, for listing them (no lock)."""
    try:
        return _case_query().get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFoundError(f"Case {case_id} does not exist.") from None


def preview_flow(
    *, case_id: int, flow: str, inputs: Mapping[str, Any] | None, actor: User | None
) -> Decision:
    """What the SOP decides for these inputs, without writing anything (refusals included)."""
    _require_case_worker(actor)
    entry = _flow(flow)
    case = case_for_flows(case_id)
    _check_flow_applies(case, entry)
    _, _, decision = _decide(entry, FlowContext(case), inputs)
    return decision


def run_flow(
    *, case_id: int, flow: str, inputs: Mapping[str, Any] | None, actor: User | None
) -> Decision:
    """Decide the case with the flow and apply the decision; 409 on a resolved or closed case,
    400 for bad inputs. A gate flow's refusal (revisit outside warranty, OOS too far, RWM
    partner) is a 422 with nothing written; other refusals are recorded as the answer given."""
    return run_flow_recorded(case_id=case_id, flow=flow, inputs=inputs, actor=actor).decision


def run_flow_recorded(
    *, case_id: int, flow: str, inputs: Mapping[str, Any] | None, actor: User | None
) -> FlowRun:
    """run_flow, also returning the DECISION event and the case."""
    _require_case_worker(actor)
    entry = _flow(flow)
    with transaction.atomic():
        case = _lock_case(case_id)
        _check_flow_applies(case, entry)
        ctx = FlowContext(case)
        prepared, policy, decision = _decide(entry, ctx, inputs)
        if decision.refused and entry.gate:
            raise PolicyRefusal(decision.reason, code=decision.outcome)
        if entry.records_call_attempt:
            _log_call_attempt(case, actor, prepared, ctx, decision)
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
) -> Decision:
    """Log one follow-up call (a CALL_ATTEMPT event) and apply the pending-customer-action
    SOP to it: the earlier calls come from the case's CALL_ATTEMPT events and the business
    days from the region's calendar."""
    inputs: dict[str, Any] = {"outcome": outcome, "at": at}
    if material_needed is not None:
        inputs["material_needed"] = material_needed
    if operations_note_days is not None:
        inputs["operations_note_days"] = operations_note_days
    return run_flow(case_id=case_id, flow=CALL_ATTEMPT_FLOW, inputs=inputs, actor=actor)


def _log_call_attempt(
    case: Case, actor: User | None, prepared: Prepared, ctx: FlowContext, decision: Decision
) -> CaseEvent:
    at: datetime = prepared.kwargs["at"]
    return services._log(
        case,
        type=EventType.CALL_ATTEMPT,
        actor=actor,
        reason=f"Follow-up call: {prepared.kwargs['outcome'].replace('_', ' ')}.",
        payload={
            "outcome": prepared.kwargs["outcome"],
            "at": at.isoformat(),
            "attempt": len(ctx.call_attempts) + 1,
        },
        policy_version=decision.policy_version,
    )


def decision_history(*, case_id: int) -> QuerySet[CaseEvent]:
    """The case's decisions, oldest first, with their actors (one query)."""
    return (
        CaseEvent.objects.filter(case_id=case_id, type=EventType.DECISION)
        .select_related("actor")
        .order_by("at", "id")
    )


# --- applying a decision ---------------------------------------------------------------------


def policy_by_version(version: str) -> Policy:
    """The stored version a decision names (the SOP defaults if it is not stored)."""
    parameters = (
        PolicyVersion.objects.filter(version=version).values_list("parameters", flat=True).first()
    )
    if parameters is None:
        return DEFAULT_POLICY
    return Policy(version=version, params=PolicyParameters.from_dict(parameters))


def apply_decision(
    case: Case,
    decision: Decision,
    actor: User | None,
    *,
    policy: Policy | None = None,
    flow: Flow | None = None,
    prepared: Prepared | None = None,
    now: datetime | None = None,
    system: bool = False,
    known: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Carry out a decision's actions on the (locked) case and write its DECISION event.

    `system`: the caller has already checked who may do this (a partner raising an OOS
    ticket), so case transitions skip their role check. `known`: records the caller made
    for this decision (the revisit booking of create_revisit).
    """
    with transaction.atomic():
        # Lock the row (a no-op when the caller holds the lock) and catch a stale object.
        status = (
            Case.objects.select_for_update().filter(pk=case.pk).values_list("status", flat=True)
        ).get()
        if status != case.status:
            case.refresh_from_db()
        applier = _Applier(
            case=case,
            decision=decision,
            actor=actor,
            policy=policy or policy_by_version(decision.policy_version),
            flow=flow,
            now=now or timezone.now(),
            system=system,
            known=dict(known or {}),
        )
        applier.run()
        payload: dict[str, Any] = {
            **decision.to_dict(),
            "flow": flow.name if flow else "",
            "given_inputs": to_jsonable(prepared.given) if prepared else {},
            "filled_inputs": to_jsonable(_plain(prepared.filled)) if prepared else {},
            "disposition": applier.disposition,
            "actions_applied": applier.applied,
            "next_steps": applier.next_steps,
            "records": applier.records,
        }
        return services._log(
            case,
            type=EventType.DECISION,
            actor=actor,
            reason=decision.reason,
            payload=payload,
            policy_version=decision.policy_version,
        )


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: plain_value(value) for name, value in values.items()}


@dataclass
class _Applier:
    case: Case
    decision: Decision
    actor: User | None
    policy: Policy
    flow: Flow | None
    now: datetime
    system: bool
    known: dict[str, Any]
    applied: list[dict[str, Any]] = field(default_factory=list)
    next_steps: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)
    disposition: str | None = None
    paf: PartnerAtFault | None = None

    # -- the loop --

    def run(self) -> None:
        self._set_disposition()
        for action in self.decision.actions:
            if action.kind in INSTRUCTIONS:
                self._next_step(action)
            elif action.kind in AWAITING_SERVICE:
                self._next_step(action, awaiting=AWAITING_SERVICE[action.kind])
            else:
                getattr(self, f"_do_{action.kind}")(action)

    @property
    def reason(self) -> str:
        name = self.flow.name if self.flow else "decision"
        return f"SOP flow {name}: {self.decision.outcome}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.case.city.region.timezone)

    @property
    def money_actor(self) -> User | None:
        # Payout services check the actor's role; a system run (a partner's own OOS
        # ticket) acts as the system.
        return None if self.system else self.actor

    def _done(self, action: Action, status: str = "applied", **details: Any) -> None:
        self.applied.append({**action.to_dict(), "status": status, **to_jsonable(details)})

    def _next_step(self, action: Action, **details: Any) -> None:
        self.next_steps.append({**action.to_dict(), **details})

    def _booking(self) -> Booking:
        booking = self.case.booking
        if booking is None:
            raise InvalidInput({"booking": "The case has no booking for this decision."})
        return booking

    def _job(self) -> tuple[Booking, Partner]:
        booking = self._booking()
        if booking.partner is None:
            raise InvalidInput({"booking": f"Booking {booking.external_id} has no partner."})
        return booking, booking.partner

    def _previous_record(self, key: str) -> Any:
        payload = (
            CaseEvent.objects.filter(
                case_id=self.case.pk, type=EventType.DECISION, payload__records__has_key=key
            )
            .order_by("-id")
            .values_list("payload", flat=True)
            .first()
        )
        return payload["records"][key] if payload else None

    # -- disposition --

    def _set_disposition(self) -> None:
        path = self.flow.disposition_path(self.decision) if self.flow else self.decision.tag
        if not path:
            return
        tag = DispositionTag.objects.filter(path=path, is_selectable=True).first()
        if tag is None or not tag.applies_to(self.case.kind):
            self.records["unmatched_tag"] = path
            return
        self.disposition = tag.path
        if self.case.disposition_id != tag.pk:
            self.case.disposition = tag
            self.case.save(update_fields=["disposition", "updated_at"])

    # -- case state and fields --

    def _step(self, name: str) -> None:
        case = self.case
        method = getattr(case, name)
        if not can_proceed(method, check_conditions=False):
            raise TransitionConflict(
                f"Cannot {name.replace('_', ' ')} case #{case.pk}: it is "
                f"{case.get_status_display()}."
            )
        if not self.system and not method._django_fsm.has_transition_perm(
            case, case.status, self.actor
        ):
            raise NotPermitted(f"Your role may not {name.replace('_', ' ')} a case.")
        from_state = case.status
        try:
            method()
        except TransitionNotAllowed as exc:
            raise TransitionConflict(str(exc)) from exc
        case.save()
        services._log(
            case,
            type=EventType.TRANSITION,
            actor=self.actor,
            transition=name,
            from_state=from_state,
            to_state=case.status,
            reason=self.reason,
            payload={"parked_until": case.parked_until.isoformat()} if name == "park" else {},
            policy_version=self.decision.policy_version,
        )

    def _move(self, target: str) -> list[str]:
        """Reach a status by the shortest chain of transitions; returns their names."""
        steps = status_path(self.case.status, target)
        if steps is None:
            raise TransitionConflict(
                f"Case #{self.case.pk} cannot go from {self.case.get_status_display()} to "
                f"{CaseStatus(target).label}."
            )
        for name in steps:
            self._step(name)
        return steps

    def _change(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Set working fields, one FIELD_CHANGE event each (through update_case)."""
        case = self.case
        changes = {name: value for name, value in changes.items() if getattr(case, name) != value}
        if not changes:
            return {}
        if self.system:
            for name, value in changes.items():
                before = getattr(case, name)
                setattr(case, name, value)
                services._log(
                    case,
                    type=EventType.FIELD_CHANGE,
                    actor=self.actor,
                    reason=self.reason,
                    payload={"field": name, "from": _jsonable(before), "to": _jsonable(value)},
                    policy_version=self.decision.policy_version,
                )
            case.save()
        else:
            services.update_case(
                case_id=case.pk, actor=self.actor, changes=changes, reason=self.reason
            )
            case.refresh_from_db(fields=[*changes, "updated_at"])
        return changes

    def _do_set_status(self, action: Action) -> None:
        ticket = action.param("ticket")
        # "Close the duplicated ticket" is about another ticket; "close the pending customer
        # action tickets" includes this one when it is a follow-up ticket.
        if ticket and not (
            ticket == "pending_customer_action" and self.case.kind in FOLLOW_UP_KINDS
        ):
            self._next_step(action)
            return
        target = STATUS_OF_TICKET.get(str(action.param("status")))
        if target is None:
            self._next_step(action, awaiting="no case status for this ticket status")
            return
        steps = self._move(target)
        self._done(action, "applied" if steps else "already_done", transitions=steps)

    def _do_set_priority(self, action: Action) -> None:
        priority = str(action.param("priority"))
        if priority not in Priority.values:
            self._next_step(action, awaiting=f"unknown priority {priority!r}")
            return
        changed = self._change({"priority": priority})
        self._done(action, "applied" if changed else "already_done")

    def _do_assign_team(self, action: Action) -> None:
        team = _team(str(action.param("team")))
        if team is None:
            self._next_step(action, awaiting="no team of that name")
            return
        changed = self._change({"team": team})
        self._done(action, "applied" if changed else "already_done", team_code=team)

    def _do_set_ticket_view(self, action: Action) -> None:
        """The SOP's ticket view: priority and team are case fields, the status a state;
        category, sub-category, type and area are kept on the decision."""
        changes: dict[str, Any] = {}
        priority = action.param("priority")
        if priority in Priority.values:
            changes["priority"] = priority
        team = _team(str(action.param("team") or ""))
        if team is not None:
            changes["team"] = team
        changed = self._change(changes)
        steps: list[str] = []
        target = STATUS_OF_TICKET.get(str(action.param("status")))
        if target is not None:
            steps = self._move(target)
        self._done(
            action,
            "applied" if changed or steps else "already_done",
            changed=sorted(changed),
            transitions=steps,
        )

    def _do_park(self, action: Action) -> None:
        case = self.case
        if case.status == CaseStatus.PARKED:
            self._done(action, "already_done", parked_until=case.parked_until)
            return
        hours = action.param("hours")
        event = action.param("until_event")
        until = self.now + timedelta(hours=hours) if hours is not None else self._horizon(event)
        if until is None or until <= self.now:
            # An event park with no time to wake up at: the case waits in its state and the
            # event is the next step.
            self._next_step(action, awaiting=f"event {event}" if event else "no park time")
            return
        if case.status not in (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING):
            self._move(CaseStatus.OPEN)
        case.parked_until = until
        self._step("park")
        self._done(action, parked_until=until, until_event=event)

    def _horizon(self, event: object) -> datetime | None:
        """When an event park wakes up to check on the event."""
        if event == "ob_email_received":
            return self.now + timedelta(hours=self.policy.params.ob_form_tat_hours)
        if event == "job_delivered" and self.case.booking is not None:
            return self.case.booking.booking_time
        return None

    def _do_unpark(self, action: Action) -> None:
        if self.case.status != CaseStatus.PARKED:
            self._done(action, "already_done")
            return
        self._step("unpark")
        self._done(action)

    def _do_schedule_followup(self, action: Action) -> None:
        hours = action.param("at_hours")
        due_on = action.param("due_on")
        if hours is not None:
            due = self.now + timedelta(hours=hours)
        elif isinstance(due_on, date):
            due = datetime.combine(due_on, time(23, 59, 59), tzinfo=self.zone)
        else:
            self._next_step(action)
            return
        self._change({"due_at": due})
        self._done(action, due_at=due)

    # -- money and partner records --

    def _do_no_paf(self, action: Action) -> None:
        self._done(action, "recorded")

    def _do_mark_paf(self, action: Action) -> None:
        booking, partner = self._job()
        existing = PartnerAtFault.objects.filter(booking=booking, partner=partner).first()
        self.paf = existing or payouts.mark_paf(
            partner=partner,
            booking=booking,
            reason=str(action.param("reason") or self.decision.outcome),
            actor=self.money_actor,
            case=self.case,
        )
        self.records["paf_id"] = self.paf.pk
        self._done(action, "already_done" if existing else "applied", paf_id=self.paf.pk)

    def _the_paf(self) -> PartnerAtFault | None:
        if self.paf is None and self.case.booking is not None:
            booking = self.case.booking
            self.paf = PartnerAtFault.objects.filter(
                booking=booking, partner_id=booking.partner_id
            ).first()
        return self.paf

    def _do_create_penalty(self, action: Action) -> None:
        paf = self._the_paf()
        if paf is None:
            raise TransitionConflict("A penalty needs the partner-at-fault mark first.")
        existing = Penalty.objects.filter(paf=paf).first()
        penalty = existing or payouts.create_revisit_penalty(paf=paf, policy=self.policy)
        self.records["penalty_id"] = penalty.pk
        self._done(
            action,
            "already_done" if existing else "applied",
            penalty_id=penalty.pk,
            penalty_amount=penalty.amount,
            currency=penalty.currency,
        )

    def _do_create_refund(self, action: Action) -> None:
        booking = self._booking()
        reason = REFUND_REASON_OF.get(str(action.param("reason")), RefundReason.OTHER)
        amount = action.param("amount")
        deduct = self.decision.has_action("deduct_from_partner")
        existing = (
            Refund.objects.filter(booking=booking, reason=reason)
            .exclude(state__in=[RefundState.REJECTED, RefundState.FAILED])
            .first()
        )
        refund = existing or payouts.request_refund(
            booking=booking,
            reason=reason,
            amount=amount,
            actor=self.money_actor,
            case=self.case,
            note=self.decision.reason,
            deduct_from_partner=deduct,
        )
        self.records["refund_id"] = refund.pk
        self._done(
            action,
            "already_done" if existing else "applied",
            refund_id=refund.pk,
            refund_amount=refund.amount,
            currency=refund.currency,
            deduct_from_partner=refund.deduct_from_partner,
        )

    def _do_deduct_from_partner(self, action: Action) -> None:
        if "refund_id" in self.records:
            # The refund carries the recovery: approving it debits the partner once.
            self._done(action, "applied", refund_id=self.records["refund_id"])
        else:
            self._next_step(action, awaiting="a refund to recover")

    def _do_partner_bonus(self, action: Action) -> None:
        booking, _ = self._job()
        raw_reason = str(action.param("reason") or "changed_address")
        reason = BONUS_REASON_OF.get(raw_reason, raw_reason)
        key = f"booking:{booking.pk}:bonus:{reason}"
        existed = LedgerEntry.objects.filter(idempotency_key=key).exists()
        entry = payouts.partner_bonus(
            booking=booking,
            actor=self.money_actor,
            reason=reason,
            amount=action.param("amount"),
            case=self.case,
        )
        self.records["bonus_entry_id"] = entry.pk
        self._done(action, "already_done" if existed else "applied", ledger_entry_id=entry.pk)

    def _may_log_reversals(self) -> bool:
        return self.system or roles.has_role(self.actor, *payouts.REVERSAL_LOGGERS)

    def _do_offer_reversal_form(self, action: Action) -> None:
        paf = self._the_paf()
        if paf is None:
            self._next_step(action, awaiting="no PAF recorded for this job: fill the form")
            return
        open_request = ReversalRequest.objects.filter(
            paf=paf, state__in=[ReversalState.SUBMITTED, ReversalState.UNDER_REVIEW]
        ).first()
        if open_request is not None:
            self.records["reversal_request_id"] = open_request.pk
            self._done(action, "already_done", reversal_request_id=open_request.pk)
            return
        if paf.state not in (PafState.PENDING_REVIEW, PafState.NOT_GENUINE):
            self._next_step(action, awaiting=f"PAF #{paf.pk} is {paf.get_state_display()}")
            return
        if not self._may_log_reversals():
            self._next_step(action, awaiting="partner support logs the reversal form")
            return
        request = payouts.submit_reversal_request(
            kind=ReversalKind.PAF_PENALTY,
            actor=self.actor,
            paf=paf,
            case=self.case,
            notes=self.decision.reason,
        )
        self.records["reversal_request_id"] = request.pk
        self._done(action, reversal_request_id=request.pk)

    def _do_rating_reversal_form(self, action: Action) -> None:
        booking, _ = self._job()
        existing = (
            ReversalRequest.objects.filter(kind=ReversalKind.RATING, booking=booking)
            .exclude(state=ReversalState.REJECTED)
            .first()
        )
        if existing is not None:
            self.records["reversal_request_id"] = existing.pk
            self._done(action, "already_done", reversal_request_id=existing.pk)
            return
        if not self._may_log_reversals():
            self._next_step(action, awaiting="partner support logs the rating reversal form")
            return
        request = payouts.submit_reversal_request(
            kind=ReversalKind.RATING,
            actor=self.actor,
            booking=booking,
            case=self.case,
            notes=self.decision.reason,
        )
        self.records["reversal_request_id"] = request.pk
        self._done(action, reversal_request_id=request.pk)

    # -- bookings --

    def _do_cancel_booking(self, action: Action) -> None:
        from .booking_services import transition_booking

        booking = self._booking()
        raw_code = str(action.param("code") or "")
        code = CANCELLATION_CODE_OF.get(raw_code, CancellationCode.CUSTOMER_VOC)
        cancelled_by = CANCELLED_BY_OF.get(str(action.param("cancelled_by")), CancelledBy.AGENT)
        current = Booking.objects.select_for_update().values_list("status", flat=True)
        if current.get(pk=booking.pk) == BookingStatus.CANCELLED:
            self._done(action, "already_done", booking_id=booking.pk)
            return
        transition_booking(
            booking_id=booking.pk,
            name="cancel",
            code=code,
            cancelled_by=cancelled_by,
            actor=None if self.system else self.actor,
        )
        booking.refresh_from_db()
        self._done(action, booking_id=booking.pk, cancellation_code=code, sop_code=raw_code or None)

    def _do_reschedule_booking(self, action: Action) -> None:
        slot = action.param("preferred_slot")
        day = action.param("preferred_date")
        if slot is None and day is None:
            self._next_step(action, awaiting="a date from the customer")
            return
        booking = Booking.objects.select_for_update(of=("self",)).get(pk=self._booking().pk)
        if booking.status not in (BookingStatus.CREATED, BookingStatus.ALLOCATED):
            raise TransitionConflict(
                f"Booking {booking.external_id} is {booking.get_status_display().lower()}: "
                "it can no longer be rescheduled."
            )
        if isinstance(slot, datetime):
            booking_time = slot
            service_date = timezone.localtime(slot, self.zone).date()
        else:
            local = timezone.localtime(booking.booking_time, self.zone)
            booking_time = datetime.combine(day, local.time(), tzinfo=self.zone)
            service_date = day
        if service_date < timezone.localtime(self.now, self.zone).date():
            raise InvalidInput({"preferred_date": "A reschedule date cannot be in the past."})
        before = (booking.booking_time, booking.service_date)
        if before == (booking_time, service_date):
            self._done(action, "already_done", booking_id=booking.pk)
            return
        Booking.objects.filter(pk=booking.pk).update(
            booking_time=booking_time, service_date=service_date, updated_at=self.now
        )
        if self.case.booking is not None:
            self.case.booking.booking_time = booking_time
            self.case.booking.service_date = service_date
        self._done(
            action,
            booking_id=booking.pk,
            booking_time_from=before[0],
            booking_time_to=booking_time,
            service_date_to=service_date,
        )

    def _do_create_revisit_booking(self, action: Action) -> None:
        revisit = self.known.get("revisit_booking")
        status = "applied"
        if revisit is None:
            previous = self._previous_record("revisit_booking_id")
            if previous is not None:
                revisit = Booking.objects.get(pk=previous)
                status = "already_done"
        if revisit is None:
            original = original_booking(self._booking())
            requested_on = self.decision.input("requested_on")
            revisit = new_revisit_booking(
                original=original,
                sme=self.decision.has_action("mark_sme_revisit"),
                requested_on=requested_on if isinstance(requested_on, date) else None,
                now=self.now,
            )
        self.records["revisit_booking_id"] = revisit.pk
        self._done(action, status, booking_id=revisit.pk, external_id=revisit.external_id)

    def _do_mark_sme_revisit(self, action: Action) -> None:
        booking_id = self.records.get("revisit_booking_id")
        sme = (
            Booking.objects.filter(pk=booking_id, is_sme_revisit=True).exists()
            if booking_id
            else False
        )
        if sme:
            self._done(action, "applied", booking_id=booking_id)
        else:
            self._next_step(action, awaiting="a revisit booking to mark")


def status_path(source: str, target: str) -> list[str] | None:
    """The shortest chain of decision-allowed transitions from one status to another."""
    if source == target:
        return []
    edges: dict[str, list[tuple[str, str]]] = {}
    for t in Case._meta.get_field("status").get_all_transitions(Case):
        if t.name in _STATUS_MOVES:
            edges.setdefault(str(t.source), []).append((t.name, str(t.target)))
    queue: deque[tuple[str, list[str]]] = deque([(source, [])])
    seen = {source}
    while queue:
        state, path = queue.popleft()
        for name, nxt in edges.get(state, []):
            if nxt == target:
                return [*path, name]
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, name]))
    return None


def _team(name: str) -> str | None:
    key = name.split("/")[0].strip().casefold()
    if key in Team.values:
        return key
    return TEAM_OF_NAME.get(key)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return to_jsonable(value)


# --- revisits --------------------------------------------------------------------------------


def new_revisit_booking(
    *, original: Booking, sme: bool, requested_on: date | None, now: datetime
) -> Booking:
    """A revisit of the original job: same customer, place and line, nothing to pay. A regular
    revisit goes back to the original partner; an SME revisit waits for an SME partner."""
    ordinal = Booking.objects.filter(revisit_of=original).count() + 1
    fields = {
        "customer_id": original.customer_id,
        "partner_id": None if sme else original.partner_id,
        "city_id": original.city_id,
        "lob": original.lob,
        "currency": original.currency,
        "cart_value": Decimal("0.00"),
        "invoice_amount": Decimal("0.00"),
        "payment_mode": original.payment_mode,
        "booking_time": now,
        "service_date": requested_on or timezone.localtime(now).date(),
        "address": original.address,
        "latitude": original.latitude,
        "longitude": original.longitude,
        "is_commercial": original.is_commercial,
        "revisit_of": original,
        "is_sme_revisit": sme,
    }
    for attempt in range(ordinal, ordinal + 20):
        try:
            with transaction.atomic():
                return Booking.objects.create(
                    external_id=f"{original.external_id}-R{attempt}", **fields
                )
        except IntegrityError:
            continue  # an external id taken by the platform: try the next ordinal
    raise TransitionConflict(f"No free revisit id for booking {original.external_id}.")


def _may_request_revisits(actor: User | None) -> bool:
    if roles.has_role(actor, *CASE_WORKERS):
        return True
    # The customer app / booking platform: allowed to push bookings.
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.has_perm("cases.add_booking")
    )


def create_revisit(
    *,
    booking_id: int,
    actor: User | None,
    requested_on: date | None = None,
    issue_note: str = "",
) -> RevisitResult:
    """A customer asks for a revisit of a job: allowed inside the warranty of the version in
    force on the service date (422 outside it); the second revisit on the issue is an SME
    revisit. Creates the revisit booking and the case that follows it."""
    if not _may_request_revisits(actor):
        raise NotPermitted("Your role may not create revisits.")
    with transaction.atomic():
        try:
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("city__region", "revisit_of")
                .get(pk=booking_id)
            )
        except Booking.DoesNotExist:
            raise NotFoundError(f"Booking {booking_id} does not exist.") from None
        original = original_booking(booking)
        if original.pk != booking.pk:
            original = Booking.objects.select_for_update(of=("self",)).get(pk=original.pk)
        if original.status != BookingStatus.COMPLETED:
            raise TransitionConflict(
                f"Booking {original.external_id} is {original.get_status_display().lower()}: "
                "only completed jobs can be revisited.",
                code="not_completed",
            )
        zone = ZoneInfo(original.city.region.timezone)
        requested_on = requested_on or timezone.localtime(timezone.now(), zone).date()
        policy = policy_in_force(service_day_start(original))
        prior = prior_revisits_of(original)
        try:
            decision = revisits.may_create_revisit(
                service_date=original.service_date,
                requested_on=requested_on,
                prior_revisits_on_issue=prior,
                policy=policy,
            )
        except ValueError as exc:
            raise InvalidInput({"requested_on": str(exc)}) from exc
        if decision.refused:
            raise PolicyRefusal(decision.reason, code=decision.outcome)
        now = timezone.now()
        revisit = new_revisit_booking(
            original=original,
            sme=decision.has_action("mark_sme_revisit"),
            requested_on=requested_on,
            now=now,
        )
        staff = roles.has_role(actor, *CASE_WORKERS)
        case = services.create_case(
            actor=actor,
            kind=REVISIT_CASE_KIND,
            channel=Channel.INBOUND_CALL if staff else Channel.SYSTEM,
            reporter=Reporter.CUSTOMER,
            subject=f"Revisit of {original.external_id}"
            + (" (SME)" if revisit.is_sme_revisit else ""),
            description=issue_note.strip(),
            booking=revisit,
        )
        case = _lock_case(case.pk)
        apply_decision(
            case,
            decision,
            actor,
            policy=policy,
            now=now,
            system=True,
            known={"revisit_booking": revisit},
        )
    return RevisitResult(booking=revisit, case=case, decision=decision)


# --- out-of-scope tickets --------------------------------------------------------------------


def _oos_partner(booking: Booking, who: User | Partner | None) -> tuple[User | None, bool]:
    """(the actor to record, raised by the partner himself). A partner login raises only for
    its own jobs; partner support and supervisors raise on a partner's behalf."""
    if isinstance(who, Partner):
        if booking.partner_id != who.pk:
            raise NotPermitted("A partner may raise out-of-scope tickets only for own jobs.")
        return who.user, True
    if roles.has_role(who, *OOS_ON_BEHALF):
        return who, False
    partner = getattr(who, "partner", None) if who is not None and who.is_authenticated else None
    if partner is None or not partner.is_active:
        raise NotPermitted("Only partners, partner support and supervisors raise OOS tickets.")
    if booking.partner_id != partner.pk:
        raise NotPermitted("A partner may raise out-of-scope tickets only for own jobs.")
    return who, True


def _coordinate(value: Any, name: str, limit: int) -> Decimal:
    try:
        number = Decimal(str(value))
    except Exception:
        raise InvalidInput({name: "Must be a number of degrees."}) from None
    if not number.is_finite() or abs(number) > limit:
        raise InvalidInput({name: f"Must be between -{limit} and {limit} degrees."})
    return number


def raise_oos_ticket(
    *,
    booking_id: int,
    partner_actor_or_partner: User | Partner | None,
    latitude: Decimal | float | str,
    longitude: Decimal | float | str,
    images: list[str],
    note: str = "",
) -> OosTicketResult:
    """A partner at the job says the work is out of scope: RWM partners in RWM cities may not
    (422 oos_refused_rwm_partner), he must be within the radius of the customer (422
    oos_refused_too_far) and share images (422 oos_images_required). Otherwise an
    out-of-scope case is opened, tagged, and parked for the validation call. Raising again
    while the ticket is open returns it."""
    lat = _coordinate(latitude, "latitude", 90)
    lng = _coordinate(longitude, "longitude", 180)
    images = [str(ref).strip() for ref in images or [] if str(ref).strip()]
    with transaction.atomic():
        try:
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("partner", "city__region")
                .get(pk=booking_id)
            )
        except Booking.DoesNotExist:
            raise NotFoundError(f"Booking {booking_id} does not exist.") from None
        actor, by_partner = _oos_partner(booking, partner_actor_or_partner)
        if booking.partner is None:
            raise InvalidInput({"booking": "The job has no partner."})
        if booking.status in (BookingStatus.COMPLETED, BookingStatus.CANCELLED):
            raise TransitionConflict(
                f"Booking {booking.external_id} is {booking.get_status_display().lower()}.",
                code="booking_closed",
            )
        if booking.latitude is None or booking.longitude is None:
            raise InvalidInput({"booking": "The job has no customer location to measure from."})
        existing = (
            Case.objects.filter(booking=booking, kind=CaseKind.OUT_OF_SCOPE)
            .exclude(status__in=CLOSED_STATES)
            .order_by("-id")
            .first()
        )
        if existing is not None:
            return OosTicketResult(case=existing, decision=None, created=False)
        distance = measured_distance_m(booking.latitude, booking.longitude, lat, lng)
        now = timezone.now()
        policy = policy_in_force(now)
        decision = oos.decide_oos_eligibility(
            partner_is_rwm=booking.partner.is_rwm,
            city=booking.city.name,
            distance_m=distance,
            images_shared=bool(images),
            policy=policy,
        )
        if decision.refused or decision.outcome == "oos_images_required":
            raise PolicyRefusal(decision.reason, code=decision.outcome)
        case = services.create_case(
            actor=actor,
            kind=CaseKind.OUT_OF_SCOPE,
            channel=Channel.PARTNER_APP if by_partner else Channel.INBOUND_CALL,
            reporter=Reporter.PARTNER,
            subject=f"Out of scope: {booking.external_id}",
            description=note.strip(),
            booking=booking,
        )
        case = _lock_case(case.pk)
        prepared = Prepared(
            kwargs={},
            given={
                "latitude": lat,
                "longitude": lng,
                "images": images,
                "note": note.strip(),
                "on_behalf": not by_partner,
            },
            filled={"distance_m": distance},
        )
        apply_decision(
            case, decision, actor, policy=policy, prepared=prepared, now=now, system=True
        )
        case.refresh_from_db()
    return OosTicketResult(case=case, decision=decision, created=True)
