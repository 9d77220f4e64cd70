"""Actions that open or record something beside the case: a complaint ticket, a second tag."""

from __future__ import annotations

from cases import services as case_services
from cases.catalog import CaseKind, Sop, Team, sop_of
from cases.models import Channel
from policies.decision import Action

from ..decision_run import DecisionRun
from .case_state import team_named


def create_complaint_ticket(run: DecisionRun, action: Action) -> None:
    """Open the complaint ticket the SOP asks for, linked to this case (once), for the team
    it names (customer care unless the SOP says engineering operations). On an L1 contact the
    case itself is the complaint ticket: it stays open under its "Unresolved" tag."""
    if sop_of(run.case.kind) == Sop.L1:
        run.done(action, "this_case", case_id=run.case.pk)
        return
    previous = run.previous_record("complaint_case_id")
    if previous is not None:
        run.records["complaint_case_id"] = previous
        run.done(action, "already_done", case_id=previous)
        return
    team = team_named(str(action.param("team") or "")) or Team.CUSTOMER_CARE
    subject = str(action.param("subject") or "Complaint").replace(">>", "/")
    missing = action.param("missing_services") or ()
    detail = "\n".join(f"Missing: {item}" for item in missing)
    case = run.case
    complaint = case_services.create_case(
        actor=run.actor,
        kind=CaseKind.COMPLAINT,
        channel=Channel.SYSTEM,
        reporter=case.reporter,
        subject=f"Complaint (case #{case.pk}): {subject}"[:200],
        description=detail or run.decision.reason,
        booking=case.booking,
        customer=case.customer,
        partner=case.partner,
        city=case.city,
        team=team,
        priority=case.priority,
        related_to=case,
    )
    run.records["complaint_case_id"] = complaint.pk
    run.done(action, case_id=complaint.pk, team_code=team)


def record_tag(run: DecisionRun, action: Action) -> None:
    """A second disposition of the same contact, kept on the decision beside the first."""
    tag = str(action.param("tag") or action.param("path") or "")
    run.records.setdefault("secondary_tags", []).append(tag)
    run.done(action, tag=tag)
