"""Console pages beyond the model admins: the dashboard."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from core import roles

from .dashboard import dashboard as dashboard_data

DASHBOARD_ROLES = frozenset({roles.SUPERVISOR, roles.FINANCE})


def dashboard(request: HttpRequest) -> HttpResponse:
    if not roles.has_role(request.user, DASHBOARD_ROLES):
        raise PermissionDenied("The dashboard is for supervisors and finance.")
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "charts": dashboard_data(),
    }
    return TemplateResponse(request, "console/dashboard.html", context)
