"""The API's rate limits (DRF throttles): per signed-in user, per anonymous address, and the
token endpoint per address. Rates come from settings.API_THROTTLE_RATES on each request, so
they can be tuned without a restart of the code that defines them (and tested)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling


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
