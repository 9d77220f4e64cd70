"""A service's refusal shown on a console form or as a message."""

from __future__ import annotations

from django import forms

from core.errors import DomainError

NON_FIELD = "non_field_errors"


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Put a service's field errors on the form's fields (others above the form), and its
    message too unless it is the generic 'Invalid input.'."""
    for name, errors in exc.fields.items():
        if name in form.fields and name != NON_FIELD:
            form.add_error(name, errors)
        else:
            label = "" if name == NON_FIELD else f"{name}: "
            form.add_error(None, [f"{label}{error}" for error in errors])
    if not exc.fields or exc.message != "Invalid input.":
        form.add_error(None, exc.message)


def describe_error(exc: DomainError) -> str:
    """One line for a message: the error and its field errors."""
    details = "; ".join(f"{f}: {' '.join(errs)}" for f, errs in exc.fields.items())
    return f"{exc.message} {details}".strip() if details else exc.message


def with_refusal(form_class: type[forms.BaseForm], exc: DomainError) -> type[forms.BaseForm]:
    """The form class again, whose validation adds a service's refusal: bound to what was
    typed, it comes back invalid with the refusal on its fields (or above them)."""

    class Refused(form_class):  # type: ignore[valid-type, misc]
        def clean(self):
            cleaned = super().clean()
            add_domain_error(self, exc)
            return cleaned

    Refused.__name__ = form_class.__name__
    Refused.__qualname__ = form_class.__qualname__
    return Refused
