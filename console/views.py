"""Console pages beyond the model admins: the dashboard and saved views."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import roles
from core.admin.errors import describe_error
from core.errors import DomainError

from . import services
from .dashboard import dashboard as dashboard_data
from .models import SavedView

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


@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    """Save the list the user is looking at under a name; back to that list."""
    path = request.POST.get("path", "")
    query = request.POST.get("query", "")
    try:
        view = services.save_view(
            owner=request.user, name=request.POST.get("name", ""), path=path, query=query
        )
    except DomainError as exc:
        messages.error(request, describe_error(exc))
        back = path if path.startswith("/admin/") else reverse("admin:index")
        return HttpResponseRedirect(f"{back}?{query}" if query else back)
    messages.success(request, f"Saved the view “{view.name}”; it is on your home page.")
    return HttpResponseRedirect(view.url)


def remove_view(request: HttpRequest, view_id: int) -> HttpResponse:
    """Confirm, then remove one of the user's saved views."""
    view = get_object_or_404(SavedView, pk=view_id, owner=request.user)
    if request.method == "POST":
        services.remove_view(owner=request.user, view_id=view.pk)
        messages.success(request, f"Removed the saved view “{view.name}”.")
        return HttpResponseRedirect(reverse("admin:index"))
    context = {**admin.site.each_context(request), "title": "Remove a saved view", "view": view}
    return TemplateResponse(request, "console/remove_view.html", context)
