"""REST API v1: every app's routes, plus the token endpoint."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include("partners.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("payouts.api.urls")),
    path("", include("flows.api.urls")),
]
