"""One error body for the whole API: {code, detail, errors?}, whatever raised it.

400 field errors (request validation and business rules alike), 401/403, 404 (a record or a
URL), 405, 406, 409 conflicts, 415, 422 refusals, 429 with Retry-After, 500, and 503 with
Retry-After when the database cannot be reached or a statement timed out. DRF's own errors
are rewritten into the same shape; errors raised outside a DRF view under /api/ (a URL that
matches nothing, a failure in a middleware) get it from the project's handler404/handler500.
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, DataError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

logger = logging.getLogger("casework.api")

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = {
    "code": "unavailable",
    "detail": "The service cannot reach its database right now; nothing was changed. "
    "Try again in a few seconds.",
}
SERVER_ERROR = {
    "code": "server_error",
    "detail": "Something went wrong on our side; it has been logged. Nothing was changed.",
}
NOT_FOUND = {"code": "not_found", "detail": "Nothing lives at this address."}


def database_unavailable(exc: BaseException | None) -> bool:
    """A lost or refused connection, or a statement cancelled by its timeout."""
    return isinstance(exc, OperationalError | InterfaceError)


def _as_field_errors(detail) -> dict:
    """DRF's nested errors flattened to {field: [message, ...]}: a list field's item errors
    ({"images": {"1": [...]}}) become messages on the field that name the item."""
    if not isinstance(detail, dict):
        return {"non_field_errors": _messages(detail)}
    return {str(key): _messages(value) for key, value in detail.items()}


def _messages(value, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        out: list[str] = []
        for key, inner in value.items():
            label = f"item {int(key) + 1}" if str(key).isdigit() else str(key)
            out += _messages(inner, f"{prefix}{label}: ")
        return out
    if isinstance(value, list | tuple):
        out = []
        for index, item in enumerate(value):
            # A nested list serializer answers one entry per item ({} when it was fine).
            label = f"{prefix}item {index + 1}: " if isinstance(item, dict) else prefix
            out += _messages(item, label)
        return out
    return [f"{prefix}{value}"]


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc, context):
    """DRF's exception handler, answering every error in the one body."""
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.fields:
            body["errors"] = exc.fields
        return Response(body, status=exc.http_status)
    if database_unavailable(exc):
        logger.warning("database unavailable: %s", exc)
        return Response(UNAVAILABLE, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, DataError):
        # A value the database cannot hold (a number out of range, a moment no clock has):
        # the statement failed, its transaction rolled back, nothing was written.
        return Response(
            {"code": "invalid", "detail": "A value is out of the range this field can hold."},
            status=400,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        if isinstance(exc, DatabaseError):
            logger.exception("database error in an API view")
        else:
            logger.exception("unhandled error in an API view")
        return Response(SERVER_ERROR, status=500)
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": "Invalid input.",
            "errors": _as_field_errors(response.data),
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = {"code": _code_of(exc), "detail": str(detail)}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response["Retry-After"] = str(max(1, round(exc.wait)))
    elif isinstance(exc, Http404):
        response.data = {"code": "not_found", "detail": "Not found."}
    else:  # Django's PermissionDenied, which DRF maps to 403
        response.data = {"code": "permission_denied", "detail": "You may not do this."}
    return response


# --- outside DRF views: the project's handler404 / handler500 (config.urls) --------------------


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_not_found(request) -> JsonResponse:
    return JsonResponse(NOT_FOUND, status=404)


def api_server_error(request) -> JsonResponse:
    """An error that escaped a view or a middleware under /api/: 503 with Retry-After for a
    database outage, else 500, in the one body."""
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        response = JsonResponse(UNAVAILABLE, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse(SERVER_ERROR, status=500)
