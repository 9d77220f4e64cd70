"""The OpenAPI schema and its docs pages (/api/schema/, /api/docs/, /api/redoc/): open to
anyone when settings.API_DOCS_PUBLIC, else to signed-in staff only (session or token; the
pages send an anonymous visitor to the console's sign-in); throttled like the API
(docs/decisions.md, "API docs")."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from .base import AUTHENTICATION
from .throttles import ThrottleFirst


class DocsPermission(BasePermission):
    """Anyone while API_DOCS_PUBLIC (read on each request); else active staff."""

    message = "The API schema and docs are for signed-in staff."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if settings.API_DOCS_PUBLIC:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class _Docs(ThrottleFirst):
    authentication_classes = AUTHENTICATION
    permission_classes = [DocsPermission]


class _DocsPage(_Docs):
    """A page for people: an anonymous visitor is sent to the console's sign-in and back."""

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


class SchemaView(_Docs, SpectacularAPIView):
    """The OpenAPI document; a refusal in the API's one error body."""


class SwaggerView(_DocsPage, SpectacularSwaggerView):
    """Swagger UI over the schema."""


class RedocView(_DocsPage, SpectacularRedocView):
    """ReDoc over the schema."""
