"""Routes of the SOP flow API, included under /api/v1/ by config.api_urls."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .tasks import TaskViewSet
from .views import (
    CallAttemptView,
    CaseFlowsView,
    DecisionHistoryView,
    OosTicketView,
    RevisitView,
    RunFlowView,
)

router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = [
    *router.urls,
    path("cases/<int:case_id>/flows/", CaseFlowsView.as_view(), name="case-flows"),
    path("cases/<int:case_id>/flows/<str:flow>/", RunFlowView.as_view(), name="case-flow-run"),
    path("cases/<int:case_id>/decisions/", DecisionHistoryView.as_view(), name="case-decisions"),
    path(
        "cases/<int:case_id>/call-attempts/", CallAttemptView.as_view(), name="case-call-attempts"
    ),
    path("bookings/<int:booking_id>/revisits/", RevisitView.as_view(), name="booking-revisits"),
    path("oos-tickets/", OosTicketView.as_view(), name="oos-tickets"),
]
