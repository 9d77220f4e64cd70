"""REST API v1: one router for every app's viewsets, plus the token endpoint."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from cases.api.urls import routes as case_routes
from partners.api.urls import routes as partner_routes

router = DefaultRouter()
for prefix, viewset, basename in [*partner_routes, *case_routes]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
    path("", include("payouts.api.urls")),
    path("", include("flows.api.urls")),
]
