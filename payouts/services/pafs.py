"""Partner-at-fault marks and revisit penalties: mark, review, schedule, waive.

The money rules (docs/money.md): the partner at fault is the booking's partner; a penalty
comes from a revisit SOP path on a revisit job; a run deducts it only once its PAF is genuine
and no reversal request for it is open (until then it is held, and its PAF has a review task);
nobody reviews a PAF they marked."""

from __future__ import annotations

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services as case_services
from cases.catalog import Team
from cases.models import Booking, Case, EventType, Task, TaskState, TeamLead
from cases.services import TaskSpec
from core import roles
from core.errors import (
    InvalidInput,
    NotPermitted,
    PolicyRefusal,
)
from core.locks import lock_row
from core.moments import refuse_future
from core.roles import User, actor_or_none, require_role
from partners.selectors import working_calendar
from policies.parameters import Policy
from policies.sop.revisits import PENALTY_PATHS, decide_paf_reversal_request, decide_revisit_penalty

from .. import events
from ..models import (
    EntryKind,
    LedgerEntry,
    PafState,
    PartnerAtFault,
    Penalty,
    PenaltyState,
)
from ..selectors import deductible_penalties, deductible_since, why_held
from .common import fsm_move, policy_now, require_reason
from .ledger import post_entry

# The task a held penalty's PAF gets: its review, for the trainer (Trainer / QA team).
PAF_REVIEW_TASK = "review_paf"


def refuse_genuine_paf(paf: PartnerAtFault, policy: Policy) -> None:
    """Revisit SOP (scenarios 1 and 4): a genuine PAF stands; only a not-genuine one goes on
    the PAF and penalty reversal form. The decision is the policy module's."""
    decision = decide_paf_reversal_request(paf_genuine=paf.state == PafState.GENUINE, policy=policy)
    if decision.refused:
        raise PolicyRefusal(f"PAF #{paf.pk}: {decision.reason}", code="genuine_paf")


def refuse_self_review(paf: PartnerAtFault, actor: User | None) -> None:
    """Nobody reviews a PAF they marked (403), as nobody decides their own refund or reversal
    request. The database holds the same rule (paf_not_reviewed_by_marker)."""
    if paf.marked_by_id is not None and paf.marked_by_id == getattr(actor, "pk", None):
        raise NotPermitted("Nobody may review a PAF they marked themselves.")


def mark_paf(
    *,
    booking: Booking,
    reason: str,
    actor: User | None,
    case: Case | None = None,
    at: datetime | None = None,
) -> PartnerAtFault:
    """Mark the job's partner at fault. The partner is the booking's own, never chosen: a job
    without a partner is a 400. The case, when given, must be about the booking (400 on case).
    One PAF per (job, partner): marking again returns the existing mark unchanged."""
    if actor is not None and not roles.has_role(actor, roles.PAF_MARKERS):
        raise NotPermitted("Your role may not mark a partner at fault.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why the partner is at fault."})
    if booking.partner_id is None:
        raise InvalidInput(
            {"booking": f"Booking {booking.external_id} has no partner: nobody to mark at fault."}
        )
    case_services.require_case_of_booking(case, booking)
    refuse_future(at, "marked_at")
    at = at or timezone.now()
    existing = PartnerAtFault.objects.filter(booking=booking, partner_id=booking.partner_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            paf = PartnerAtFault.objects.create(
                partner_id=booking.partner_id,
                booking=booking,
                case=case,
                reason=reason[:200],
                marked_by=actor_or_none(actor),
                marked_at=at,
                policy_version=policy_now(at).version,
            )
            events.paf_marked(paf)
            return paf
    except IntegrityError:  # marked by someone else a moment ago
        return PartnerAtFault.objects.get(booking=booking, partner_id=booking.partner_id)


def mark_paf_with_penalty(
    *,
    booking: Booking,
    reason: str,
    actor: User | None,
    case: Case | None = None,
    penalty_path: str | None = None,
) -> PartnerAtFault:
    """Mark the job's partner at fault and, when a revisit SOP path is named, add the revisit
    penalty that path gives, in one transaction: a PAF is never written without the penalty
    asked for with it, nor with a penalty no SOP path gives (422, nothing written). The
    penalty is held until the PAF is reviewed: its review task goes on the case, which is
    then needed (400 on case)."""
    with transaction.atomic():
        paf = mark_paf(booking=booking, reason=reason, actor=actor, case=case)
        if penalty_path is not None:
            create_revisit_penalty(paf=paf, path=penalty_path)
            request_paf_review(paf=paf, actor=actor)
    return paf


def close_review_tasks(paf: PartnerAtFault, actor: User | None, outcome: str) -> None:
    """The PAF was reviewed (or bound genuine, or reversed): its review task is done."""
    open_tasks = Task.objects.filter(
        kind=PAF_REVIEW_TASK, state=TaskState.OPEN, params__paf=paf.pk
    ).values_list("pk", flat=True)
    for task_id in open_tasks:
        case_services.close_task(task_id=task_id, actor=actor, outcome=outcome, role_checked=True)


def request_paf_review(
    *, paf: PartnerAtFault, actor: User | None, case: Case | None = None
) -> Task | None:
    """A penalty is held while its PAF is pending review, so the review may not wait for
    ever: a task for the trainer (Trainer / QA team, its lead as owner) on the PAF's case (or
    the case given, about the same booking), due at the end of the training / review date
    (the policy's training_review_business_days in the region's working days). None when the
    PAF is not pending review or already has the task."""
    paf = PartnerAtFault.objects.select_related("case__city", "booking").get(pk=paf.pk)
    if paf.state != PafState.PENDING_REVIEW:
        return None
    if Task.objects.filter(kind=PAF_REVIEW_TASK, state=TaskState.OPEN, params__paf=paf.pk).exists():
        return None
    case = paf.case or case
    case_services.require_case_of_booking(case, paf.booking)
    if case is None:
        raise InvalidInput(
            {
                "case": "The penalty is held until the PAF is reviewed, and the review is a "
                "task on the case: name the case."
            }
        )
    now = timezone.now()
    policy = policy_now(now)
    calendar = working_calendar(case.city.region_id, now)
    day = calendar.add_business_days(
        calendar.local(now).date(), policy.params.training_review_business_days
    )
    penalty = Penalty.objects.filter(paf=paf).values_list("pk", "amount", "currency").first()
    spec = TaskSpec(
        kind=PAF_REVIEW_TASK,
        title=(
            f"Review PAF #{paf.pk} on {paf.booking.external_id}: genuine or not (its penalty is "
            "held until then)"
        ),
        owner_team=Team.TRAINING,
        owner_id=TeamLead.objects.filter(team=Team.TRAINING)
        .values_list("lead_id", flat=True)
        .first(),
        due_at=datetime.combine(day, time(23, 59), tzinfo=calendar.zone),
        detail=paf.reason,
        params={
            "paf": paf.pk,
            **({"penalty": penalty[0], "amount": f"{penalty[1]} {penalty[2]}"} if penalty else {}),
        },
    )
    (task,) = case_services.create_tasks(case, [spec], actor=actor, policy_version=policy.version)
    return task


def review_paf(*, paf_id: int, actor: User, genuine: bool, reason: str) -> PartnerAtFault:
    """Trainer / supervisor review: the PAF is genuine (stands) or not (may be reversed). A PAF
    a decision bound as genuine can still be overturned here, audited on its case. Nobody
    reviews a PAF they marked (403). The PAF's review task, if any, is done with it."""
    require_role(actor, roles.PAF_REVIEWERS, doing="review a PAF")
    reason = require_reason(reason)
    with transaction.atomic():
        paf = lock_row(PartnerAtFault, paf_id)
        refuse_self_review(paf, actor)
        before = paf.state
        if paf.state == PafState.GENUINE and not genuine:
            fsm_move(paf, "overturn")
        else:
            fsm_move(paf, "mark_genuine" if genuine else "mark_not_genuine")
        paf.reviewer = actor_or_none(actor)
        paf.reviewed_at = timezone.now()
        paf.decision_reason = reason
        paf.policy_version = policy_now().version
        paf.save()
        if paf.case_id is not None:
            case_services.append_event(
                paf.case,
                type=EventType.FIELD_CHANGE,
                actor=actor,
                reason=f"PAF #{paf.pk} reviewed: {paf.get_state_display()}. {reason}",
                payload={"field": "paf_state", "paf": paf.pk, "from": before, "to": paf.state},
            )
        close_review_tasks(paf, actor, f"PAF reviewed: {paf.get_state_display()}. {reason}")
    return paf


def confirm_genuine(*, paf: PartnerAtFault, reason: str, policy_version: str) -> tuple[str, str]:
    """A decision found the partner at fault for good ("this can not be reversed"): a PAF
    pending review becomes genuine with the decision's reason, so no reversal request for it
    is accepted or approved. Returns (state before, state after); a PAF already reviewed keeps
    its review (a supervisor overturns through review_paf)."""
    with transaction.atomic():
        paf = lock_row(PartnerAtFault, paf.pk)
        before = paf.state
        if paf.state == PafState.PENDING_REVIEW:
            fsm_move(paf, "mark_genuine")
            paf.reviewed_at = timezone.now()
            paf.decision_reason = reason
            paf.policy_version = policy_version
            paf.save()
            close_review_tasks(paf, None, f"PAF bound genuine by the SOP decision: {reason}")
    return before, paf.state


def create_revisit_penalty(
    *, paf: PartnerAtFault, path: str, policy: Policy | None = None, note: str = ""
) -> Penalty:
    """The revisit penalty the named revisit SOP path gives (policies.sop.revisits
    PENALTY_PATHS): revisit_penalty_rate x the original invoice, deducted from the partner's
    next payout once the PAF is genuine. Only on a revisit job: anywhere else no SOP path
    gives a penalty (422, nothing written). The reason names the path. Idempotent: one
    penalty per PAF.

    The original invoice is the invoice of the booking the revisit was made for (the PAF's
    booking is the revisit itself).
    """
    if path not in PENALTY_PATHS:
        raise InvalidInput(
            {"penalty": f"Name the revisit SOP path: one of {', '.join(sorted(PENALTY_PATHS))}."}
        )
    policy = policy or policy_now(paf.marked_at)
    with transaction.atomic():
        paf = lock_row(PartnerAtFault, paf.pk, "booking__revisit_of")
        existing = Penalty.objects.filter(paf=paf).first()
        if existing is not None:
            return existing
        if paf.state in (PafState.NOT_GENUINE, PafState.REVERSED):
            raise PolicyRefusal(
                f"PAF #{paf.pk} is {paf.get_state_display().lower()}: no penalty applies."
            )
        booking = paf.booking
        original = booking.revisit_of or booking
        decision = decide_revisit_penalty(
            path=path,
            is_revisit_job=booking.revisit_of_id is not None,
            original_invoice_amount=original.invoice_amount,
            policy=policy,
        )
        if decision.refused:
            raise PolicyRefusal(
                f"Booking {booking.external_id}: {decision.reason}", code=decision.outcome
            )
        created = decision.action("create_penalty")
        reason = f"{decision.reason}. Original booking {original.external_id}, {original.currency}."
        penalty = Penalty.objects.create(
            paf=paf,
            booking=booking,
            partner_id=paf.partner_id,
            currency=booking.currency,
            base_amount=created.param("base_amount"),
            rate=created.param("rate"),
            amount=created.param("amount"),
            policy_version=policy.version,
            reason=f"{reason}\n{note.strip()}" if note.strip() else reason,
        )
        events.penalty_scheduled(penalty)
        return penalty


def _deduction_entry(penalty: Penalty, occurred_at: datetime) -> tuple[LedgerEntry, bool]:
    return post_entry(
        key=penalty.deduction_key,
        partner_id=penalty.partner_id,
        currency=penalty.currency,
        kind=EntryKind.PENALTY_DEDUCTION,
        amount=-penalty.amount,
        # Dated when the penalty became deductible (arose, and its PAF genuine), so the next
        # run whose period covers that moment takes it.
        occurred_at=occurred_at,
        booking_id=penalty.booking_id,
        penalty_id=penalty.pk,
        policy_version=penalty.policy_version,
        memo=f"Revisit penalty #{penalty.pk}",
    )


def schedule_penalty(*, penalty_id: int) -> Penalty:
    """Write the penalty's deduction entry (once) so the next payout run takes it.

    Payout runs do this for every deductible pending penalty of their region; this is the
    one-penalty form, under the same rule: a penalty whose PAF is not genuine, or has a
    reversal request open, is held (422, nothing written). Repeating it is harmless: the
    entry's key is penalty:{id}:deduction.
    """
    with transaction.atomic():
        penalty = lock_row(Penalty, penalty_id, "paf")
        if penalty.state in (PenaltyState.SCHEDULED, PenaltyState.DEDUCTED):
            return penalty
        if penalty.state == PenaltyState.PENDING:
            held = why_held(penalty)
            if held:
                raise PolicyRefusal(
                    f"Penalty #{penalty.pk} is held: {held}. A run deducts it once the PAF is "
                    "genuine and no reversal request for it is open.",
                    code="penalty_held",
                )
        since = (
            deductible_penalties(Penalty.objects.filter(pk=penalty.pk))
            .annotate(since=deductible_since())
            .values_list("since", flat=True)
            .first()
        )
        fsm_move(penalty, "schedule")
        if penalty.amount > 0:
            _deduction_entry(penalty, since or penalty.created_at)
        penalty.save()
    return penalty


def close_penalty(penalty: Penalty, *, how: str, actor: User | None, reason: str) -> None:
    """Reverse or waive a locked penalty, with the ledger rule:

    - pending: no deduction entry exists yet, so none is written; the penalty just closes.
    - scheduled (entry written, maybe in a computed run, not paid) or deducted (paid): write
      one compensating `reversal` entry of +amount. Before payment the pair nets to zero in
      whichever run takes both; after payment the reversal is credited in the next run.
    """
    had_entry = penalty.state in (PenaltyState.SCHEDULED, PenaltyState.DEDUCTED)
    fsm_move(penalty, how)
    penalty.closed_by = actor_or_none(actor)
    penalty.reason = f"{penalty.reason}\n{how.capitalize()}d: {reason}".strip()
    penalty.save()
    events.penalty_cancelled(penalty, how=how, reason=reason)
    if had_entry and penalty.amount > 0:
        post_entry(
            key=penalty.reversal_key,
            partner_id=penalty.partner_id,
            currency=penalty.currency,
            kind=EntryKind.REVERSAL,
            amount=penalty.amount,
            booking_id=penalty.booking_id,
            penalty_id=penalty.pk,
            policy_version=policy_now().version,
            memo=f"Penalty #{penalty.pk} {how}d: {reason}",
        )


def waive_penalty(*, penalty_id: int, actor: User, reason: str) -> Penalty:
    """A supervisor waives a penalty that has not been deducted yet."""
    require_role(actor, roles.PAF_REVIEWERS, doing="waive a penalty")
    reason = require_reason(reason)
    with transaction.atomic():
        penalty = lock_row(Penalty, penalty_id)
        close_penalty(penalty, how="waive", actor=actor, reason=reason)
    return penalty
