"""Writes on policy versions: draft a version of the SOP parameters, activate it (four eyes).

A version is drafted by someone allowed to change policies and activated by a supervisor who
did not write it. Decisions pick an active version up from its effective_from on
(policies.selectors.policy_in_force); decisions already recorded keep the version they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import roles
from core.errors import InvalidInput, NotFoundError, NotPermitted, TransitionConflict

from .models import PolicyStatus, PolicyVersion
from .parameters import PolicyParameters, PolicyValidationError

User = AbstractBaseUser | AnonymousUser


def _may_draft(actor: User | None) -> bool:
    if roles.has_role(actor, roles.SUPERVISOR):
        return True
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.has_perm("policies.add_policyversion")
    )


def draft_policy_version(
    *,
    actor: User | None,
    version: str,
    parameters: Mapping[str, object],
    effective_from: datetime,
    change_note: str,
) -> PolicyVersion:
    """Store a draft version; its parameters are validated and stored canonically (every
    parameter, defaults included). 400 with one error per bad field, 403 for other roles."""
    if not _may_draft(actor):
        raise NotPermitted("Your role may not draft policy versions.")
    errors: dict[str, list[str]] = {}
    try:
        params = PolicyParameters.from_dict(parameters)
    except PolicyValidationError as exc:
        errors.update({f"parameters.{name}": [msg] for name, msg in exc.errors.items()})
        params = None
    if not isinstance(effective_from, datetime):
        errors["effective_from"] = ["Give the date and time the version takes effect."]
    elif timezone.is_naive(effective_from):
        effective_from = timezone.make_aware(effective_from)
    if not (change_note or "").strip():
        errors["change_note"] = ["Say what changes and why."]
    row = PolicyVersion(
        version=(version or "").strip(),
        parameters=params.to_dict() if params is not None else {},
        effective_from=effective_from if isinstance(effective_from, datetime) else None,
        status=PolicyStatus.DRAFT,
        change_note=(change_note or "").strip(),
        author=actor if actor is not None and actor.is_authenticated else None,
    )
    try:
        row.full_clean(exclude=["parameters", "effective_from", "author", "activated_by"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise InvalidInput({"version": [f"Version {row.version!r} already exists."]}) from None
    return row


def activate_policy_version(*, version_id: int, actor: User | None) -> PolicyVersion:
    """A supervisor other than its author activates a draft (403 otherwise; 409 when it is not
    a draft or another active version takes effect at the same moment)."""
    if not roles.has_role(actor, roles.SUPERVISOR):
        raise NotPermitted("Only a supervisor may activate a policy version.")
    with transaction.atomic():
        try:
            row = PolicyVersion.objects.select_for_update().get(pk=version_id)
        except PolicyVersion.DoesNotExist:
            raise NotFoundError(f"Policy version {version_id} does not exist.") from None
        if row.author_id is not None and row.author_id == getattr(actor, "pk", None):
            raise NotPermitted("Nobody may activate a policy version they wrote themselves.")
        if row.status != PolicyStatus.DRAFT:
            raise TransitionConflict(
                f"Policy version {row.version} is {row.get_status_display().lower()}: only "
                "drafts are activated."
            )
        clash = (
            PolicyVersion.objects.filter(
                status=PolicyStatus.ACTIVE, effective_from=row.effective_from
            )
            .exclude(pk=row.pk)
            .values_list("version", flat=True)
            .first()
        )
        if clash is not None:
            raise TransitionConflict(
                f"Version {clash} already takes effect at {row.effective_from:%Y-%m-%d %H:%M}; "
                "two versions cannot start at the same moment."
            )
        # Re-validate: a draft's JSON may have been edited since it was drafted.
        try:
            PolicyParameters.from_dict(row.parameters)
        except PolicyValidationError as exc:
            raise InvalidInput(
                {f"parameters.{name}": [msg] for name, msg in exc.errors.items()}
            ) from exc
        row.status = PolicyStatus.ACTIVE
        row.activated_by = actor  # type: ignore[assignment]
        row.activated_at = timezone.now()
        row.save(update_fields=["status", "activated_by", "activated_at"])
    return row
