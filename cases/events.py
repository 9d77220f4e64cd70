"""The events cases and bookings send out (their catalogue entries and payloads). Case events
come from the audit trail: every CaseEvent written that a receiver must hear of becomes an
outbox event in the same statement or transaction (cases.services.audit), so no path that
changes a case can forget to report it."""

from __future__ import annotations

from typing import Any

from events.catalogue import declare
from events.services import EventShapeError, pending_event, record_event

from .models import Case, CaseEvent, CaseStatus, EventType

_AT = "2026-12-14T13:18:00+00:00"

CASE_CREATED = declare(
    "case.created",
    summary="A case was opened (by an agent, the API, a partner's ticket or a decision).",
    subject="case",
    example={
        "case_id": 242,
        "kind": "revisit_partner_fault",
        "status": "new",
        "channel": "inbound_call",
        "team": "partner_support",
        "priority": "low",
        "booking_id": 1029,
        "customer_id": 311,
        "partner_id": 57,
        "city_id": 3,
        "actor_id": 4,
    },
)
CASE_STATUS_CHANGED = declare(
    "case.status_changed",
    summary="A case moved along its state machine (every transition, with its reason).",
    subject="case",
    example={
        "case_id": 242,
        "transition": "park",
        "from_status": "open",
        "to_status": "parked",
        "reason": "Customer asked to be called after 6 pm.",
        "actor_id": 4,
        "policy_version": "sop-2026.1",
    },
)
CASE_RESOLVED = declare(
    "case.resolved",
    summary="A case was resolved, with the tag (disposition) it was resolved with.",
    subject="case",
    example={
        "case_id": 242,
        "disposition": "1.3 Money-revisit issue",
        "actor_id": 4,
        "policy_version": "sop-2026.1",
    },
)
CASE_ASSIGNED = declare(
    "case.assigned",
    summary="A case's assignee changed (none when it went back to its team's queue).",
    subject="case",
    example={"case_id": 242, "assignee_id": 9, "previous_assignee_id": None, "actor_id": 4},
)
CASE_ESCALATED = declare(
    "case.escalated",
    summary="A case was escalated to a team (its lead assigned, the priority raised).",
    subject="case",
    example={
        "case_id": 242,
        "team": "escalations",
        "lead_id": 12,
        "priority": "high",
        "reason": "Escalated to Escalations: safety incident.",
        "policy_version": "sop-2026.1",
    },
)
CASE_SLA_BREACHED = declare(
    "case.sla_breached",
    summary="A case's SLA clock passed its target (first response or resolution).",
    subject="case",
    example={
        "case_id": 242,
        "clock": "resolution",
        "due_at": _AT,
        "priority_from": "medium",
        "priority_to": "high",
        "policy_version": "sop-2026.1",
    },
)
TASK_CREATED = declare(
    "task.created",
    summary="A task was given to a team or a person (by a decision or by hand), with its due time.",
    subject="case",
    example={
        "task_id": 77,
        "case_id": 242,
        "kind": "call_customer",
        "owner_team": "customer_care",
        "due_at": _AT,
        "policy_version": "sop-2026.1",
    },
)
TASK_OVERDUE = declare(
    "task.overdue",
    summary="An open task passed its due time; its team's lead was told.",
    subject="case",
    example={"task_id": 77, "case_id": 242, "kind": "call_customer", "due_at": _AT},
)

_BREACH_CLOCKS = {"sla_first_response": "first_response", "sla_resolution": "resolution"}


def outbox_events_for(case: Case, event: CaseEvent) -> list[Any]:
    """The outbox events (unsaved) one audit event gives rise to; none for most."""
    payload = event.payload or {}
    version = event.policy_version
    if event.type == EventType.CREATED:
        return [
            pending_event(
                CASE_CREATED,
                ("case", case.pk),
                {
                    "case_id": case.pk,
                    "kind": case.kind,
                    "status": case.status,
                    "channel": case.channel,
                    "team": case.team,
                    "priority": case.priority,
                    "booking_id": case.booking_id,
                    "customer_id": case.customer_id,
                    "partner_id": case.partner_id,
                    "city_id": case.city_id,
                    "actor_id": event.actor_id,
                },
                at=event.at,
            )
        ]
    if event.type == EventType.TRANSITION:
        out = [
            pending_event(
                CASE_STATUS_CHANGED,
                ("case", case.pk),
                {
                    "case_id": case.pk,
                    "transition": event.transition,
                    "from_status": event.from_state,
                    "to_status": event.to_state,
                    "reason": event.reason,
                    "actor_id": event.actor_id,
                    "policy_version": version,
                },
                at=event.at,
            )
        ]
        if event.to_state == CaseStatus.RESOLVED:
            out.append(
                pending_event(
                    CASE_RESOLVED,
                    ("case", case.pk),
                    {
                        "case_id": case.pk,
                        "disposition": payload.get("disposition")
                        or (case.disposition.path if case.disposition_id else None),
                        "actor_id": event.actor_id,
                        "policy_version": version,
                    },
                    at=event.at,
                )
            )
        return out
    if event.type == EventType.FIELD_CHANGE and payload.get("field") == "assignee":
        return [
            pending_event(
                CASE_ASSIGNED,
                ("case", case.pk),
                {
                    "case_id": case.pk,
                    "assignee_id": payload.get("to"),
                    "previous_assignee_id": payload.get("from"),
                    "actor_id": event.actor_id,
                },
                at=event.at,
            )
        ]
    if event.type == EventType.ESCALATION:
        return [
            pending_event(
                CASE_ESCALATED,
                ("case", case.pk),
                {
                    "case_id": case.pk,
                    "team": payload.get("team"),
                    "lead_id": payload.get("lead"),
                    "priority": payload.get("priority"),
                    "reason": event.reason,
                    "policy_version": version,
                },
                at=event.at,
            )
        ]
    if event.type == EventType.CLOCK and event.transition in _BREACH_CLOCKS:
        return [
            pending_event(
                CASE_SLA_BREACHED,
                ("case", case.pk),
                {
                    "case_id": case.pk,
                    "clock": _BREACH_CLOCKS[event.transition],
                    "due_at": payload.get("due_at"),
                    "priority_from": payload.get("priority_from"),
                    "priority_to": payload.get("priority_to"),
                    "policy_version": version,
                },
                at=event.at,
            )
        ]
    if event.type == EventType.CLOCK and event.transition == "task_overdue":
        return [
            pending_event(
                TASK_OVERDUE,
                ("case", case.pk),
                {
                    "task_id": payload.get("task"),
                    "case_id": case.pk,
                    "kind": payload.get("kind"),
                    "due_at": payload.get("due_at"),
                },
                at=event.at,
            )
        ]
    if event.type == EventType.TASK and event.transition == "task_created":
        return [
            pending_event(
                TASK_CREATED,
                ("case", case.pk),
                {
                    "task_id": payload.get("task"),
                    "case_id": case.pk,
                    "kind": payload.get("kind"),
                    "owner_team": payload.get("owner_team"),
                    "due_at": payload.get("due_at"),
                    "policy_version": version,
                },
                at=event.at,
            )
        ]
    return []


__all__ = ["EventShapeError", "outbox_events_for"]


# --- bookings -------------------------------------------------------------------------------

BOOKING_CREATED = declare(
    "booking.created",
    summary="Casework created a booking: a revisit of a job (with revisit_of and whether it "
    "needs an SME partner) or a new visit of an order. Bookings the platform sends us are "
    "not echoed back.",
    subject="booking",
    example={
        "booking_id": 1031,
        "external_id": "BK-1029-R1",
        "customer_id": 311,
        "partner_id": 57,
        "city_id": 3,
        "booking_time": _AT,
        "service_date": "2026-12-14",
        "revisit_of": "BK-1029",
        "is_sme_revisit": False,
    },
)
BOOKING_ALLOCATED = declare(
    "booking.allocated",
    summary="A booking was allocated (or reallocated) to a partner.",
    subject="booking",
    example={
        "booking_id": 1031,
        "external_id": "BK-1029-R1",
        "partner_id": 57,
        "previous_partner_id": None,
        "actor_id": 4,
    },
)
BOOKING_RESCHEDULED = declare(
    "booking.rescheduled",
    summary="A booking was moved to another time (the customer's preferred date or slot).",
    subject="booking",
    example={
        "booking_id": 1031,
        "external_id": "BK-1029-R1",
        "booking_time": _AT,
        "service_date": "2026-12-14",
        "previous_booking_time": "2026-12-12T09:00:00+00:00",
        "previous_service_date": "2026-12-12",
    },
)
BOOKING_CANCELLED = declare(
    "booking.cancelled",
    summary="A booking was cancelled, with the cancellation code and who cancelled.",
    subject="booking",
    example={
        "booking_id": 1031,
        "external_id": "BK-1029-R1",
        "cancellation_code": "issue_resolved",
        "cancelled_by": "agent",
        "actor_id": 4,
    },
)


def booking_created(booking) -> None:
    """booking.created for a booking Casework made (in the caller's transaction)."""
    record_event(
        BOOKING_CREATED,
        ("booking", booking.pk),
        {
            "booking_id": booking.pk,
            "external_id": booking.external_id,
            "customer_id": booking.customer_id,
            "partner_id": booking.partner_id,
            "city_id": booking.city_id,
            "booking_time": booking.booking_time,
            "service_date": booking.service_date,
            "revisit_of": booking.revisit_of.external_id if booking.revisit_of_id else None,
            "is_sme_revisit": booking.is_sme_revisit,
        },
    )


def booking_moved(booking, *, name: str, previous_partner_id, actor_id) -> None:
    """The event of a booking transition receivers act on (allocation, cancellation)."""
    if name in ("allocate", "reallocate"):
        record_event(
            BOOKING_ALLOCATED,
            ("booking", booking.pk),
            {
                "booking_id": booking.pk,
                "external_id": booking.external_id,
                "partner_id": booking.partner_id,
                "previous_partner_id": previous_partner_id,
                "actor_id": actor_id,
            },
        )
    elif name == "cancel":
        record_event(
            BOOKING_CANCELLED,
            ("booking", booking.pk),
            {
                "booking_id": booking.pk,
                "external_id": booking.external_id,
                "cancellation_code": booking.cancellation_code,
                "cancelled_by": booking.cancelled_by,
                "actor_id": actor_id,
            },
        )


def booking_rescheduled(booking, *, previous: tuple) -> None:
    """booking.rescheduled: `booking` holds the new time, `previous` the (time, date) before."""
    record_event(
        BOOKING_RESCHEDULED,
        ("booking", booking.pk),
        {
            "booking_id": booking.pk,
            "external_id": booking.external_id,
            "booking_time": booking.booking_time,
            "service_date": booking.service_date,
            "previous_booking_time": previous[0],
            "previous_service_date": previous[1],
        },
    )
