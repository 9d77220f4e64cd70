"""REST API v1: one router for every app's viewsets."""

from django.urls import include, path

urlpatterns = [
    path("", include("cases.api.urls")),
]
