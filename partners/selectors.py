"""Reads on regions, cities and partners."""

from __future__ import annotations

from django.db.models import QuerySet

from core.roles import User, row_scope

from .models import City, Partner


def partners_visible_to(user: User | None) -> QuerySet[Partner]:
    """A partner login sees its own record and no other."""
    sees_all, partner = row_scope(user, Partner)
    if sees_all:
        return Partner.objects.all()
    if partner is not None:
        return Partner.objects.filter(pk=partner.pk)
    return Partner.objects.none()


def partner_list(*, user: User | None) -> QuerySet[Partner]:
    """The partners the user may see, newest first, with their city."""
    return partners_visible_to(user).select_related("city").order_by("-id")


def cities_named(name_or_id: str) -> QuerySet[City]:
    """Cities matching an id or a (case-insensitive) name; names repeat only across regions."""
    value = str(name_or_id).strip()
    if value.isdigit():
        return City.objects.filter(pk=int(value))
    return City.objects.filter(name__iexact=value)
