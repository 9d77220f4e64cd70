"""Routes of the payouts API, included under /api/v1/ by config.api_urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    PafViewSet,
    PartnerLedgerView,
    PartnerMgPlanView,
    PayoutRunViewSet,
    PenaltyViewSet,
    RefundViewSet,
    ReversalRequestViewSet,
)

router = SimpleRouter()
router.register("pafs", PafViewSet, basename="paf")
router.register("penalties", PenaltyViewSet, basename="penalty")
router.register("reversal-requests", ReversalRequestViewSet, basename="reversal-request")
router.register("refunds", RefundViewSet, basename="refund")
router.register("payout-runs", PayoutRunViewSet, basename="payout-run")

urlpatterns = [
    path(
        "payout-runs/<int:pk>/export.csv",
        PayoutRunViewSet.as_view({"get": "export"}),
        name="payout-run-export-csv",
    ),
    path(
        "partners/<int:partner_id>/ledger/",
        PartnerLedgerView.as_view(),
        name="partner-ledger",
    ),
    path(
        "partners/<int:partner_id>/mg-plan/",
        PartnerMgPlanView.as_view(),
        name="partner-mg-plan",
    ),
    *router.urls,
]
