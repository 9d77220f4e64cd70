"""Payouts API views: validate, call a service or a selector, render. Nothing else.

Errors: 400 field errors, 403 role, 404 not yours or absent, 409 illegal state (e.g. approving
twice), 422 refused by the SOP (a genuine PAF cannot be reversed).
"""

from .pafs import PafViewSet
from .partners import PartnerLedgerView, PartnerMgPlanView
from .penalties import PenaltyViewSet
from .refunds import RefundViewSet
from .reversals import ReversalRequestViewSet
from .runs import PayoutRunViewSet

__all__ = [
    "PafViewSet",
    "PartnerLedgerView",
    "PartnerMgPlanView",
    "PayoutRunViewSet",
    "PenaltyViewSet",
    "RefundViewSet",
    "ReversalRequestViewSet",
]
