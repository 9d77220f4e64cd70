"""Reads on regions, cities and partners."""

from __future__ import annotations

from django.db.models import QuerySet

from core.roles import User, row_scope

from .models import CalendarSlot, City, Partner, SlotStatus


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


def overlapping_slots(partner_id: int, starts_at, ends_at) -> QuerySet[CalendarSlot]:
    """The partner's leave and working slots that overlap [starts_at, ends_at)."""
    return CalendarSlot.objects.filter(
        partner_id=partner_id,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
        status__in=[SlotStatus.ON_LEAVE, SlotStatus.WORKING],
    ).order_by("starts_at")


def calendar_status(partner_id: int, starts_at, ends_at) -> str:
    """What the partner's calendar says for a time range: on leave (red) wins over working
    on a job (green); no slot is free (blank)."""
    statuses = set(
        overlapping_slots(partner_id, starts_at, ends_at).values_list("status", flat=True)
    )
    if SlotStatus.ON_LEAVE in statuses:
        return SlotStatus.ON_LEAVE
    if SlotStatus.WORKING in statuses:
        return SlotStatus.WORKING
    return SlotStatus.FREE


def calendar_visible_to(user: User | None) -> QuerySet[CalendarSlot]:
    """Every slot for the back office; a partner login sees its own calendar only."""
    sees_all, partner = row_scope(user, CalendarSlot)
    if sees_all:
        return CalendarSlot.objects.select_related("partner")
    if partner is not None:
        return CalendarSlot.objects.filter(partner_id=partner.pk).select_related("partner")
    return CalendarSlot.objects.none()
