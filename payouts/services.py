"""Writes on partner money: PAF marks, penalties, ledger entries, reversal requests, refunds
and payout runs. Each function is atomic, locks the rows it changes, and is safe to repeat:
every ledger entry carries an idempotency key derived from its cause and is written once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from cases import roles
from cases.errors import (
    InvalidInput,
    NotFoundError,
    NotPermitted,
    PolicyRefusal,
    TransitionConflict,
)
from cases.models import Booking, BookingStatus, Case
from partners.models import Partner, Region
from policies.parameters import Policy
from policies.revisits import decide_paf_reversal_request
from policies.selectors import policy_in_force

from .models import (
    EntryKind,
    LedgerEntry,
    PafState,
    PartnerAtFault,
    PayoutLine,
    PayoutRun,
    PayoutRunEntry,
    Penalty,
    PenaltyState,
    Refund,
    RefundReason,
    ReversalKind,
    ReversalRequest,
    ReversalState,
    RunState,
)
from .money import penalty_amount, round_money

User = AbstractBaseUser | AnonymousUser

# Who may do what. Superusers hold every role (cases.roles.has_role).
PAF_MARKERS = (roles.AGENT, roles.PARTNER_SUPPORT, roles.SUPERVISOR)
PAF_REVIEWERS = (roles.SUPERVISOR,)
REVERSAL_LOGGERS = (roles.PARTNER_SUPPORT, roles.SUPERVISOR)
MONEY_DECIDERS = (roles.FINANCE, roles.SUPERVISOR)
REFUND_REQUESTERS = (roles.AGENT, roles.FINANCE, roles.SUPERVISOR)
RUN_OPERATORS = (roles.FINANCE, roles.SUPERVISOR)
RUN_APPROVERS = (roles.FINANCE,)
BONUS_GRANTERS = (roles.AGENT, roles.PARTNER_SUPPORT, roles.SUPERVISOR)

# Partners per compute batch: one committed transaction (and one progress step) each.
PARTNER_BATCH = 5000
# pg advisory lock namespace for payout runs (two-int form: namespace, run id).
RUN_LOCK_NAMESPACE = 0x5041


# Helpers


def _user(actor: User | None) -> AbstractBaseUser | None:
    """The actor as a foreign-key value: None for system calls and anonymous users."""
    if actor is None or not actor.is_authenticated:
        return None
    return actor  # type: ignore[return-value]


def _require_role(actor: User | None, allowed: Sequence[str], doing: str) -> None:
    if not roles.has_role(actor, *allowed):
        raise NotPermitted(f"Your role may not {doing}.")


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({field: "Give a reason for the decision."})
    return reason


def _partner_of(actor: User | None) -> Partner | None:
    if actor is None or not actor.is_authenticated:
        return None
    try:
        return actor.partner  # type: ignore[union-attr]
    except Partner.DoesNotExist:
        return None


def _transition(obj: Any, name: str) -> None:
    """Run an FSM transition; an illegal one is a 409 naming the current state."""
    try:
        getattr(obj, name)()
    except TransitionNotAllowed:
        label = obj._meta.verbose_name
        raise TransitionConflict(
            f"Cannot {name.replace('_', ' ')} {label} #{obj.pk}: it is {obj.state}."
        ) from None


def _lock(model: type, pk: int, *related: str):
    qs = model.objects.select_for_update(of=("self",))
    if related:
        qs = qs.select_related(*related)
    try:
        return qs.get(pk=pk)
    except model.DoesNotExist:
        name = str(model._meta.verbose_name).capitalize()
        raise NotFoundError(f"{name} {pk} does not exist.") from None


def _policy(at: datetime | None = None) -> Policy:
    return policy_in_force(at or timezone.now())


def _refuse_genuine_paf(paf: PartnerAtFault, policy: Policy) -> None:
    """Revisit SOP (scenarios 1 and 4): a genuine PAF stands; only a not-genuine one goes on
    the PAF and penalty reversal form. The decision is the policy module's."""
    decision = decide_paf_reversal_request(paf_genuine=paf.state == PafState.GENUINE, policy=policy)
    if decision.refused:
        raise PolicyRefusal(f"PAF #{paf.pk}: {decision.reason}", code="genuine_paf")


def post_entry(
    *,
    key: str,
    partner_id: int,
    currency: str,
    kind: str,
    amount: Decimal,
    occurred_at: datetime | None = None,
    booking_id: int | None = None,
    case_id: int | None = None,
    penalty_id: int | None = None,
    refund_id: int | None = None,
    policy_version: str = "",
    memo: str = "",
) -> tuple[LedgerEntry, bool]:
    """Write one ledger entry exactly once: the unique idempotency key decides.

    Returns (entry, created). A second call with the same key returns the first entry; if it
    disagrees on what the entry is (partner, kind, amount, currency) that is a bug upstream and
    we refuse loudly rather than pay the wrong amount.
    """
    if not isinstance(amount, Decimal):
        raise TypeError("ledger amounts must be Decimal")
    amount = round_money(amount, currency)
    now = timezone.now()
    with transaction.atomic():
        entry, created = LedgerEntry.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "partner_id": partner_id,
                "currency": currency,
                "kind": kind,
                "amount": amount,
                "occurred_at": occurred_at or now,
                "booking_id": booking_id,
                "case_id": case_id,
                "penalty_id": penalty_id,
                "refund_id": refund_id,
                "policy_version": policy_version,
                "memo": memo[:255],
                "created_at": now,
            },
        )
    if not created and (
        entry.partner_id != partner_id
        or entry.kind != kind
        or entry.amount != amount
        or entry.currency != currency
    ):
        raise TransitionConflict(
            f"Ledger entry {key} already exists with different content "
            f"({entry.kind} {entry.amount} {entry.currency} for partner {entry.partner_id}).",
            code="idempotency_mismatch",
        )
    return entry, created


# PAF and penalties


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
    if actor is not None and not roles.has_role(actor, *PAF_MARKERS):
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
                marked_by=_user(actor),
                marked_at=at,
                policy_version=_policy(at).version,
            )
    except IntegrityError:  # marked by someone else a moment ago
        return PartnerAtFault.objects.get(booking=booking, partner=partner)


def review_paf(*, paf_id: int, actor: User, genuine: bool, reason: str) -> PartnerAtFault:
    """Trainer / supervisor review: the PAF is genuine (stands) or not (may be reversed)."""
    _require_role(actor, PAF_REVIEWERS, "review a PAF")
    reason = _require_reason(reason)
    with transaction.atomic():
        paf = _lock(PartnerAtFault, paf_id)
        _transition(paf, "mark_genuine" if genuine else "mark_not_genuine")
        paf.reviewer = _user(actor)
        paf.reviewed_at = timezone.now()
        paf.decision_reason = reason
        paf.policy_version = _policy().version
        paf.save()
    return paf


def create_revisit_penalty(
    *, paf: PartnerAtFault, policy: Policy | None = None, reason: str = ""
) -> Penalty:
    """Revisit SOP scenario 4: a penalty of revisit_penalty_rate x the original invoice,
    deducted from the partner's next payout. Idempotent: one penalty per PAF.

    The original invoice is the invoice of the booking the revisit was made for (the PAF's
    booking is the revisit itself); for a non-revisit booking it is its own invoice.
    """
    policy = policy or _policy(paf.marked_at)
    with transaction.atomic():
        paf = _lock(PartnerAtFault, paf.pk, "booking__revisit_of")
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
        penalty = _lock(Penalty, penalty_id)
        if penalty.state in (PenaltyState.SCHEDULED, PenaltyState.DEDUCTED):
            return penalty
        _transition(penalty, "schedule")
        if penalty.amount > 0:
            _deduction_entry(penalty)
        penalty.save()
    return penalty


def _close_penalty(penalty: Penalty, *, how: str, actor: User | None, reason: str) -> None:
    """Reverse or waive a locked penalty, with the ledger rule:

    - pending: no deduction entry exists yet, so none is written; the penalty just closes.
    - scheduled (entry written, maybe in a computed run, not paid) or deducted (paid): write
      one compensating `reversal` entry of +amount. Before payment the pair nets to zero in
      whichever run takes both; after payment the reversal is credited in the next run.
    """
    had_entry = penalty.state in (PenaltyState.SCHEDULED, PenaltyState.DEDUCTED)
    _transition(penalty, how)
    penalty.closed_by = _user(actor)
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
            policy_version=_policy().version,
            memo=f"Penalty #{penalty.pk} {how}d: {reason}",
        )


def waive_penalty(*, penalty_id: int, actor: User, reason: str) -> Penalty:
    """A supervisor waives a penalty that has not been deducted yet."""
    _require_role(actor, (roles.SUPERVISOR,), "waive a penalty")
    reason = _require_reason(reason)
    with transaction.atomic():
        penalty = _lock(Penalty, penalty_id)
        _close_penalty(penalty, how="waive", actor=actor, reason=reason)
    return penalty


# Earnings and bonuses


def record_earning(*, booking: Booking, amount: Decimal | None = None) -> LedgerEntry | None:
    """Credit the partner for a completed job, once (key booking:{id}:earning).

    The amount defaults to the booking's invoice; a zero invoice earns nothing (None).
    """
    booking = Booking.objects.get(pk=booking.pk)
    if booking.status != BookingStatus.COMPLETED:
        raise TransitionConflict(
            f"Booking {booking.external_id} is {booking.status}: only completed jobs earn."
        )
    if booking.partner_id is None:
        raise InvalidInput({"booking": "The booking has no partner to credit."})
    amount = booking.invoice_amount if amount is None else amount
    if amount <= 0:
        return None
    entry, _ = post_entry(
        key=f"booking:{booking.pk}:earning",
        partner_id=booking.partner_id,
        currency=booking.currency,
        kind=EntryKind.EARNING,
        amount=amount,
        booking_id=booking.pk,
        policy_version=_policy().version,
        memo=f"Job {booking.external_id} completed",
    )
    return entry


def partner_bonus(
    *,
    booking: Booking,
    actor: User | None,
    reason: str = "changed_address",
    amount: Decimal | None = None,
    case: Case | None = None,
) -> LedgerEntry:
    """Pay the partner extra for a job, once per (booking, reason).

    Pre-services SOP: a partner who delivers at a changed address gets
    changed_address_partner_bonus (Rs 100) extra.
    """
    if actor is not None and not roles.has_role(actor, *BONUS_GRANTERS):
        raise NotPermitted("Your role may not grant a partner bonus.")
    if booking.partner_id is None:
        raise InvalidInput({"booking": "The booking has no partner to pay."})
    policy = _policy()
    if amount is None:
        if reason != "changed_address":
            raise InvalidInput({"amount": "Give the bonus amount for this reason."})
        amount = policy.params.changed_address_partner_bonus
    if amount <= 0:
        raise InvalidInput({"amount": "A bonus must be positive."})
    entry, _ = post_entry(
        key=f"booking:{booking.pk}:bonus:{reason}",
        partner_id=booking.partner_id,
        currency=booking.currency,
        kind=EntryKind.BONUS,
        amount=amount,
        booking_id=booking.pk,
        case_id=case.pk if case else None,
        policy_version=policy.version,
        memo=f"Bonus ({reason.replace('_', ' ')}) for job {booking.external_id}",
    )
    return entry


# Reversal requests


def submit_reversal_request(
    *,
    kind: str,
    actor: User,
    paf: PartnerAtFault | None = None,
    booking: Booking | None = None,
    case: Case | None = None,
    call_recording_ref: str = "",
    notes: str = "",
    evidence: Sequence[str] = (),
) -> ReversalRequest:
    """Log a PAF-and-penalty reversal form or a rating reversal.

    Partner support and supervisors log it on the partner's behalf; a partner login may log
    one for its own PAF or job. A genuine PAF is refused (422) with the SOP's reason.
    """
    if kind not in ReversalKind.values:
        raise InvalidInput({"kind": f"Unknown reversal kind {kind!r}."})
    own_partner = _partner_of(actor)
    is_logger = roles.has_role(actor, *REVERSAL_LOGGERS)
    if not is_logger and own_partner is None:
        raise NotPermitted("Your role may not log reversal requests.")
    if kind == ReversalKind.PAF_PENALTY and paf is None:
        raise InvalidInput({"paf": "Choose the PAF to reverse."})
    evidence = [str(ref).strip() for ref in evidence if str(ref).strip()]
    with transaction.atomic():
        if paf is not None:
            paf = _lock(PartnerAtFault, paf.pk, "booking")
            booking = paf.booking
        if booking is None:
            raise InvalidInput({"booking": "Choose the job the request is about."})
        partner_id = paf.partner_id if paf is not None else booking.partner_id
        if partner_id is None:
            raise InvalidInput({"booking": "The job has no partner."})
        if not is_logger and (own_partner.pk != partner_id or not own_partner.is_active):
            raise NotPermitted("A partner may ask to reverse only its own records.")
        policy = _policy()
        if paf is not None and kind == ReversalKind.PAF_PENALTY:
            _refuse_genuine_paf(paf, policy)
            if paf.state == PafState.REVERSED:
                raise TransitionConflict(f"PAF #{paf.pk} is already reversed.")
        try:
            with transaction.atomic():
                return ReversalRequest.objects.create(
                    kind=kind,
                    paf=paf,
                    partner_id=partner_id,
                    booking=booking,
                    case=case,
                    requested_by=actor,
                    on_behalf_of_partner=is_logger,
                    call_recording_ref=call_recording_ref.strip(),
                    notes=notes.strip(),
                    evidence=evidence,
                    policy_version=policy.version,
                )
        except IntegrityError:
            raise TransitionConflict(
                f"PAF #{paf.pk if paf else ''} already has an open reversal request.",
                code="duplicate_request",
            ) from None


def _lock_request_for_decision(request_id: int, actor: User) -> ReversalRequest:
    _require_role(actor, MONEY_DECIDERS, "decide reversal requests")
    request = _lock(ReversalRequest, request_id)
    if request.requested_by_id == getattr(actor, "pk", None):
        raise NotPermitted("Nobody may decide a reversal request they logged themselves.")
    return request


def start_reversal_review(*, request_id: int, actor: User) -> ReversalRequest:
    with transaction.atomic():
        request = _lock_request_for_decision(request_id, actor)
        _transition(request, "start_review")
        request.reviewer = _user(actor)
        request.save()
    return request


def approve_reversal_request(*, request_id: int, actor: User, reason: str) -> ReversalRequest:
    """Finance or a supervisor (never the requester) approves: the PAF is reversed and its
    penalty cancelled (pending) or compensated by a reversal ledger entry (see _close_penalty).
    A request still `submitted` passes through review in the same transaction."""
    reason = _require_reason(reason)
    with transaction.atomic():
        request = _lock_request_for_decision(request_id, actor)
        if request.state == ReversalState.SUBMITTED:
            _transition(request, "start_review")
            request.reviewer = _user(actor)
        policy = _policy()
        if request.kind == ReversalKind.PAF_PENALTY:
            _reverse_paf(request.paf_id, actor=actor, reason=reason, policy=policy)
        _transition(request, "approve")
        request.decided_by = _user(actor)
        request.decision_reason = reason
        request.policy_version = policy.version
        request.save()
    return request


def _reverse_paf(paf_id: int, *, actor: User, reason: str, policy: Policy) -> None:
    paf = _lock(PartnerAtFault, paf_id)
    _refuse_genuine_paf(paf, policy)
    now = timezone.now()
    if paf.state == PafState.PENDING_REVIEW:
        # Approving the form is the review: the PAF was not genuine.
        _transition(paf, "mark_not_genuine")
        paf.reviewer = _user(actor)
        paf.reviewed_at = now
    _transition(paf, "reverse")
    paf.decision_reason = f"{paf.decision_reason}\nReversed: {reason}".strip()
    paf.policy_version = policy.version
    paf.save()
    penalty = Penalty.objects.select_for_update().filter(paf_id=paf.pk).first()
    if penalty is not None and penalty.state in (
        PenaltyState.PENDING,
        PenaltyState.SCHEDULED,
        PenaltyState.DEDUCTED,
    ):
        _close_penalty(penalty, how="reverse", actor=actor, reason=reason)


def reject_reversal_request(*, request_id: int, actor: User, reason: str) -> ReversalRequest:
    reason = _require_reason(reason)
    with transaction.atomic():
        request = _lock_request_for_decision(request_id, actor)
        if request.state == ReversalState.SUBMITTED:
            _transition(request, "start_review")
            request.reviewer = _user(actor)
        _transition(request, "reject")
        request.decided_by = _user(actor)
        request.decision_reason = reason
        request.policy_version = _policy().version
        request.save()
    return request


# Refunds


def refund_tat_due_on(*, booking: Booking, policy: Policy, on: date) -> date | None:
    """Refund TAT for the booking's payment mode, when the policy defines one."""
    tat_for = getattr(policy.params, "refund_tat_days_for", None)
    if tat_for is None:
        return None
    try:
        return on + timedelta(days=tat_for(booking.payment_mode))
    except ValueError:
        return None


def request_refund(
    *,
    booking: Booking,
    reason: str,
    amount: Decimal,
    actor: User,
    case: Case | None = None,
    note: str = "",
    deduct_from_partner: bool = False,
    currency: str | None = None,
) -> Refund:
    """Ask for a refund to the booking's customer, in the booking's currency."""
    _require_role(actor, REFUND_REQUESTERS, "request refunds")
    errors: dict[str, str] = {}
    if reason not in RefundReason.values:
        errors["reason"] = f"Unknown refund reason {reason!r}."
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        errors["amount"] = "A refund needs a positive amount."
    elif round_money(amount, booking.currency) != amount:
        errors["amount"] = "Amounts have at most two decimal places."
    if currency and currency != booking.currency:
        errors["currency"] = f"The booking is in {booking.currency}."
    if deduct_from_partner and booking.partner_id is None:
        errors["deduct_from_partner"] = "The booking has no partner to recover from."
    if errors:
        raise InvalidInput(errors)
    policy = _policy()
    zone = ZoneInfo(booking.city.region.timezone)
    with transaction.atomic():
        return Refund.objects.create(
            customer_id=booking.customer_id,
            booking=booking,
            case=case,
            reason=reason,
            note=note.strip(),
            amount=amount,
            currency=booking.currency,
            requested_by=_user(actor),
            tat_due_on=refund_tat_due_on(
                booking=booking, policy=policy, on=timezone.now().astimezone(zone).date()
            ),
            deduct_from_partner=deduct_from_partner,
            partner_id=booking.partner_id if deduct_from_partner else None,
            policy_version=policy.version,
        )


def _lock_refund_for_decision(refund_id: int, actor: User) -> Refund:
    _require_role(actor, MONEY_DECIDERS, "decide refunds")
    refund = _lock(Refund, refund_id)
    if refund.requested_by_id is not None and refund.requested_by_id == getattr(actor, "pk", None):
        raise NotPermitted("Nobody may approve a refund they requested themselves.")
    return refund


def approve_refund(*, refund_id: int, actor: User, reason: str = "") -> Refund:
    """Approve (finance or supervisor, not the requester). With deduct_from_partner, the
    partner is debited once: a recovery entry of -amount, key refund:{id}:recovery."""
    with transaction.atomic():
        refund = _lock_refund_for_decision(refund_id, actor)
        _transition(refund, "approve")
        refund.approved_by = _user(actor)
        refund.decision_reason = reason.strip()
        refund.save()
        if refund.deduct_from_partner:
            post_entry(
                key=refund.recovery_key,
                partner_id=refund.partner_id,
                currency=refund.currency,
                kind=EntryKind.RECOVERY,
                amount=-refund.amount,
                booking_id=refund.booking_id,
                case_id=refund.case_id,
                refund_id=refund.pk,
                policy_version=_policy().version,
                memo=f"Refund #{refund.pk} ({refund.get_reason_display()}) recovered",
            )
    return refund


def reject_refund(*, refund_id: int, actor: User, reason: str) -> Refund:
    reason = _require_reason(reason)
    with transaction.atomic():
        refund = _lock_refund_for_decision(refund_id, actor)
        _transition(refund, "reject")
        refund.approved_by = _user(actor)
        refund.decision_reason = reason
        refund.save()
    return refund


def mark_refund_paid(*, refund_id: int, actor: User, payment_reference: str = "") -> Refund:
    _require_role(actor, MONEY_DECIDERS, "mark refunds paid")
    with transaction.atomic():
        refund = _lock(Refund, refund_id)
        _transition(refund, "mark_paid")
        refund.payment_reference = payment_reference.strip()
        refund.save()
    return refund


def mark_refund_failed(*, refund_id: int, actor: User, reason: str) -> Refund:
    """The payment to the customer failed. A recovery from the partner stays: the refund is
    retried as a new request, and the partner still owes the money."""
    _require_role(actor, MONEY_DECIDERS, "mark refunds failed")
    reason = _require_reason(reason)
    with transaction.atomic():
        refund = _lock(Refund, refund_id)
        _transition(refund, "mark_failed")
        refund.failure_reason = reason
        refund.save()
    return refund


# Payout runs


def create_payout_run(
    *, region: Region, period_start: date, period_end: date, actor: User
) -> PayoutRun:
    """Open a run for a region. Runs are sequential: one open (unpaid) run per region."""
    _require_role(actor, RUN_OPERATORS, "create payout runs")
    if period_end < period_start:
        raise InvalidInput({"period_end": "The period cannot end before it starts."})
    last = (
        PayoutRun.objects.filter(region=region, state=RunState.PAID)
        .order_by("-period_end", "-id")
        .first()
    )
    if last is not None and period_end <= last.period_end:
        raise InvalidInput({"period_end": f"Run #{last.pk} already paid up to {last.period_end}."})
    try:
        with transaction.atomic():
            return PayoutRun.objects.create(
                region=region,
                currency=region.currency,
                period_start=period_start,
                period_end=period_end,
                created_by=_user(actor),
            )
    except IntegrityError:
        raise TransitionConflict(
            f"{region.name} already has an open payout run; pay or discard it first.",
            code="open_run_exists",
        ) from None


@contextmanager
def _run_lock(run_id: int) -> Iterator[bool]:
    """A session advisory lock on the run: held by the one worker computing it."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_NAMESPACE, run_id])
        acquired = bool(cur.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_NAMESPACE, run_id])


def _run_is_busy(run_id: int) -> bool:
    with _run_lock(run_id) as acquired:
        return not acquired


def request_compute(*, run_id: int, actor: User) -> PayoutRun:
    """Queue a (re)computation: the run turns `computing` with a fresh task id and the task
    is sent after commit. A run left `computing` by a dead worker may be queued again."""
    _require_role(actor, RUN_OPERATORS, "compute payout runs")
    from .tasks import compute_payout_run as compute_task

    if _run_is_busy(run_id):
        raise TransitionConflict(f"Run #{run_id} is being computed right now.", code="busy")
    with transaction.atomic():
        run = _lock(PayoutRun, run_id)
        _transition(run, "start_compute")
        run.task_id = uuid.uuid4().hex
        run.computed_by = _user(actor)
        run.save()
        task_id = run.task_id
        transaction.on_commit(lambda: compute_task.apply_async(args=[run_id], task_id=task_id))
    return run


@dataclass(frozen=True)
class _Scope:
    run_id: int
    region_id: int
    currency: str
    cutoff: datetime
    previous_run_id: int | None


def _cutoff(run: PayoutRun) -> datetime:
    """The end of period_end, in the region's time zone: entries strictly before it count."""
    zone = ZoneInfo(run.region.timezone)
    return datetime.combine(run.period_end + timedelta(days=1), time.min, tzinfo=zone)


def compute_payout_run(
    *,
    run_id: int,
    actor: User | None = None,
    task_id: str | None = None,
    batch_size: int = PARTNER_BATCH,
) -> PayoutRun | None:
    """Compute (or recompute) a run, set-based in SQL, in committed partner batches.

    Steps: schedule the region's pending penalties (their deduction entries are written once);
    then per batch of partners, one statement links every entry up to the cutoff that no run
    holds yet (INSERT ... SELECT ... ON CONFLICT (entry) DO NOTHING) and inserts one line per
    partner with sums by kind plus the previous run's carried-forward negative net.

    Safe to repeat and to race: an advisory lock lets one connection compute a run at a time
    (others return None at once); a task (task_id given) that was superseded by a newer
    request, or whose computation already finished, returns None and writes nothing; a
    recompute first deletes the run's lines and entry links (never ledger entries).
    """
    with _run_lock(run_id) as acquired:
        if not acquired:
            return None
        with transaction.atomic():
            run = _lock(PayoutRun, run_id, "region")
            if task_id is not None:
                if run.task_id and run.task_id != task_id:
                    return None  # a newer request owns the run
                if run.task_id == task_id and run.state != RunState.COMPUTING:
                    return None  # this task already finished (a redelivery)
            if run.state not in (RunState.DRAFT, RunState.COMPUTED, RunState.COMPUTING):
                raise TransitionConflict(
                    f"Run #{run.pk} is {run.state}: only draft or computed runs are computed."
                )
            if actor is not None:
                _require_role(actor, RUN_OPERATORS, "compute payout runs")
            PayoutLine.objects.filter(run_id=run.pk).delete()
            PayoutRunEntry.objects.filter(run_id=run.pk).delete()
            _transition(run, "start_compute")
            if task_id is not None:
                run.task_id = task_id
            if _user(actor) is not None:
                run.computed_by = _user(actor)
            previous = (
                PayoutRun.objects.filter(region_id=run.region_id, state=RunState.PAID)
                .exclude(pk=run.pk)
                .order_by("-period_end", "-id")
                .values_list("pk", flat=True)
                .first()
            )
            scope = _Scope(run.pk, run.region_id, run.currency, _cutoff(run), previous)
            bounds = _partner_batches(run.region_id, batch_size)
            run.progress_total = len(bounds) + 1
            run.save()
        try:
            with transaction.atomic():
                _schedule_pending_penalties(scope)
                _advance(run.pk)
            for low, high in bounds:
                with transaction.atomic():
                    _take_batch(scope, low, high)
                    _advance(run.pk)
            with transaction.atomic():
                run = _lock(PayoutRun, run_id)
                _transition(run, "finish_compute")
                run.save()
        except Exception as exc:
            PayoutRun.objects.filter(pk=run_id).update(last_error=f"{type(exc).__name__}: {exc}")
            raise
    return run


def _partner_batches(region_id: int, batch_size: int) -> list[tuple[int, int | None]]:
    """(low, high] id ranges covering every partner id; each holds up to batch_size of the
    region's partners. The last range is open-ended."""
    ids = list(
        Partner.objects.filter(city__region_id=region_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    bounds: list[tuple[int, int | None]] = []
    low = 0
    for i in range(batch_size - 1, len(ids) - 1, batch_size):
        bounds.append((low, ids[i]))
        low = ids[i]
    bounds.append((low, None))
    return bounds


def _advance(run_id: int) -> None:
    PayoutRun.objects.filter(pk=run_id).update(progress_done=F("progress_done") + 1)


def _schedule_pending_penalties(scope: _Scope) -> None:
    """Every pending penalty of the region's partners, up to the cutoff, gets its deduction
    entry (ON CONFLICT on the key: at most once) and turns scheduled, in one statement."""
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH scheduled AS (
                UPDATE payouts_penalty p
                   SET state = 'scheduled', scheduled_at = now()
                  FROM partners_partner pa
                  JOIN partners_city c ON c.id = pa.city_id
                 WHERE pa.id = p.partner_id
                   AND c.region_id = %(region)s
                   AND p.state = 'pending'
                   AND p.currency = %(currency)s
                   AND p.created_at < %(cutoff)s
             RETURNING p.id, p.partner_id, p.booking_id, p.currency, p.amount, p.created_at,
                       p.policy_version
            )
            INSERT INTO payouts_ledgerentry
                (partner_id, currency, kind, amount, booking_id, penalty_id, occurred_at,
                 idempotency_key, policy_version, memo, created_at)
            SELECT partner_id, currency, 'penalty_deduction', -amount, booking_id, id,
                   created_at, 'penalty:' || id || ':deduction', policy_version,
                   'Revisit penalty #' || id, now()
              FROM scheduled
             WHERE amount > 0
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            {"region": scope.region_id, "currency": scope.currency, "cutoff": scope.cutoff},
        )


def _range_sql(column: str, high: int | None) -> str:
    return f"{column} > %(low)s" + ("" if high is None else f" AND {column} <= %(high)s")


def _take_batch(scope: _Scope, low: int, high: int | None) -> None:
    """One statement per batch of partners: link every free entry up to the cutoff to the run
    (ON CONFLICT (entry) DO NOTHING: an entry another run took meanwhile stays there), then
    insert one line per partner from what was actually linked (RETURNING), plus what the
    previous paid run carried forward (a partner with only a carried debt gets a line too).
    """
    with connection.cursor() as cur:
        # The anti-join probes the unique index on entry_id. Without this the planner, when
        # the link table's statistics are stale (a first run, a big batch since the last
        # ANALYZE), may rescan the table per ledger row while this very statement grows it:
        # quadratic. Index probes cost the same at any table size. Scoped to this transaction.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(
            f"""
            WITH candidates AS MATERIALIZED (
                SELECT e.id, e.partner_id, e.kind, e.amount
                  FROM payouts_ledgerentry e
                  JOIN partners_partner pa ON pa.id = e.partner_id
                  JOIN partners_city c ON c.id = pa.city_id
                 WHERE c.region_id = %(region)s
                   AND {_range_sql("pa.id", high)}
                   AND {_range_sql("e.partner_id", high)}
                   AND e.currency = %(currency)s
                   AND e.kind <> 'payout'
                   AND e.occurred_at < %(cutoff)s
                   AND NOT EXISTS (
                       SELECT 1 FROM payouts_payoutrunentry taken WHERE taken.entry_id = e.id)
            ), linked AS (
                INSERT INTO payouts_payoutrunentry (run_id, entry_id)
                SELECT %(run)s, id FROM candidates
                ON CONFLICT (entry_id) DO NOTHING
                RETURNING entry_id
            ), sums AS (
                SELECT c.partner_id,
                       COALESCE(SUM(c.amount) FILTER (WHERE c.kind = 'earning'), 0) AS earnings,
                       COALESCE(SUM(c.amount) FILTER (
                           WHERE c.kind IN ('penalty_deduction', 'recovery')), 0) AS deductions,
                       COALESCE(SUM(c.amount) FILTER (WHERE c.kind = 'bonus'), 0) AS bonuses,
                       COALESCE(SUM(c.amount) FILTER (WHERE c.kind = 'reversal'), 0) AS reversals,
                       COUNT(*) AS entry_count
                  FROM candidates c JOIN linked l ON l.entry_id = c.id
                 GROUP BY c.partner_id
            ), carried AS (
                SELECT partner_id, carried_forward_out AS amount
                  FROM payouts_payoutline
                 WHERE run_id = %(previous)s AND carried_forward_out < 0
                   AND {_range_sql("partner_id", high)}
            ), totals AS (
                SELECT COALESCE(s.partner_id, c.partner_id) AS partner_id,
                       COALESCE(s.earnings, 0) AS earnings,
                       COALESCE(s.deductions, 0) AS deductions,
                       COALESCE(s.bonuses, 0) AS bonuses,
                       COALESCE(s.reversals, 0) AS reversals,
                       COALESCE(c.amount, 0) AS carried_in,
                       COALESCE(s.entry_count, 0) AS entry_count
                  FROM sums s FULL OUTER JOIN carried c ON c.partner_id = s.partner_id
            )
            INSERT INTO payouts_payoutline
                (run_id, partner_id, earnings, deductions, bonuses, reversals,
                 carried_forward_in, net, carried_forward_out, entry_count)
            SELECT %(run)s, partner_id, earnings, deductions, bonuses, reversals, carried_in,
                   earnings + deductions + bonuses + reversals + carried_in,
                   LEAST(earnings + deductions + bonuses + reversals + carried_in, 0),
                   entry_count
              FROM totals
            """,
            {
                "run": scope.run_id,
                "region": scope.region_id,
                "currency": scope.currency,
                "cutoff": scope.cutoff,
                "previous": scope.previous_run_id,
                "low": low,
                "high": high,
            },
        )
        cur.execute("SET LOCAL enable_seqscan TO DEFAULT")


def approve_run(*, run_id: int, actor: User) -> PayoutRun:
    """Finance approves a computed run; never the person who computed it."""
    _require_role(actor, RUN_APPROVERS, "approve payout runs")
    with transaction.atomic():
        run = _lock(PayoutRun, run_id)
        if run.computed_by_id is not None and run.computed_by_id == getattr(actor, "pk", None):
            raise NotPermitted("Nobody may approve a payout run they computed themselves.")
        _transition(run, "approve")
        run.approved_by = _user(actor)
        run.save()
    return run


BANK_FILE_COLUMNS = ("partner_external_id", "name", "phone", "currency", "net")


def _cell(text: str) -> str:
    """Keep spreadsheet programs from reading a partner name as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def export_run(*, run_id: int, actor: User) -> tuple[PayoutRun, Iterator[tuple[str, ...]]]:
    """The bank file of an approved run: one row per partner with a positive net. The first
    export moves the run to `exported`; later downloads of an exported or paid run re-read it.
    """
    _require_role(actor, RUN_OPERATORS, "export payout runs")
    with transaction.atomic():
        run = _lock(PayoutRun, run_id)
        if run.state == RunState.APPROVED:
            _transition(run, "export")
            run.exported_by = _user(actor)
            run.save()
        elif run.state not in (RunState.EXPORTED, RunState.PAID):
            raise TransitionConflict(f"Run #{run.pk} is {run.state}: approve it before export.")

    def rows() -> Iterator[tuple[str, ...]]:
        yield BANK_FILE_COLUMNS
        lines = (
            PayoutLine.objects.filter(run_id=run.pk, net__gt=0)
            .order_by("partner_id")
            .values_list("partner__external_id", "partner__name", "partner__phone", "net")
        )
        for external_id, name, phone, net in lines.iterator(chunk_size=2000):
            yield (_cell(external_id), _cell(name), phone, run.currency, f"{net:.2f}")

    return run, rows()


def mark_run_paid(*, run_id: int, actor: User) -> PayoutRun:
    """The bank paid the exported file: one `payout` entry of -net per paid partner (key
    run:{run}:payout:{partner}), linked to this run so no later run takes it, and the run's
    scheduled penalties become deducted."""
    _require_role(actor, RUN_APPROVERS, "mark payout runs paid")
    with transaction.atomic():
        run = _lock(PayoutRun, run_id)
        _transition(run, "mark_paid")
        run.paid_by = _user(actor)
        run.save()
        params = {
            "run": run.pk,
            "currency": run.currency,
            "version": _policy().version,
            "memo": f"Payout run #{run.pk} ({run.period_start}..{run.period_end})",
        }
        with connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO payouts_ledgerentry
                    (partner_id, currency, kind, amount, occurred_at, idempotency_key,
                     policy_version, memo, created_at)
                SELECT l.partner_id, %(currency)s, 'payout', -l.net, now(),
                       'run:' || l.run_id || ':payout:' || l.partner_id, %(version)s,
                       %(memo)s, now()
                  FROM payouts_payoutline l
                 WHERE l.run_id = %(run)s AND l.net > 0
                ON CONFLICT (idempotency_key) DO NOTHING
                """,
                params,
            )
            cur.execute(
                """
                INSERT INTO payouts_payoutrunentry (run_id, entry_id)
                SELECT %(run)s, e.id
                  FROM payouts_payoutline l
                  JOIN payouts_ledgerentry e
                    ON e.idempotency_key = 'run:' || l.run_id || ':payout:' || l.partner_id
                 WHERE l.run_id = %(run)s AND l.net > 0
                ON CONFLICT (entry_id) DO NOTHING
                """,
                params,
            )
            cur.execute(
                """
                UPDATE payouts_penalty p
                   SET state = 'deducted', deducted_at = now()
                  FROM payouts_payoutrunentry re
                  JOIN payouts_ledgerentry e ON e.id = re.entry_id
                 WHERE re.run_id = %(run)s AND e.kind = 'penalty_deduction'
                   AND p.id = e.penalty_id AND p.state = 'scheduled'
                """,
                params,
            )
    return run


def discard_run(*, run_id: int, actor: User) -> None:
    """Delete a run that was not approved: its lines and links go, its entries stay free."""
    _require_role(actor, RUN_OPERATORS, "discard payout runs")
    if _run_is_busy(run_id):
        raise TransitionConflict(f"Run #{run_id} is being computed right now.", code="busy")
    with transaction.atomic():
        run = _lock(PayoutRun, run_id)
        if run.state not in (RunState.DRAFT, RunState.COMPUTED, RunState.COMPUTING):
            raise TransitionConflict(f"Run #{run.pk} is {run.state}: it can no longer go.")
        PayoutLine.objects.filter(run_id=run.pk).delete()
        PayoutRunEntry.objects.filter(run_id=run.pk).delete()
        run.delete()
