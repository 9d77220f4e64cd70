"""Reads of policy versions: which one is in force at a given time."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from django.utils import timezone

from core.times import when

from .models import PolicyStatus, PolicyVersion
from .parameters import DEFAULT_POLICY, Policy, PolicyParameters

# Active versions change rarely and every transition asks for one, so each process keeps
# them for a few seconds. A save in this process clears the cache at once; another process
# sees an activation within CACHE_SECONDS. Versions take effect at their effective_from,
# which an activation sets ahead of time, so the delay never changes a decision's version.
CACHE_SECONDS = 10.0
_lock = threading.Lock()
_cache: tuple[float, tuple[tuple[datetime, Policy], ...]] | None = None


def clear_policy_cache() -> None:
    """Forget the cached versions (a save in this process, and each test)."""
    global _cache
    with _lock:
        _cache = None


def _active_versions() -> tuple[tuple[datetime, Policy], ...]:
    global _cache
    now = time.monotonic()
    cached = _cache
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    rows = PolicyVersion.objects.filter(status=PolicyStatus.ACTIVE).order_by("-effective_from")
    versions = tuple(
        (effective_from, Policy(version=version, params=PolicyParameters.from_dict(parameters)))
        for effective_from, version, parameters in rows.values_list(
            "effective_from", "version", "parameters"
        )
    )
    with _lock:
        _cache = (now, versions)
    return versions


def policy_in_force(at: datetime | None = None) -> Policy:
    """The active version with the latest effective_from at or before `at` (default: now).

    Falls back to the SOP defaults only when no version was ever activated (fresh database).
    """
    at = at or timezone.now()
    for effective_from, policy in _active_versions():
        if effective_from <= at:
            return policy
    return DEFAULT_POLICY


def policy_by_version(version: str) -> Policy:
    """The stored version a decision names (the SOP defaults if it is not stored). Active
    versions come from the cache every transition already keeps."""
    for _, policy in _active_versions():
        if policy.version == version:
            return policy
    parameters = (
        PolicyVersion.objects.filter(version=version).values_list("parameters", flat=True).first()
    )
    if parameters is None:
        return DEFAULT_POLICY
    return Policy(version=version, params=PolicyParameters.from_dict(parameters))


def version_in_words(version: str) -> str:
    """A decision's policy version for people: its name and when it took effect, in
    the current time zone (the case page activates the region's). Active versions come from
    the cache every decision already keeps; another version is named as it is."""
    if not version:
        return "No policy version recorded."
    for effective_from, policy in _active_versions():
        if policy.version == version:
            return f"Under SOP numbers {version}, effective from {when(effective_from)}."
    if version == DEFAULT_POLICY.version:
        return f"Under the SOP's own numbers ({version}): no version had been activated."
    return f"Under SOP numbers {version} (a version that is not active now)."
