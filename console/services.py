"""Saving and removing a user's saved views."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.urls import Resolver404, resolve

from core.errors import InvalidInput, NotFoundError
from core.roles import User

from . import selectors
from .models import SavedView, TimeZonePreference

MAX_VIEWS = 50


def save_view(*, owner: User, name: str, path: str, query: str) -> SavedView:
    """Save (or replace) the user's view of a console list under a name."""
    name = " ".join(name.split())
    errors = {}
    if not name:
        errors["name"] = "Name the view."
    elif len(name) > 80:
        errors["name"] = "At most 80 characters."
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is None or not (match.url_name or "").endswith("_changelist"):
        errors["path"] = "Only a console list can be saved as a view."
    if errors:
        raise InvalidInput(errors)
    kept = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "p"])
    with transaction.atomic():
        view, created = SavedView.objects.update_or_create(
            owner=owner, name=name, defaults={"path": path, "query": kept[:1000]}
        )
        if created and SavedView.objects.filter(owner=owner).count() > MAX_VIEWS:
            raise InvalidInput({"name": f"At most {MAX_VIEWS} saved views; remove one first."})
    return view


def remove_view(*, owner: User, view_id: int) -> None:
    deleted, _ = SavedView.objects.filter(owner=owner, pk=view_id).delete()
    if not deleted:
        raise NotFoundError("No such saved view of yours.")


def set_time_zone(*, user: User, time_zone: str) -> TimeZonePreference:
    """Store the zone the user reads times in; one of the zones the console offers."""
    if time_zone not in dict(selectors.time_zone_choices()):
        raise InvalidInput({"time_zone": "Choose one of the zones offered."})
    preference, _ = TimeZonePreference.objects.update_or_create(
        user=user, defaults={"time_zone": time_zone}
    )
    return preference
