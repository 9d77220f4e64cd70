"""Writes on partners: the booking platform's partner upsert, and the partner calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import InvalidInput, NotPermitted, TransitionConflict
from core.locks import lock_row
from core.roles import CASE_WORKERS, SUPERVISOR, User, has_role, partner_of
from core.upsert import check_fields, upsert_by_external_id

from . import events, selectors
from .models import CalendarSlot, Closure, Partner, Region, RegionCalendar, SlotStatus

PARTNER_FIELDS = frozenset(
    {"name", "phone", "city", "hub", "categories", "is_sme", "programmes", "rating", "is_active"}
)


def upsert_partner(*, external_id: str, fields: dict[str, Any]) -> tuple[Partner, bool]:
    """Create or update a partner from the platform's record. Returns (partner, created)."""
    check_fields(fields, PARTNER_FIELDS)
    with transaction.atomic():
        return upsert_by_external_id(Partner, external_id=external_id, fields=fields)


def mark_slot(
    *,
    partner: Partner,
    starts_at: datetime,
    ends_at: datetime,
    status: str,
    actor: User | None,
    note: str = "",
    role_checked: bool = False,
) -> CalendarSlot:
    """Mark a slot of a partner's calendar (on leave, or working on a job). A partner login
    marks its own calendar; case workers mark anyone's. Overlapping an existing leave or
    working slot is refused (409, naming the slot): the calendar never says two things."""
    if not role_checked:
        own = partner_of(actor)
        if not has_role(actor, CASE_WORKERS) and (own is None or own.pk != partner.pk):
            raise NotPermitted("Only the partner or a case worker may mark this calendar.")
    errors: dict[str, str] = {}
    if status not in (SlotStatus.ON_LEAVE, SlotStatus.WORKING):
        errors["status"] = "Mark a slot on_leave or working (no slot means free)."
    if ends_at <= starts_at:
        errors["ends_at"] = "The slot must end after it starts."
    if len(note) > 200:
        errors["note"] = "At most 200 characters."
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        lock_row(Partner, partner.pk)  # slots of one partner are marked one at a time
        clash = selectors.overlapping_slots(partner.pk, starts_at, ends_at).first()
        if clash is not None:
            raise TransitionConflict(
                f"{partner} is already {clash.get_status_display().lower()} from "
                f"{clash.starts_at:%Y-%m-%d %H:%M} to {clash.ends_at:%Y-%m-%d %H:%M} "
                f"(slot #{clash.pk}).",
                code="slot_taken",
            )
        slot = CalendarSlot.objects.create(
            partner=partner, starts_at=starts_at, ends_at=ends_at, status=status, note=note
        )
        events.slots_blocked(slot)
        return slot


def remove_slot(*, slot_id: int, actor: User | None) -> None:
    """Free a slot again (the partner's own, or any for a case worker)."""
    with transaction.atomic():
        slot = lock_row(CalendarSlot, slot_id)
        own = partner_of(actor)
        if not has_role(actor, CASE_WORKERS) and (own is None or own.pk != slot.partner_id):
            raise NotPermitted("Only the partner or a case worker may change this calendar.")
        events.slots_released(slot)
        slot.delete()


# --- working calendars -------------------------------------------------------------------------

MAX_PAST = timedelta(minutes=5)  # "from now" typed a moment ago is still now


def _check_calendar_author(actor: User | None, doing: str) -> None:
    if not has_role(actor, SUPERVISOR):
        raise NotPermitted(f"Only a supervisor may {doing}.")


def add_calendar_version(
    *,
    actor: User | None,
    region: Region,
    effective_from: datetime,
    weekend_days: list[int],
    opens: time,
    closes: time,
    always_open: bool = False,
    note: str = "",
) -> RegionCalendar:
    """A new version of a region's working calendar, in force from `effective_from` (not in
    the past: clocks already computed keep the calendar they were computed with). 403 for
    anyone but a supervisor, 400 with field errors."""
    _check_calendar_author(actor, "change a working calendar")
    errors: dict[str, str] = {}
    if effective_from < timezone.now() - MAX_PAST:
        errors["effective_from"] = "A calendar change applies from now or later, not the past."
    days = sorted(set(weekend_days))
    if any(day not in range(7) for day in days) or len(days) == 7:
        errors["weekend_days"] = "Weekday numbers 0 (Monday) to 6 (Sunday), not all seven."
    if not always_open and closes <= opens:
        errors["closes"] = "The working day must close after it opens."
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if RegionCalendar.objects.filter(region=region, effective_from=effective_from).exists():
            raise InvalidInput({"effective_from": "A version already starts at that moment."})
        return RegionCalendar.objects.create(
            region=region,
            effective_from=effective_from,
            weekend_days=days,
            opens=opens,
            closes=closes,
            always_open=always_open,
            note=note.strip(),
            created_by=actor,
        )


def add_closure(
    *, actor: User | None, region: Region, day: date, name: str, effective_from=None
) -> Closure:
    """A day the region does not work beyond its public holidays (a local holiday, a special
    closure); clocks computed from `effective_from` (default now) skip it."""
    _check_calendar_author(actor, "add a closure")
    effective_from = effective_from or timezone.now()
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = "Name the closure (e.g. the local holiday)."
    if day < timezone.localdate():
        errors["day"] = "A closure is for today or a day to come."
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if Closure.objects.filter(region=region, day=day).exists():
            raise InvalidInput({"day": f"{region} is already closed on {day}."})
        return Closure.objects.create(
            region=region,
            day=day,
            name=name.strip(),
            effective_from=effective_from,
            created_by=actor,
        )
