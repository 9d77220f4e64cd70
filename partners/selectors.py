"""Reads on regions, cities and partners."""

from __future__ import annotations

import threading
import time as time_module
from datetime import datetime
from zoneinfo import ZoneInfo

import holidays
from django.db.models import QuerySet

from core.roles import User, row_scope
from policies.business_time import WorkingCalendar
from policies.calendar import BusinessCalendar

from .models import CalendarSlot, City, Closure, Partner, Region, RegionCalendar, SlotStatus


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
    if value.isascii() and value.isdigit() and len(value) < 19:
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


# Working calendars change rarely and every clock asks for one: each process keeps what it
# built for a few seconds (a version saved in this process clears it at once).
CALENDAR_CACHE_SECONDS = 10.0
_calendar_lock = threading.Lock()
_calendar_cache: dict[tuple[int, int], tuple[float, tuple]] = {}
_city_regions: dict[int, int] = {}


def clear_calendar_cache() -> None:
    """Forget cached calendars (a save in this process, and each test)."""
    with _calendar_lock:
        _calendar_cache.clear()
        _city_regions.clear()


def region_id_of_city(city_id: int) -> int:
    """The region of a city (cities do not move: cached for the process)."""
    region_id = _city_regions.get(city_id)
    if region_id is None:
        region_id = City.objects.values_list("region_id", flat=True).get(pk=city_id)
        _city_regions[city_id] = region_id
    return region_id


def _calendar_rows(region_id: int, year: int) -> tuple:
    now = time_module.monotonic()
    key = (region_id, year)
    cached = _calendar_cache.get(key)
    if cached is not None and now - cached[0] < CALENDAR_CACHE_SECONDS:
        return cached[1]
    region = Region.objects.get(pk=region_id)
    versions = tuple(RegionCalendar.objects.filter(region_id=region_id).order_by("-effective_from"))
    closures = tuple(
        Closure.objects.filter(
            region_id=region_id, day__year__in=range(year - 1, year + 3)
        ).values_list("day", "effective_from")
    )
    public = frozenset(
        holidays.country_holidays(region.country, years=range(year - 1, year + 3)).keys()
    )
    rows = (region, versions, closures, public)
    with _calendar_lock:
        _calendar_cache[key] = (now, rows)
    return rows


def working_calendar(region_id: int, at: datetime) -> WorkingCalendar:
    """The region's working calendar as in force at a moment: the latest version effective at
    or before it, the public holidays of the `holidays` package, and the closures added by
    then."""
    region, versions, closures, public = _calendar_rows(region_id, at.year)
    version = next((v for v in versions if v.effective_from <= at), None)
    zone = ZoneInfo(region.timezone)
    closed = frozenset(day for day, since in closures if since <= at)
    if version is None:  # no version stored: the region's week, 09:00-18:00
        weekend = frozenset(region.weekend_days)
        return WorkingCalendar(
            zone=zone, days=BusinessCalendar(weekend_days=weekend, holidays=public | closed)
        )
    return WorkingCalendar(
        zone=zone,
        days=BusinessCalendar(
            weekend_days=frozenset(version.weekend_days), holidays=public | closed
        ),
        opens=version.opens,
        closes=version.closes,
        always_open=version.always_open,
        version=f"{region.country}-{version.pk}",
    )
