"""PAF and penalty reversal requests (and rating reversals): log, review, approve, reject."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Booking, Case
from core import limits, roles
from core.errors import (
    InvalidInput,
    NotPermitted,
    TransitionConflict,
)
from core.locks import lock_row
from core.roles import User, actor_or_none, partner_of, require_role
from policies.parameters import Policy
from policies.sop.revisits import decide_paf_reversal_request

from .. import events
from ..models import (
    OPEN_REVERSAL_STATES,
    PafState,
    PartnerAtFault,
    Penalty,
    PenaltyState,
    ReversalKind,
    ReversalRequest,
    ReversalState,
)
from .common import fsm_move, policy_now, require_reason
from .evidence import attach_evidence_files, check_evidence_files
from .pafs import close_penalty, close_review_tasks, refuse_genuine_paf, refuse_self_review


def paf_reversal_refusal(paf: PartnerAtFault) -> str | None:
    """Why a PAF and penalty reversal request for this PAF would be refused now, in the SOP's
    words, or None when one may be logged: the console says it before any form is filled.
    The same rules as submit_reversal_request (which checks them again under the row lock)."""
    decision = decide_paf_reversal_request(
        paf_genuine=paf.state == PafState.GENUINE, policy=policy_now()
    )
    if decision.refused:
        return f"No reversal request can be logged. {decision.reason}."
    if paf.state == PafState.REVERSED:
        return "No reversal request can be logged: this PAF is already reversed."
    open_request = (
        ReversalRequest.objects.filter(paf=paf, state__in=OPEN_REVERSAL_STATES)
        .values_list("pk", flat=True)
        .first()
    )
    if open_request is not None:
        return (
            f"Reversal request #{open_request} for this PAF is open: it is decided before "
            "another can be logged."
        )
    return None


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
    evidence_files: Sequence[UploadedFile] = (),
) -> ReversalRequest:
    """Log a PAF-and-penalty reversal form or a rating reversal.

    Partner support and supervisors log it on the partner's behalf; a partner login may log
    one for its own PAF or job. A genuine PAF is refused (422) with the SOP's reason.
    """
    if kind not in ReversalKind.values:
        raise InvalidInput({"kind": f"Unknown reversal kind {kind!r}."})
    own_partner = partner_of(actor)
    is_logger = roles.has_role(actor, roles.REVERSAL_LOGGERS)
    if not is_logger and own_partner is None:
        raise NotPermitted("Your role may not log reversal requests.")
    if kind == ReversalKind.PAF_PENALTY and paf is None:
        raise InvalidInput({"paf": "Choose the PAF to reverse."})
    evidence = [str(ref).strip() for ref in evidence if str(ref).strip()]
    if len(evidence) > limits.EVIDENCE_ITEMS:
        raise InvalidInput({"evidence": f"At most {limits.EVIDENCE_ITEMS} items."})
    evidence = [limits.bounded(ref, "evidence", limits.EVIDENCE_ITEM) for ref in evidence]
    notes = limits.bounded(notes, "notes", limits.NOTE)
    call_recording_ref = limits.bounded(call_recording_ref, "call_recording_ref", limits.REFERENCE)
    check_evidence_files(evidence_files)
    with transaction.atomic():
        if paf is not None:
            paf = lock_row(PartnerAtFault, paf.pk, "booking")
            if booking is not None and booking.pk != paf.booking_id:
                raise InvalidInput(
                    {
                        "booking": f"PAF #{paf.pk} is on booking {paf.booking.external_id}, "
                        f"not {booking.external_id}."
                    }
                )
            booking = paf.booking
        if booking is None:
            raise InvalidInput({"booking": "Choose the job the request is about."})
        case_services.require_case_of_booking(case, booking)
        partner_id = paf.partner_id if paf is not None else booking.partner_id
        if partner_id is None:
            raise InvalidInput({"booking": "The job has no partner."})
        if not is_logger and (own_partner.pk != partner_id or not own_partner.is_active):
            raise NotPermitted("A partner may ask to reverse only its own records.")
        policy = policy_now()
        if paf is not None and kind == ReversalKind.PAF_PENALTY:
            refuse_genuine_paf(paf, policy)
            if paf.state == PafState.REVERSED:
                raise TransitionConflict(f"PAF #{paf.pk} is already reversed.")
        try:
            with transaction.atomic():
                logged = ReversalRequest.objects.create(
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
        attach_evidence_files(logged, evidence_files, actor)
        return logged


def _lock_request_for_decision(request_id: int, actor: User) -> ReversalRequest:
    require_role(actor, roles.MONEY_DECIDERS, doing="decide reversal requests")
    request = lock_row(ReversalRequest, request_id)
    if request.requested_by_id == getattr(actor, "pk", None):
        raise NotPermitted("Nobody may decide a reversal request they logged themselves.")
    return request


def start_reversal_review(*, request_id: int, actor: User) -> ReversalRequest:
    """Finance starts reviewing a submitted reversal request."""
    with transaction.atomic():
        request = _lock_request_for_decision(request_id, actor)
        fsm_move(request, "start_review")
        request.reviewer = actor_or_none(actor)
        request.save()
    return request


def approve_reversal_request(*, request_id: int, actor: User, reason: str) -> ReversalRequest:
    """Finance or a supervisor (never the requester) approves: the PAF is reversed and its
    penalty cancelled (pending) or compensated by a reversal ledger entry (see close_penalty).
    A request still `submitted` passes through review in the same transaction."""
    reason = require_reason(reason)
    with transaction.atomic():
        request = _lock_request_for_decision(request_id, actor)
        if request.state == ReversalState.SUBMITTED:
            fsm_move(request, "start_review")
            request.reviewer = actor_or_none(actor)
        policy = policy_now()
        if request.kind == ReversalKind.PAF_PENALTY:
            _reverse_paf(request.paf_id, actor=actor, reason=reason, policy=policy)
        fsm_move(request, "approve")
        request.decided_by = actor_or_none(actor)
        request.decision_reason = reason
        request.policy_version = policy.version
        request.save()
        events.reversal_request_decided(request)
    return request


def _reverse_paf(paf_id: int, *, actor: User, reason: str, policy: Policy) -> None:
    paf = lock_row(PartnerAtFault, paf_id)
    refuse_genuine_paf(paf, policy)
    now = timezone.now()
    if paf.state == PafState.PENDING_REVIEW:
        # Approving the form is the review: the PAF was not genuine (never by its marker).
        refuse_self_review(paf, actor)
        fsm_move(paf, "mark_not_genuine")
        paf.reviewer = actor_or_none(actor)
        paf.reviewed_at = now
    fsm_move(paf, "reverse")
    paf.decision_reason = f"{paf.decision_reason}\nReversed: {reason}".strip()
    paf.policy_version = policy.version
    paf.save()
    events.paf_reversed(paf, reason)
    close_review_tasks(paf, actor, f"PAF reversed on the reversal form: {reason}")
    penalty = Penalty.objects.select_for_update().filter(paf_id=paf.pk).first()
    if penalty is not None and penalty.state in (
        PenaltyState.PENDING,
        PenaltyState.SCHEDULED,
        PenaltyState.DEDUCTED,
    ):
        close_penalty(penalty, how="reverse", actor=actor, reason=reason)


def reject_reversal_request(*, request_id: int, actor: User, reason: str) -> ReversalRequest:
    """Finance rejects a reversal request with a reason: the PAF and penalty stand."""
    reason = require_reason(reason)
    with transaction.atomic():
        request = _lock_request_for_decision(request_id, actor)
        if request.state == ReversalState.SUBMITTED:
            fsm_move(request, "start_review")
            request.reviewer = actor_or_none(actor)
        fsm_move(request, "reject")
        request.decided_by = actor_or_none(actor)
        request.decision_reason = reason
        request.policy_version = policy_now().version
        request.save()
        events.reversal_request_decided(request)
    return request
