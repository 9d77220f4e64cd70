"""The cases app's data: customers, bookings, the disposition tree, cases and their audit trail."""

from .bookings import (
    PLATFORM_FIELDS,
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    PaymentMode,
)
from .cases import (
    OPEN_STATES,
    SLA_BREACHED,
    WORKING_STATES,
    Case,
    CaseStatus,
    Channel,
    Priority,
    Reporter,
)
from .clocks import CaseClock, CaseClockState, ClockFiring
from .customers import Customer
from .dispositions import DispositionTag
from .events import CaseEvent, EventType, GateRefusal
from .notifications import Notification
from .tasks import Task, TaskState
from .teams import TeamLead

__all__ = [
    "PLATFORM_FIELDS",
    "OPEN_STATES",
    "SLA_BREACHED",
    "WORKING_STATES",
    "Booking",
    "BookingEvent",
    "BookingLine",
    "BookingStatus",
    "CancellationCode",
    "CancelledBy",
    "Case",
    "CaseClock",
    "CaseClockState",
    "CaseEvent",
    "ClockFiring",
    "CaseStatus",
    "Channel",
    "Customer",
    "DispositionTag",
    "EventType",
    "GateRefusal",
    "PaymentMode",
    "Priority",
    "Reporter",
    "Notification",
    "Task",
    "TaskState",
    "TeamLead",
]
