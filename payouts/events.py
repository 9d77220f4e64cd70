"""The events money decisions send out (catalogue entries and payload builders): PAF marks and
their reversal, penalties, refunds and goodwill, reversal requests, payout runs. Each builder
is called by its service inside the transaction that makes the change."""

from __future__ import annotations

from events.catalogue import declare
from events.services import record_event

from .models import PartnerAtFault, PayoutRun, Penalty, Refund, ReversalRequest

_AT = "2026-12-14T13:18:00+00:00"
_GOODWILL = ("goodwill_no_show", "goodwill_no_response")

PAF_MARKED = declare(
    "paf.marked",
    summary="A partner was marked at fault (PAF) on a booking; pending the trainer's review.",
    subject="partner",
    example={
        "paf_id": 5,
        "partner_id": 57,
        "booking_id": 1029,
        "case_id": 242,
        "reason": "no_show",
        "state": "pending_review",
        "policy_version": "sop-2026.1",
    },
)
PAF_REVERSED = declare(
    "paf.reversed",
    summary="A PAF mark was reversed on an approved reversal request (its penalty follows).",
    subject="partner",
    example={
        "paf_id": 5,
        "partner_id": 57,
        "booking_id": 1029,
        "reason": "Not the partner's fault.",
    },
)
PENALTY_SCHEDULED = declare(
    "penalty.scheduled",
    summary="A penalty was decided on a partner (by its SOP path); a payout run deducts it once "
    "its PAF is genuine and no reversal is open.",
    subject="partner",
    example={
        "penalty_id": 3,
        "partner_id": 57,
        "paf_id": 5,
        "booking_id": 1031,
        "amount": "600.00",
        "currency": "INR",
        "rate": "0.6000",
        "policy_version": "sop-2026.1",
    },
)
PENALTY_CANCELLED = declare(
    "penalty.cancelled",
    summary="A penalty was reversed or waived (a compensating entry credits it if it was taken).",
    subject="partner",
    example={
        "penalty_id": 3,
        "partner_id": 57,
        "how": "reverse",
        "amount": "600.00",
        "currency": "INR",
        "reason": "PAF reversed.",
    },
)
REFUND_APPROVED = declare(
    "refund.approved",
    summary="A refund to a customer was approved (pay it out).",
    subject="booking",
    example={
        "refund_id": 8,
        "booking_id": 1029,
        "customer_id": 311,
        "case_id": 242,
        "reason": "wrong_job",
        "amount": "450.00",
        "currency": "INR",
        "deduct_from_partner": True,
        "tat_due_on": "2026-12-21",
    },
)
REFUND_PAID = declare(
    "refund.paid",
    summary="An approved refund reached the customer.",
    subject="booking",
    example={
        "refund_id": 8,
        "booking_id": 1029,
        "customer_id": 311,
        "amount": "450.00",
        "currency": "INR",
        "payment_reference": "UTR-2026-1214-001",
    },
)
GOODWILL_CREDITED = declare(
    "goodwill.credited",
    summary="Goodwill for the customer was approved (a partner no-show or no response).",
    subject="booking",
    example={
        "refund_id": 9,
        "booking_id": 1029,
        "customer_id": 311,
        "reason": "goodwill_no_show",
        "amount": "150.00",
        "currency": "INR",
    },
)
REVERSAL_REQUEST_DECIDED = declare(
    "reversal_request.decided",
    summary="A PAF and penalty reversal request was approved or rejected, with the reason.",
    subject="partner",
    example={
        "reversal_request_id": 2,
        "partner_id": 57,
        "paf_id": 5,
        "booking_id": 1029,
        "decision": "approved",
        "reason": "Call recording shows the customer cancelled.",
        "decided_by_id": 6,
        "policy_version": "sop-2026.1",
    },
)
PAYOUT_RUN_APPROVED = declare(
    "payout_run.approved",
    summary="Finance approved a computed payout run (export the bank file and pay it).",
    subject="payout_run",
    example={
        "run_id": 4,
        "region_id": 1,
        "period_start": "2026-12-01",
        "period_end": "2026-12-07",
        "currency": "INR",
        "approved_by_id": 6,
    },
)
PAYOUT_RUN_PAID = declare(
    "payout_run.paid",
    summary="The bank paid a payout run: its partners' payouts and penalties are settled.",
    subject="payout_run",
    example={
        "run_id": 4,
        "region_id": 1,
        "period_start": "2026-12-01",
        "period_end": "2026-12-07",
        "currency": "INR",
        "paid_by_id": 6,
    },
)


def paf_marked(paf: PartnerAtFault) -> None:
    record_event(
        PAF_MARKED,
        ("partner", paf.partner_id),
        {
            "paf_id": paf.pk,
            "partner_id": paf.partner_id,
            "booking_id": paf.booking_id,
            "case_id": paf.case_id,
            "reason": paf.reason,
            "state": paf.state,
            "policy_version": paf.policy_version,
        },
    )


def paf_reversed(paf: PartnerAtFault, reason: str) -> None:
    record_event(
        PAF_REVERSED,
        ("partner", paf.partner_id),
        {
            "paf_id": paf.pk,
            "partner_id": paf.partner_id,
            "booking_id": paf.booking_id,
            "reason": reason,
        },
    )


def penalty_scheduled(penalty: Penalty) -> None:
    record_event(
        PENALTY_SCHEDULED,
        ("partner", penalty.partner_id),
        {
            "penalty_id": penalty.pk,
            "partner_id": penalty.partner_id,
            "paf_id": penalty.paf_id,
            "booking_id": penalty.booking_id,
            "amount": penalty.amount,
            "currency": penalty.currency,
            "rate": penalty.rate,
            "policy_version": penalty.policy_version,
        },
    )


def penalty_cancelled(penalty: Penalty, *, how: str, reason: str) -> None:
    record_event(
        PENALTY_CANCELLED,
        ("partner", penalty.partner_id),
        {
            "penalty_id": penalty.pk,
            "partner_id": penalty.partner_id,
            "how": how,
            "amount": penalty.amount,
            "currency": penalty.currency,
            "reason": reason,
        },
    )


def refund_approved(refund: Refund) -> None:
    record_event(
        REFUND_APPROVED,
        ("booking", refund.booking_id),
        {
            "refund_id": refund.pk,
            "booking_id": refund.booking_id,
            "customer_id": refund.customer_id,
            "case_id": refund.case_id,
            "reason": refund.reason,
            "amount": refund.amount,
            "currency": refund.currency,
            "deduct_from_partner": refund.deduct_from_partner,
            "tat_due_on": refund.tat_due_on,
        },
    )
    if refund.reason in _GOODWILL:
        record_event(
            GOODWILL_CREDITED,
            ("booking", refund.booking_id),
            {
                "refund_id": refund.pk,
                "booking_id": refund.booking_id,
                "customer_id": refund.customer_id,
                "reason": refund.reason,
                "amount": refund.amount,
                "currency": refund.currency,
            },
        )


def refund_paid(refund: Refund) -> None:
    record_event(
        REFUND_PAID,
        ("booking", refund.booking_id),
        {
            "refund_id": refund.pk,
            "booking_id": refund.booking_id,
            "customer_id": refund.customer_id,
            "amount": refund.amount,
            "currency": refund.currency,
            "payment_reference": refund.payment_reference,
        },
    )


def reversal_request_decided(request: ReversalRequest) -> None:
    record_event(
        REVERSAL_REQUEST_DECIDED,
        ("partner", request.partner_id),
        {
            "reversal_request_id": request.pk,
            "partner_id": request.partner_id,
            "paf_id": request.paf_id,
            "booking_id": request.booking_id,
            "decision": request.state,
            "reason": request.decision_reason,
            "decided_by_id": request.decided_by_id,
            "policy_version": request.policy_version,
        },
    )


def _run_facts(run: PayoutRun) -> dict:
    return {
        "run_id": run.pk,
        "region_id": run.region_id,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "currency": run.currency,
    }


def payout_run_approved(run: PayoutRun) -> None:
    record_event(
        PAYOUT_RUN_APPROVED,
        ("payout_run", run.pk),
        {**_run_facts(run), "approved_by_id": run.approved_by_id},
    )


def payout_run_paid(run: PayoutRun) -> None:
    record_event(
        PAYOUT_RUN_PAID, ("payout_run", run.pk), {**_run_facts(run), "paid_by_id": run.paid_by_id}
    )
