"""Signing in: brute-force protection (django-axes) for the console and the token endpoint
(core.api.token); the API's rate limits are core.api.throttles.

A username that fails AXES_FAILURE_LIMIT times from one address is locked out for
AXES_COOLOFF_TIME: the console shows a page saying so, the token endpoint answers 429 with
Retry-After in the one error body. A supervisor unlocks it early in the console (Axes:
access attempts, delete) or with `manage.py axes_reset_username NAME`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from .api.errors import is_api
from .roles import read_access


class AccessBackend(ModelBackend):
    """Django's ModelBackend, reading a user's permissions and role names in one query
    (core.roles.read_access) the first time a request asks, instead of three."""

    def get_all_permissions(self, user_obj, obj=None):
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and obj is None
            and not user_obj.is_superuser
            and not hasattr(user_obj, "_perm_cache")
        ):
            read_access(user_obj)
        return super().get_all_permissions(user_obj, obj)


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, cooloff_seconds() // 60)
    if is_api(request):
        response = JsonResponse(
            {
                "code": "locked_out",
                "detail": f"Too many failed sign-ins: try again in {minutes} minutes, or ask "
                "a supervisor to unlock the account.",
            },
            status=429,
        )
    else:
        username = escape((credentials or {}).get("username", ""))
        response = HttpResponse(
            "<!doctype html><title>Casework: signed out for a while</title>"
            f"<h1>Too many failed sign-ins{' for ' + username if username else ''}</h1>"
            f"<p>Try again in {minutes} minutes, or ask a supervisor to unlock the account "
            "(console: Axes, access attempts).</p>",
            status=429,
        )
    response["Retry-After"] = str(cooloff_seconds())
    return response
