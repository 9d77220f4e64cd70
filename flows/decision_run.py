"""One decision being carried out: the locked case, the decision, who asked, under which policy,
and what has been done so far. Handlers (flows.handlers) act through it, so every case move
goes through the one transition path of cases.services."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cases import services as case_services
from cases.models import (
    Booking,
    Case,
    CaseEvent,
    CaseStatus,
    DispositionTag,
    EventType,
    TeamLead,
)
from cases.services import TaskSpec
from core.errors import InvalidInput, TransitionConflict
from core.roles import CASE_WORKERS, User, has_role
from partners.models import Partner
from partners.selectors import working_calendar
from payouts.models import PartnerAtFault
from policies.decision import Action, Decision, to_jsonable
from policies.parameters import Policy

from .flow import Flow

# Transitions a decision may take to reach a status; park comes only from a park action,
# closing and reopening only from people.
DECISION_MOVES = ("open", "mark_pending", "unpark", "wait_on_customer", "wait_on_third_party")
DECISION_MOVES += ("resume", "resolve")


def status_path(source: str, target: str) -> list[str] | None:
    """The shortest chain of decision-allowed transitions from one status to another."""
    if source == target:
        return []
    edges: dict[str, list[tuple[str, str]]] = {}
    for t in Case._meta.get_field("status").get_all_transitions(Case):
        if t.name in DECISION_MOVES:
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


@dataclass
class DecisionRun:
    """The state of one decision being applied to its (locked) case.

    `role_checked`: the caller has already decided who may do this (a partner raising an OOS
    ticket), so case moves skip their role check. `made_by_caller`: records the caller made
    for this decision (the revisit booking of create_revisit), found instead of made again.
    `given`: what the agent answered (a preferred professional, a new appointment).
    """

    case: Case
    decision: Decision
    actor: User | None
    policy: Policy
    flow: Flow | None
    now: datetime
    role_checked: bool
    made_by_caller: dict[str, Any]
    given: dict[str, Any] = field(default_factory=dict)
    applied: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[TaskSpec] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)
    disposition: str | None = None
    paf: PartnerAtFault | None = None

    @property
    def reason(self) -> str:
        """The reason written on every event this decision causes."""
        name = self.flow.name if self.flow else "decision"
        return f"SOP flow {name}: {self.decision.outcome}"

    @property
    def zone(self) -> ZoneInfo:
        """The case's region's time zone."""
        return ZoneInfo(self.case.city.region.timezone)

    def clock_end(self, clock: str, *, days: float = 0, hours: float = 0) -> datetime:
        """When an SOP clock started now runs out: wall time, or the region's working time
        when the policy lists the clock in business_time_clocks (hours as working hours,
        days as business days at the same time of day). A drill's clock_speedup applies."""
        params = self.policy.params
        if not params.counts_business_time(clock):
            return self.now + params.duration(days=days, hours=hours)
        calendar = working_calendar(self.case.city.region_id, self.now)
        end = self.now
        if days:
            local = calendar.local(end)
            day = calendar.add_business_days(local.date(), round(days))
            end = datetime.combine(day, local.timetz())
        if hours:
            end = calendar.add(end, params.duration(hours=hours).total_seconds())
        return end

    @property
    def money_actor(self) -> User | None:
        """Payout services check the actor's role; a run the caller authorised (a partner's
        own OOS ticket) acts as the system."""
        return None if self.role_checked else self.actor

    # -- what was done --

    def done(self, action: Action, status: str = "applied", **details: Any) -> None:
        """Record that an action was carried out (or found already done)."""
        self.applied.append({**action.to_dict(), "status": status, **to_jsonable(details)})

    def add_task(
        self,
        action: Action,
        title: str,
        *,
        team: str | None = None,
        owner_id: int | None = None,
        due_at: datetime | None = None,
        due_hours: float | None = None,
        **details: Any,
    ) -> TaskSpec:
        """Turn an action into a task for a person: the case's team unless another is named,
        the acting case worker (or the case's assignee) unless an owner is named, due after
        the policy's task delay unless a time is named. Written with the DECISION event."""
        params = self.policy.params
        if due_at is None:
            hours = params.task_due_hours if due_hours is None else due_hours
            due_at = self.now + timedelta(hours=hours)
        if owner_id is None and team is None:
            owner_id = self.actor.pk if has_role(self.actor, CASE_WORKERS) else None
            owner_id = owner_id or self.case.assignee_id
        spec = TaskSpec(
            kind=action.kind.value,
            title=title,
            owner_team=team or self.case.team,
            owner_id=owner_id,
            due_at=due_at,
            params={**action.to_dict()["params"], **to_jsonable(details)},
        )
        self.tasks.append(spec)
        self.done(action, "task", task=spec.title, owner_team=spec.owner_team, due_at=due_at)
        return spec

    def team_lead(self, team: str) -> int | None:
        """The lead of a team (who its tasks go to), or None: the team's queue."""
        return TeamLead.objects.filter(team=team).values_list("lead_id", flat=True).first()

    # -- the case's records --

    def booking(self) -> Booking:
        """The case's booking (400 when the decision needs one and there is none)."""
        booking = self.case.booking
        if booking is None:
            raise InvalidInput({"booking": "The case has no booking for this decision."})
        return booking

    def job(self) -> tuple[Booking, Partner]:
        """The case's booking and its partner."""
        booking = self.booking()
        if booking.partner is None:
            raise InvalidInput({"booking": f"Booking {booking.external_id} has no partner."})
        return booking, booking.partner

    def previous_record(self, key: str) -> Any:
        """A record an earlier decision on this case made (its id), or None."""
        payload = (
            CaseEvent.objects.filter(
                case_id=self.case.pk, type=EventType.DECISION, payload__records__has_key=key
            )
            .order_by("-id")
            .values_list("payload", flat=True)
            .first()
        )
        return payload["records"][key] if payload else None

    def the_paf(self) -> PartnerAtFault | None:
        """The PAF on the case's job: marked by this decision, or found."""
        if self.paf is None and self.case.booking is not None:
            booking = self.case.booking
            self.paf = PartnerAtFault.objects.filter(
                booking=booking, partner_id=booking.partner_id
            ).first()
        return self.paf

    # -- the case itself --

    def set_disposition(self) -> None:
        """Record the decision's tag (or the flow's tag for its outcome) on the case."""
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

    def resolve_if_answered(self) -> None:
        """Resolve the case with the decision's tag when the tag says the contact is answered
        (not "Unresolved") and the case is still being worked."""
        tag = self.disposition
        if not tag or "unresolved" in tag.casefold():
            return
        if self.case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            return
        self.records["resolved"] = self.move_to(CaseStatus.RESOLVED)

    def step(self, name: str, data: dict[str, Any] | None = None) -> None:
        """One transition of the case, through the one transition path."""
        case = self.case
        if name == "resolve" and case.disposition is not None:
            data = {"disposition": case.disposition, **(data or {})}
        case_services.transition_case(
            case_id=case.pk,
            name=name,
            actor=self.actor,
            reason=self.reason,
            data=data,
            role_checked=self.role_checked,
            policy_version=self.decision.policy_version,
        )
        case.refresh_from_db(fields=list(case_services.TRANSITION_FIELDS))

    def move_to(self, target: str) -> list[str]:
        """Reach a status by the shortest chain of transitions; returns their names."""
        steps = status_path(self.case.status, target)
        if steps is None:
            raise TransitionConflict(
                f"Case #{self.case.pk} cannot go from {self.case.get_status_display()} to "
                f"{CaseStatus(target).label}."
            )
        for name in steps:
            self.step(name)
        return steps

    def change(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Set working fields, one FIELD_CHANGE event each (through update_case)."""
        case = self.case
        changes = {name: value for name, value in changes.items() if getattr(case, name) != value}
        if not changes:
            return {}
        case_services.update_case(
            case_id=case.pk,
            actor=self.actor,
            changes=changes,
            reason=self.reason,
            role_checked=self.role_checked,
            policy_version=self.decision.policy_version,
        )
        case.refresh_from_db(fields=[*changes, "updated_at"])
        return changes
