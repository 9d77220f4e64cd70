"""The console's time zone: each console request reads times in the user's own zone (their
TimeZonePreference, else settings.TIME_ZONE); pages about one region's record then activate
that region's zone over it (core.admin.base.ConsoleAdmin)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.times import zone_named

from .selectors import time_zone_of

CONSOLE_PREFIX = "/admin/"
# The chosen zone rides in the session (set at sign-in and when changed), so a page costs
# no query for it; the API is untouched (its times carry their offset).
SESSION_KEY = "console_time_zone"


def remember_time_zone(request: HttpRequest, name: str) -> None:
    request.session[SESSION_KEY] = name


@receiver(user_logged_in)
def _on_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        remember_time_zone(request, time_zone_of(user))


class UserTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(CONSOLE_PREFIX) or not request.user.is_authenticated:
            return self.get_response(request)
        name = request.session.get(SESSION_KEY)
        if name is None:  # a session from before the preference existed
            name = time_zone_of(request.user)
            remember_time_zone(request, name)
        zone = zone_named(name)
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
