"""Partner money records: PAF marks, penalties, the append-only ledger, reversal requests,
customer refunds and payout runs.

Sign convention of the ledger (and of every money column derived from it): an amount is what
the entry does to what we owe the partner. Credits are positive (earning, bonus, a reversal
giving a penalty back); debits are negative (penalty deduction, recovery of a refund, the
payout itself). A partner's balance is the plain SUM of their entries; nothing stores it.
"""

from .base import money_field
from .ledger import CREDIT_KINDS, DEBIT_KINDS, EntryKind, LedgerEntry
from .penalties import PafState, PartnerAtFault, Penalty, PenaltyState
from .refunds import Refund, RefundReason, RefundState
from .reversals import (
    OPEN_REVERSAL_STATES,
    EvidenceFile,
    ReversalKind,
    ReversalRequest,
    ReversalState,
)
from .runs import (
    MgPlanExclusion,
    PayoutLine,
    PayoutRun,
    PayoutRunEntry,
    RunState,
    period_in_words,
)

__all__ = [
    "CREDIT_KINDS",
    "DEBIT_KINDS",
    "OPEN_REVERSAL_STATES",
    "EntryKind",
    "EvidenceFile",
    "LedgerEntry",
    "MgPlanExclusion",
    "PafState",
    "PartnerAtFault",
    "PayoutLine",
    "PayoutRun",
    "PayoutRunEntry",
    "Penalty",
    "PenaltyState",
    "Refund",
    "RefundReason",
    "RefundState",
    "ReversalKind",
    "ReversalRequest",
    "ReversalState",
    "RunState",
    "money_field",
    "period_in_words",
]
