"""Closing a task, and what its outcome carries out: the OOS training / review task decides
whether the cancellation against the partner stands (PAF review and reversal form)."""

from __future__ import annotations

from django.db import transaction

from cases import services as case_services
from cases.models import Task
from core.errors import InvalidInput
from core.locks import lock_row
from core.roles import User
from payouts import services as payouts
from payouts.models import PafState, PartnerAtFault, ReversalKind
from policies.actions import ActionKind


def close_task(
    *,
    task_id: int,
    actor: User,
    outcome: str,
    done: bool = True,
    partner_at_fault: bool | None = None,
) -> Task:
    """Close a task with its outcome. The OOS review task (REVERSE_PAF) needs the review's
    finding when done: at fault, the PAF stands (genuine); not at fault, the PAF is reviewed
    not genuine and its reversal form logged for finance (who decide it, never the trainer)."""
    with transaction.atomic():
        task = lock_row(Task, task_id, "case__booking")
        if task.kind == ActionKind.REVERSE_PAF and done:
            if partner_at_fault is None:
                raise InvalidInput(
                    {"partner_at_fault": "Say whether the review found the partner at fault."}
                )
            _carry_out_oos_review(task, actor, outcome, partner_at_fault)
        return case_services.close_task(task_id=task.pk, actor=actor, outcome=outcome, done=done)


def _carry_out_oos_review(task: Task, actor: User, outcome: str, at_fault: bool) -> None:
    booking = task.case.booking
    paf = (
        PartnerAtFault.objects.filter(booking=booking, partner_id=booking.partner_id).first()
        if booking is not None
        else None
    )
    if paf is None:
        return
    if at_fault:
        if paf.state == PafState.PENDING_REVIEW:
            payouts.review_paf(paf_id=paf.pk, actor=actor, genuine=True, reason=outcome)
        return
    if paf.state in (PafState.PENDING_REVIEW, PafState.GENUINE):
        payouts.review_paf(paf_id=paf.pk, actor=actor, genuine=False, reason=outcome)
    if (
        paf.state != PafState.REVERSED
        and not paf.reversal_requests.filter(state__in=["submitted", "under_review"]).exists()
    ):
        payouts.submit_reversal_request(
            kind=ReversalKind.PAF_PENALTY,
            actor=actor,
            paf=paf,
            case=task.case,
            notes=f"OOS training / review: the partner was not at fault. {outcome}",
        )
