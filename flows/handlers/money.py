"""Handlers that write partner money and its records: PAF, penalty, refund, bonus, the reversal
forms. Each finds what an earlier run of the same decision made instead of making it twice."""

from __future__ import annotations

from cases.catalog import Team
from core import roles
from core.errors import TransitionConflict
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
from policies.actions import ActionKind
from policies.decision import Action
from policies.words import code_in_words

from ..decision_run import DecisionRun

REFUND_REASON_OF: dict[str, str] = {
    "goodwill_no_show": RefundReason.GOODWILL_NO_SHOW,
    "goodwill_no_response": RefundReason.GOODWILL_NO_RESPONSE,
    "wrong_job_started": RefundReason.WRONG_JOB,
    **{reason: reason for reason in RefundReason.values},
}
BONUS_REASON_OF: dict[str, str] = {"delivered_at_changed_address": "changed_address"}


def no_paf(run: DecisionRun, action: Action) -> None:
    """Record that no PAF or penalty applies (IR not triggered)."""
    run.done(action, "recorded")


def mark_paf(run: DecisionRun, action: Action) -> None:
    """Mark the job's partner at fault (once per job and partner)."""
    booking, partner = run.job()
    existing = PartnerAtFault.objects.filter(booking=booking, partner=partner).first()
    run.paf = existing or payouts.mark_paf(
        booking=booking,
        reason=code_in_words(str(action.param("reason") or run.decision.outcome)),
        actor=run.money_actor,
        case=run.case,
    )
    run.records["paf_id"] = run.paf.pk
    run.done(action, "already_done" if existing else "applied", paf_id=run.paf.pk)


def create_penalty(run: DecisionRun, action: Action) -> None:
    """The revisit penalty the decision's SOP path gives, on the job's PAF (once per PAF).
    Held until the PAF is genuine: unless the same decision binds it genuine ("this can not
    be reversed"), its review becomes a task for the trainer."""
    paf = run.the_paf()
    if paf is None:
        raise TransitionConflict("A penalty needs the partner-at-fault mark first.")
    existing = Penalty.objects.filter(paf=paf).first()
    penalty = existing or payouts.create_revisit_penalty(
        paf=paf, path=str(action.param("path")), policy=run.policy
    )
    if not run.decision.has_action(ActionKind.REFUSE_REVERSAL):
        payouts.request_paf_review(paf=paf, actor=run.money_actor, case=run.case)
    run.records["penalty_id"] = penalty.pk
    run.done(
        action,
        "already_done" if existing else "applied",
        penalty_id=penalty.pk,
        penalty_amount=penalty.amount,
        currency=penalty.currency,
    )


def create_refund(run: DecisionRun, action: Action) -> None:
    """Request the refund the SOP decided (once per booking and reason while it stands)."""
    booking = run.booking()
    reason = REFUND_REASON_OF.get(str(action.param("reason")), RefundReason.OTHER)
    amount = action.param("amount")
    deduct = run.decision.has_action("deduct_from_partner")
    existing = (
        Refund.objects.filter(booking=booking, reason=reason)
        .exclude(state__in=[RefundState.REJECTED, RefundState.FAILED])
        .first()
    )
    refund = existing or payouts.request_refund(
        booking=booking,
        reason=reason,
        amount=amount,
        actor=run.money_actor,
        case=run.case,
        note=run.decision.reason,
        deduct_from_partner=deduct,
    )
    run.records["refund_id"] = refund.pk
    run.done(
        action,
        "already_done" if existing else "applied",
        refund_id=refund.pk,
        refund_amount=refund.amount,
        currency=refund.currency,
        deduct_from_partner=refund.deduct_from_partner,
    )


def deduct_from_partner(run: DecisionRun, action: Action) -> None:
    """The refund's recovery from the partner: carried by the refund itself (approving it
    debits the partner once); without a refund, finance recovers it by hand."""
    if "refund_id" in run.records:
        run.done(action, "applied", refund_id=run.records["refund_id"])
        return
    run.add_task(
        action,
        f"Recover {action.param('amount') or 'the amount'} from the partner",
        team=Team.FINANCE,
        owner_id=run.team_lead(Team.FINANCE),
    )


def partner_bonus(run: DecisionRun, action: Action) -> None:
    """Pay the partner the SOP's bonus (one ledger entry per booking and reason)."""
    booking, _ = run.job()
    raw_reason = str(action.param("reason") or "changed_address")
    reason = BONUS_REASON_OF.get(raw_reason, raw_reason)
    key = f"booking:{booking.pk}:bonus:{reason}"
    existed = LedgerEntry.objects.filter(idempotency_key=key).exists()
    entry = payouts.partner_bonus(
        booking=booking,
        actor=run.money_actor,
        reason=reason,
        amount=action.param("amount"),
        case=run.case,
    )
    run.records["bonus_entry_id"] = entry.pk
    run.done(action, "already_done" if existed else "applied", ledger_entry_id=entry.pk)


def may_log_reversals(run: DecisionRun) -> bool:
    """Partner support and supervisors log reversal forms (or a run the caller authorised)."""
    return run.role_checked or roles.has_role(run.actor, roles.REVERSAL_LOGGERS)


def _found(run: DecisionRun, action: Action, request: ReversalRequest) -> None:
    run.records["reversal_request_id"] = request.pk
    run.done(action, "already_done", reversal_request_id=request.pk)


def _log_reversal(run: DecisionRun, action: Action, kind: str, **target: object) -> None:
    """Log the reversal form on the decision's behalf when the actor may log one; else it is
    partner support's task."""
    if not may_log_reversals(run):
        form = (
            "rating reversal form"
            if kind == ReversalKind.RATING
            else "PAF and penalty reversal form"
        )
        run.add_task(action, f"Log the {form}", team=Team.PARTNER_SUPPORT)
        return
    request = payouts.submit_reversal_request(
        kind=kind, actor=run.actor, case=run.case, notes=run.decision.reason, **target
    )
    run.records["reversal_request_id"] = request.pk
    run.done(action, reversal_request_id=request.pk)


def offer_reversal_form(run: DecisionRun, action: Action) -> None:
    """The PAF and penalty reversal form for the job's PAF (once while one is open)."""
    paf = run.the_paf()
    if paf is None:
        run.add_task(
            action,
            "No PAF is recorded for this job: check and log the reversal form",
            team=Team.PARTNER_SUPPORT,
        )
        return
    open_request = ReversalRequest.objects.filter(
        paf=paf, state__in=[ReversalState.SUBMITTED, ReversalState.UNDER_REVIEW]
    ).first()
    if open_request is not None:
        _found(run, action, open_request)
        return
    if paf.state not in (PafState.PENDING_REVIEW, PafState.NOT_GENUINE):
        run.done(action, "not_applicable", paf_id=paf.pk, paf_state=paf.state)
        return
    _log_reversal(run, action, ReversalKind.PAF_PENALTY, paf=paf)


def rating_reversal_form(run: DecisionRun, action: Action) -> None:
    """The rating reversal form for the job (once unless it was rejected)."""
    booking, _ = run.job()
    existing = (
        ReversalRequest.objects.filter(kind=ReversalKind.RATING, booking=booking)
        .exclude(state=ReversalState.REJECTED)
        .first()
    )
    if existing is not None:
        _found(run, action, existing)
        return
    _log_reversal(run, action, ReversalKind.RATING, booking=booking)


def refuse_reversal(run: DecisionRun, action: Action) -> None:
    """ "This can not be reversed": the job's PAF becomes genuine with the decision's reason,
    so a reversal request for it is refused (422) and none is approved."""
    paf = run.the_paf()
    if paf is None:
        run.done(action, "no_paf")
        return
    before, after = payouts.confirm_genuine(
        paf=paf, reason=run.decision.reason, policy_version=run.decision.policy_version
    )
    run.records["paf_id"] = paf.pk
    run.done(
        action,
        "applied" if before != after else "already_done",
        paf_id=paf.pk,
        paf_state=after,
    )


def exclude_from_mg_plan(run: DecisionRun, action: Action) -> None:
    """A validated OOS booking does not count toward the partner's MG plan (once)."""
    booking = run.booking()
    exclusion, created = payouts.exclude_from_mg_plan(
        booking=booking,
        reason=f"{run.decision.outcome} (case #{run.case.pk})",
        actor=run.money_actor,
        case=run.case,
        policy_version=run.decision.policy_version,
    )
    if exclusion is None:
        run.done(action, "not_on_mg_plan", booking_id=booking.pk)
        return
    run.records["mg_exclusion_id"] = exclusion.pk
    run.done(action, "applied" if created else "already_done", mg_exclusion_id=exclusion.pk)
