"""The events a partner's calendar sends out: days blocked (on leave, on a job, or blocked by
a decision) and released, so the partner app and the allocation engine stop offering them."""

from __future__ import annotations

from events.catalogue import declare
from events.services import record_event

from .models import CalendarSlot

SLOTS_BLOCKED = declare(
    "partner.slots_blocked",
    summary="A partner's time was blocked (on leave or working): do not allocate them then.",
    subject="partner",
    example={
        "partner_id": 57,
        "slot_id": 12,
        "status": "on_leave",
        "starts_at": "2026-12-14T03:30:00+00:00",
        "ends_at": "2026-12-16T12:30:00+00:00",
        "note": "Blocked for 2 days: no show (revisit SOP).",
    },
)
SLOTS_RELEASED = declare(
    "partner.slots_released",
    summary="A blocked slot of a partner's calendar was freed again.",
    subject="partner",
    example={
        "partner_id": 57,
        "slot_id": 12,
        "starts_at": "2026-12-14T03:30:00+00:00",
        "ends_at": "2026-12-16T12:30:00+00:00",
    },
)


def slots_blocked(slot: CalendarSlot) -> None:
    record_event(
        SLOTS_BLOCKED,
        ("partner", slot.partner_id),
        {
            "partner_id": slot.partner_id,
            "slot_id": slot.pk,
            "status": slot.status,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "note": slot.note,
        },
    )


def slots_released(slot: CalendarSlot) -> None:
    record_event(
        SLOTS_RELEASED,
        ("partner", slot.partner_id),
        {
            "partner_id": slot.partner_id,
            "slot_id": slot.pk,
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
        },
    )
