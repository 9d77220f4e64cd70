"""Closing a task, and what its outcome carries out: the OOS training / review task decides
whether the cancellation against the partner stands (PAF review and reversal form); the PAF
review task (a held penalty's PAF) is the PAF's review itself."""

from __future__ import annotations

from django.db import transaction

from cases import services as case_services
from cases.models import Task
from core.errors import InvalidInput, NotPermitted, TransitionConflict
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
        if task.kind == payouts.PAF_REVIEW_TASK:
            return _close_paf_review(task, actor, outcome, done, partner_at_fault)
        if task.kind == ActionKind.REVERSE_PAF and done:
            if partner_at_fault is None:
                raise InvalidInput(
                    {"partner_at_fault": "Say whether the review found the partner at fault."}
                )
            _carry_out_oos_review(task, actor, outcome, partner_at_fault)
        return case_services.close_task(task_id=task.pk, actor=actor, outcome=outcome, done=done)


def _close_paf_review(
    task: Task, actor: User, outcome: str, done: bool, partner_at_fault: bool | None
) -> Task:
    """The PAF review task ends with the review (payouts.review_paf closes it): at fault, the
    PAF is genuine and its held penalty goes to the next run; not at fault, not genuine. It is
    not cancelled while the PAF is pending review: the penalty would be held for ever."""
    if not case_services.may_close(actor, task):
        raise NotPermitted("Only the trainer team, its lead or a supervisor reviews this PAF.")
    paf_id = task.params.get("paf")
    pending = PartnerAtFault.objects.filter(pk=paf_id, state=PafState.PENDING_REVIEW).exists()
    if not done:
        if pending:
            raise TransitionConflict(
                f"PAF #{paf_id} is pending review and its penalty is held until then: review "
                "it (at fault or not) instead of cancelling the task."
            )
        return case_services.close_task(task_id=task.pk, actor=actor, outcome=outcome, done=False)
    if partner_at_fault is None:
        raise InvalidInput(
            {"partner_at_fault": "Say whether the review found the partner at fault."}
        )
    if not pending:
        return case_services.close_task(task_id=task.pk, actor=actor, outcome=outcome)
    payouts.review_paf(paf_id=paf_id, actor=actor, genuine=partner_at_fault, reason=outcome)
    task.refresh_from_db()
    return task


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
