"""Console pages beyond the model admins: the dashboard, saved views and the user's time zone."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.generic import RedirectView

from core import roles
from core.admin.errors import describe_error
from core.errors import DomainError
from core.times import when, zone_label, zone_named

from . import selectors, services
from .dashboard import dashboard as dashboard_data
from .middleware import remember_time_zone
from .models import SavedView

DASHBOARD_ROLES = frozenset({roles.SUPERVISOR, roles.FINANCE})


def dashboard(request: HttpRequest) -> HttpResponse:
    if not roles.has_role(request.user, DASHBOARD_ROLES):
        raise PermissionDenied("The dashboard is for supervisors and finance.")
    charts = dashboard_data()
    csat = charts["csat"]
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "charts": charts,
        "csat_tables": [
            ("Team", csat["team"]),
            ("Agent", csat["agent"]),
            ("Case kind", csat["kind"]),
            ("Region", csat["region"]),
        ],
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


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Read times in",
        help_text="Lists, the home page and policy versions use this zone. A case, booking, "
        "customer or partner page always uses its region's zone. The zone is written beside "
        "every time.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = selectors.time_zone_choices()


def time_zone(request: HttpRequest) -> HttpResponse:
    """Choose the zone the console writes times in for this user."""
    current = selectors.time_zone_of(request.user)
    form = TimeZoneForm(request.POST or None, initial={"time_zone": current})
    if request.method == "POST" and form.is_valid():
        try:
            chosen = services.set_time_zone(
                user=request.user, time_zone=form.cleaned_data["time_zone"]
            )
        except DomainError as exc:
            messages.error(request, describe_error(exc))
        else:
            remember_time_zone(request, chosen.time_zone)
            zone = zone_named(chosen.time_zone)
            messages.success(
                request,
                f"Times now read in {zone_label(zone)}: it is {when(timezone.now(), zone)}.",
            )
            return HttpResponseRedirect(reverse("console-time-zone"))
    context = {
        **admin.site.each_context(request),
        "title": "Your time zone",
        "form": form,
        "submit_label": "Save",
        "cancel_url": reverse("admin:index"),
        "now_in_words": when(timezone.now(), zone_named(current)),
    }
    return TemplateResponse(request, "console/time_zone.html", context)


class Favicon(RedirectView):
    """/favicon.ico, which browsers ask for on every page whatever it links: the console's
    icon (also named in the pages' head through UNFOLD["SITE_FAVICONS"])."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("console/favicon.svg")
