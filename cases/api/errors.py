"""Maps domain errors to HTTP: 400 field errors, 403, 404, 409 conflicts, 422 refusals."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.fields:
            body["errors"] = exc.fields
        return Response(body, status=exc.http_status)
    return drf_exception_handler(exc, context)
