"""Reads of policy versions: which one is in force at a given time."""

from datetime import datetime

from django.utils import timezone

from .models import PolicyStatus, PolicyVersion
from .parameters import DEFAULT_POLICY, Policy, PolicyParameters


def policy_in_force(at: datetime | None = None) -> Policy:
    """The active version with the latest effective_from at or before `at` (default: now).

    Falls back to the SOP defaults only when no version was ever activated (fresh database).
    """
    at = at or timezone.now()
    row = (
        PolicyVersion.objects.filter(status=PolicyStatus.ACTIVE, effective_from__lte=at)
        .order_by("-effective_from")
        .values_list("version", "parameters")
        .first()
    )
    if row is None:
        return DEFAULT_POLICY
    version, parameters = row
    return Policy(version=version, params=PolicyParameters.from_dict(parameters))
