"""One error body for the whole API: {code, detail, errors?}.

400 field errors (request validation and business rules alike), 401/403, 404, 409 conflicts,
422 refusals. DRF's own validation errors are wrapped into the same shape, so a client
reads field errors from `errors` whatever raised them.
"""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def _as_field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {str(k): v if isinstance(v, list | dict) else [v] for k, v in detail.items()}
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def exception_handler(exc, context):
    """DRF's exception handler, answering every error in the one body."""
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.fields:
            body["errors"] = exc.fields
        return Response(body, status=exc.http_status)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": "Invalid input.",
            "errors": _as_field_errors(response.data),
        }
    return response
