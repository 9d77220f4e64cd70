"""REST API v1: every app's routes, plus the token endpoint."""

from django.urls import include, path

from core.api.token import TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include("partners.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("payouts.api.urls")),
    path("", include("conversations.api.urls")),
    path("", include("flows.api.urls")),
    path("", include("events.api.urls")),
    path("", include("backtests.api.urls")),
]
