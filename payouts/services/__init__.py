"""Writes on partner money: PAF marks, penalties, the ledger, reversal requests, refunds, payout
runs and their bank file. Each function is atomic, locks the rows it changes, and is safe to
repeat: every ledger entry carries an idempotency key derived from its cause, written once."""

from .bank_file import (
    BANK_FILE_COLUMNS,
    BankDetailsMissing,
    export_run,
)
from .evidence import attach_evidence_files, check_evidence_files, evidence_file_refusal
from .ledger import (
    partner_bonus,
    post_entry,
    record_earning,
)
from .mg_plan import exclude_from_mg_plan
from .pafs import (
    PAF_REVIEW_TASK,
    close_penalty,
    close_review_tasks,
    confirm_genuine,
    create_revisit_penalty,
    mark_paf,
    mark_paf_with_penalty,
    refuse_genuine_paf,
    refuse_self_review,
    request_paf_review,
    review_paf,
    schedule_penalty,
    waive_penalty,
)
from .refunds import (
    approve_refund,
    mark_refund_failed,
    mark_refund_paid,
    refund_tat_due_on,
    reject_refund,
    request_refund,
)
from .reversals import (
    approve_reversal_request,
    paf_reversal_refusal,
    reject_reversal_request,
    start_reversal_review,
    submit_reversal_request,
)
from .runs import (
    RUN_LOCK_NAMESPACE,
    LeaseLost,
    RunBusy,
    approve_run,
    compute_payout_run,
    create_payout_run,
    discard_run,
    mark_run_paid,
    request_compute,
    requeue_expired_leases,
    sweep_payout_leases,
)

__all__ = [
    "PAF_REVIEW_TASK",
    "close_review_tasks",
    "refuse_self_review",
    "request_paf_review",
    "confirm_genuine",
    "exclude_from_mg_plan",
    "BANK_FILE_COLUMNS",
    "BankDetailsMissing",
    "LeaseLost",
    "RunBusy",
    "requeue_expired_leases",
    "sweep_payout_leases",
    "RUN_LOCK_NAMESPACE",
    "approve_refund",
    "approve_reversal_request",
    "attach_evidence_files",
    "check_evidence_files",
    "evidence_file_refusal",
    "approve_run",
    "close_penalty",
    "compute_payout_run",
    "create_payout_run",
    "create_revisit_penalty",
    "discard_run",
    "export_run",
    "mark_paf",
    "mark_paf_with_penalty",
    "mark_refund_failed",
    "mark_refund_paid",
    "mark_run_paid",
    "partner_bonus",
    "post_entry",
    "record_earning",
    "refund_tat_due_on",
    "refuse_genuine_paf",
    "reject_refund",
    "paf_reversal_refusal",
    "reject_reversal_request",
    "request_compute",
    "request_refund",
    "review_paf",
    "schedule_penalty",
    "start_reversal_review",
    "submit_reversal_request",
    "waive_penalty",
]
