"""Domain errors raised by services; the API maps each to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    http_status = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class InvalidInput(DomainError):
    """Bad or missing input: 400 with field errors."""

    http_status = 400
    code = "invalid"

    def __init__(self, fields: dict[str, list[str] | str], message: str = "Invalid input."):
        normalised = {k: v if isinstance(v, list) else [v] for k, v in fields.items()}
        super().__init__(message, fields=normalised)


class NotPermitted(DomainError):
    """The actor's role may not do this: 403."""

    http_status = 403
    code = "permission_denied"


class NotFoundError(DomainError):
    http_status = 404
    code = "not_found"


class TransitionConflict(DomainError):
    """The record's state does not allow the action now (or someone else just changed it): 409."""

    http_status = 409
    code = "transition_not_allowed"


class PolicyRefusal(DomainError):
    """The SOP refuses the request (outside warranty, too far for OOS...): 422, nothing written."""

    http_status = 422
    code = "refused_by_policy"
