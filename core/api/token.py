"""POST /api/v1/auth/token/: an API token for a username and password, throttled per
address and locked out (429 with Retry-After) after too many failures, like the console."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_logged_in
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from core.auth import cooloff_seconds

from .throttles import SignInThrottle, ThrottleFirst


class TokenView(ThrottleFirst, ObtainAuthToken):
    """POST username and password for an API token; locked out (429) after too many
    failures, like the console."""

    throttle_classes = [SignInThrottle]

    def post(self, request, *args, **kwargs):
        credentials = {"username": request.data.get("username", "")}
        if AxesProxyHandler.is_locked(request._request, credentials):
            raise Locked(wait=cooloff_seconds())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # A successful sign-in, as the console's: clears the failures counted against it.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class Locked(Throttled):
    default_detail = "Too many failed sign-ins: try again later or ask a supervisor to unlock."
    default_code = "locked_out"

    def __init__(self, wait: int):
        super().__init__(wait=wait, detail=self.default_detail, code=self.default_code)
