"""The finance and partner-support console for payouts: thin, every write calls a service.

Queues: reversal requests awaiting a decision (oldest first, with evidence and the PAF's
own decision), penalties due in the next run, refunds to approve, payout runs (with a live
progress bar while a worker computes). Bulk decisions ask for a reason on a confirmation
page; the services refuse anyone deciding their own request, refund or run.
"""

from . import ledger, pafs, partner_page, refunds, reversals, runs  # noqa: F401  (registers the model admins)
