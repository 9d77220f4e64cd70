"""Partner-at-fault marks and revisit penalties: mark, review, schedule, waive."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Booking, Case, EventType
from core import roles
from core.errors import (
    InvalidInput,
    NotPermitted,
    PolicyRefusal,
)
from core.locks import lock_row
from core.roles import User, actor_or_none, require_role
from partners.models import Partner
from policies.parameters import Policy
from policies.sop.revisits import decide_paf_reversal_request

from ..models import (
    EntryKind,
    LedgerEntry,
    PafState,
    PartnerAtFault,
    Penalty,
    PenaltyState,
)
from ..money import penalty_amount
from .common import fsm_move, policy_now, require_reason
from .ledger import post_entry


def refuse_genuine_paf(paf: PartnerAtFault, policy: Policy) -> None:
    """Revisit SOP (scenarios 1 and 4): a genuine PAF stands; only a not-genuine one goes on
    the PAF and penalty reversal form. The decision is the policy module's."""
    decision = decide_paf_reversal_request(paf_genuine=paf.state == PafState.GENUINE, policy=policy)
    if decision.refused:
        raise PolicyRefusal(f"PAF #{paf.pk}: {decision.reason}", code="genuine_paf")


def mark_paf(
    *,
    partner: Partner,
    booking: Booking,
    reason: str,
    actor: User | None,
    case: Case | None = None,
    at: datetime | None = None,
) -> PartnerAtFault:
    """Mark the partner at fault for the job. One PAF per (job, partner): marking again
    returns the existing mark unchanged."""
    if actor is not None and not roles.has_role(actor, roles.PAF_MARKERS):
        raise NotPermitted("Your role may not mark a partner at fault.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why the partner is at fault."})
    at = at or timezone.now()
    existing = PartnerAtFault.objects.filter(booking=booking, partner=partner).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PartnerAtFault.objects.create(
                partner=partner,
                booking=booking,
                case=case,
                reason=reason[:200],
                marked_by=actor_or_none(actor),
                marked_at=at,
                policy_version=policy_now(at).version,
            )
    except IntegrityError:  # marked by someone else a moment ago
        return PartnerAtFault.objects.get(booking=booking, partner=partner)


def mark_paf_with_penalty(
    *,
    partner: Partner,
    booking: Booking,
    reason: str,
    actor: User | None,
    case: Case | None = None,
    with_penalty: bool = True,
) -> PartnerAtFault:
    """Mark the partner at fault and, when asked, add the revisit penalty, in one transaction:
    a PAF is never written without the penalty that was asked for with it."""
    with transaction.atomic():
        paf = mark_paf(partner=partner, booking=booking, reason=reason, actor=actor, case=case)
        if with_penalty:
            create_revisit_penalty(paf=paf)
    return paf


def review_paf(*, paf_id: int, actor: User, genuine: bool, reason: str) -> PartnerAtFault:
    """Trainer / supervisor review: the PAF is genuine (stands) or not (may be reversed). A PAF
    a decision bound as genuine can still be overturned here, audited on its case."""
    require_role(actor, roles.PAF_REVIEWERS, doing="review a PAF")
    reason = require_reason(reason)
    with transaction.atomic():
        paf = lock_row(PartnerAtFault, paf_id)
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
    return before, paf.state


def create_revisit_penalty(
    *, paf: PartnerAtFault, policy: Policy | None = None, reason: str = ""
) -> Penalty:
    """Revisit SOP scenario 4: a penalty of revisit_penalty_rate x the original invoice,
    deducted from the partner's next payout. Idempotent: one penalty per PAF.

    The original invoice is the invoice of the booking the revisit was made for (the PAF's
    booking is the revisit itself); for a non-revisit booking it is its own invoice.
    """
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
        original = paf.booking.revisit_of or paf.booking
        rate = policy.params.revisit_penalty_rate
        amount = penalty_amount(
            base_amount=original.invoice_amount, rate=rate, currency=paf.booking.currency
        )
        return Penalty.objects.create(
            paf=paf,
            booking=paf.booking,
            partner_id=paf.partner_id,
            currency=paf.booking.currency,
            base_amount=original.invoice_amount,
            rate=rate,
            amount=amount,
            policy_version=policy.version,
            reason=reason
            or (
                f"Revisit SOP scenario 4: {rate} x original invoice {original.invoice_amount} "
                f"{original.currency} (booking {original.external_id}) = {amount}, deducted "
                "from the next payout."
            ),
        )


def _deduction_entry(penalty: Penalty) -> tuple[LedgerEntry, bool]:
    return post_entry(
        key=penalty.deduction_key,
        partner_id=penalty.partner_id,
        currency=penalty.currency,
        kind=EntryKind.PENALTY_DEDUCTION,
        amount=-penalty.amount,
        # Dated when the penalty arose, so the next run (whose period covers it) takes it.
        occurred_at=penalty.created_at,
        booking_id=penalty.booking_id,
        penalty_id=penalty.pk,
        policy_version=penalty.policy_version,
        memo=f"Revisit penalty #{penalty.pk}",
    )


def schedule_penalty(*, penalty_id: int) -> Penalty:
    """Write the penalty's deduction entry (once) so the next payout run takes it.

    Payout runs do this for every pending penalty of their region; this is the one-penalty
    form. Repeating it is harmless: the entry's key is penalty:{id}:deduction.
    """
    with transaction.atomic():
        penalty = lock_row(Penalty, penalty_id)
        if penalty.state in (PenaltyState.SCHEDULED, PenaltyState.DEDUCTED):
            return penalty
        fsm_move(penalty, "schedule")
        if penalty.amount > 0:
            _deduction_entry(penalty)
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
