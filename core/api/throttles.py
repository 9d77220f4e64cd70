"""The API's rate limits (DRF throttles): per signed-in user, per anonymous address, and the
token endpoint per address. Rates come from settings.API_THROTTLE_RATES on each request, so
they can be tuned without a restart of the code that defines them (and tested). Every API
view mixes in ThrottleFirst, so refused and anonymous callers are counted too."""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, throttling
from rest_framework.request import Request


class _SettingsRates:
    """Rates read from settings.API_THROTTLE_RATES on each request (tunable, testable)."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class UserThrottle(_SettingsRates, throttling.UserRateThrottle):
    """Per signed-in user (anonymous callers by address)."""


class AnonThrottle(_SettingsRates, throttling.AnonRateThrottle):
    """Per address, for callers without credentials."""


class SignInThrottle(_SettingsRates, throttling.SimpleRateThrottle):
    """The token endpoint, per address: tighter than the API's."""

    scope = "sign_in"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ThrottleFirst:
    """Throttles before permissions, for every API view (mixed in before DRF's view class).

    DRF's APIView.initial authenticates, checks permissions, then throttles, so a caller the
    permissions refuse (no credentials: 401; a role without the permission: 403) never
    reaches a throttle, and one with a bad token is refused while authenticating, before
    either. Here a request is counted before its permissions are checked, and a request
    with bad credentials is counted (by its address, as an anonymous one) before its 401:
    past the rate every caller gets the 429 with Retry-After. The throttles still run once.
    """

    _throttles_checked = False

    def perform_authentication(self, request: Request) -> None:
        try:
            super().perform_authentication(request)  # type: ignore[misc]
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)  # the request is anonymous now
            raise

    def check_permissions(self, request: Request) -> None:
        self.check_throttles(request)
        super().check_permissions(request)  # type: ignore[misc]

    def check_throttles(self, request: Request) -> None:
        if self._throttles_checked:
            return
        self._throttles_checked = True
        super().check_throttles(request)  # type: ignore[misc]
