"""The schema documents the one error body on every operation: whatever an operation
declares itself, each may also answer 400/401/403/404/409/415/429/500/503 with
{code, detail, errors?} (a drf-spectacular postprocessing hook)."""

from __future__ import annotations

ERROR_REF = {"$ref": "#/components/schemas/Error"}
COMMON = {
    "400": "Invalid input: field errors in `errors` ({field: [message, ...]}), a malformed "
    "body, or a bad query parameter (an id that is not ASCII digits, a page cursor we did "
    "not give out, a day that does not exist).",
    "401": "No credentials, or bad ones.",
    "403": "Your role may not do this.",
    "404": "No such record (or not yours to see).",
    "409": "The record's state does not allow it.",
    "415": "Unsupported media type: send JSON.",
    "429": "Too many requests: wait for the seconds in Retry-After.",
    "500": "A bug on our side; logged. Nothing was changed.",
    "503": "The database cannot be reached right now; try again after Retry-After seconds.",
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}}


def add_error_responses(result, generator, request, public):
    """Add the common error answers to every operation that does not declare them."""
    for path, methods in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in COMMON.items():
                if code in responses:
                    continue
                if code == "415" and method in ("get", "delete"):
                    continue
                answer = {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
                if code in ("429", "503"):
                    answer["headers"] = RETRY_AFTER
                responses[code] = answer
    return result
