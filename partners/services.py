"""Writes on partners: the booking platform's partner upsert, and the partner calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from core.errors import InvalidInput, NotPermitted, TransitionConflict
from core.locks import lock_row
from core.roles import CASE_WORKERS, User, has_role, partner_of
from core.upsert import check_fields, upsert_by_external_id

from . import selectors
from .models import CalendarSlot, Partner, SlotStatus

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
        return CalendarSlot.objects.create(
            partner=partner, starts_at=starts_at, ends_at=ends_at, status=status, note=note
        )


def remove_slot(*, slot_id: int, actor: User | None) -> None:
    """Free a slot again (the partner's own, or any for a case worker)."""
    with transaction.atomic():
        slot = lock_row(CalendarSlot, slot_id)
        own = partner_of(actor)
        if not has_role(actor, CASE_WORKERS) and (own is None or own.pk != slot.partner_id):
            raise NotPermitted("Only the partner or a case worker may change this calendar.")
        slot.delete()
