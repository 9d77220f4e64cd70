"""Escalation: the case goes to the team the SOP names, to its lead (or its queue), with the
priority the policy gives, and the lead is told (in the app and by e-mail)."""

from __future__ import annotations

from cases import services as case_services
from cases.catalog import Team
from policies.decision import Action

from ..decision_run import DecisionRun

# The SOPs' escalation targets as teams. "Sajan/Karuna" (the pre-services tech contacts)
# arrive as names from the policy, with team="tech_support" beside them.
TEAM_OF_TARGET: dict[str, str] = {
    "safety_team": Team.SAFETY,
    "fraud_review": Team.FRAUD_REVIEW,
    "supervisor": Team.ESCALATIONS,
    "trainer": Team.TRAINING,
    "finance": Team.FINANCE,
    "operations": Team.OPERATIONS,
    "engineering_operations": Team.ENGINEERING_OPS,
    "tech_support": Team.TECH_SUPPORT,
}
# "Escalate to your direct manager or leader of shift": the lead of the case's own team.
OWN_TEAM_LEAD = "direct_manager_or_shift_leader"


def escalation_team(run: DecisionRun, action: Action) -> str:
    """The team an escalation goes to; an unknown target is a programming error."""
    target = str(action.param("team") or action.param("to") or "")
    if target == OWN_TEAM_LEAD:
        return run.case.team
    if target in TEAM_OF_TARGET:
        return TEAM_OF_TARGET[target]
    if target == "/".join(run.policy.params.escalation_contacts):
        return Team.TECH_SUPPORT
    raise LookupError(f"No team for the escalation target {target!r}.")


def escalate(run: DecisionRun, action: Action) -> None:
    """Escalate the case now: team, lead, priority, notification, ESCALATION event."""
    team = escalation_team(run, action)
    params = run.policy.params
    priority = (
        params.safety_escalation_priority if team == Team.SAFETY else params.escalation_priority
    )
    cc = action.param("cc") or ()
    reason = str(action.param("reason") or run.decision.outcome)
    if cc:
        reason += f" (in copy: {', '.join(cc)})"
    result = case_services.escalate_case(
        case_id=run.case.pk,
        team=team,
        priority=priority,
        reason=reason,
        actor=run.actor,
        role_checked=True,
        policy_version=run.decision.policy_version,
    )
    run.case.refresh_from_db(fields=["team", "assignee", "priority", "updated_at"])
    run.records.setdefault("escalated_to", []).append(team)
    run.done(
        action,
        team_code=team,
        lead=result.lead_id,
        priority=run.case.priority,
        changed=sorted(result.changes),
    )
