"""The console's home page (the theme's dashboard callback): the panels of the user's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import home_panels, saved_views


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    context["panels"] = home_panels(request.user)
    context["saved_views"] = saved_views(request.user)
    return context
