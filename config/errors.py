"""The project's 404 and 500 handlers: the API's one error body under /api/, Django's pages
elsewhere, and a 503 page with Retry-After when the console cannot reach its database."""

from __future__ import annotations

import sys

from django.http import HttpResponse
from django.views import defaults

from core.api import errors as api_errors

UNAVAILABLE_PAGE = (
    "<!doctype html><title>Casework: try again shortly</title>"
    "<h1>The database cannot be reached right now</h1>"
    "<p>Nothing was changed. Try again in a few seconds.</p>"
)


def not_found(request, exception=None):
    if api_errors.is_api(request):
        return api_errors.api_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if api_errors.is_api(request):
        return api_errors.api_server_error(request)
    if api_errors.database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(UNAVAILABLE_PAGE, status=503)
        response["Retry-After"] = str(api_errors.RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
