"""Writes on cases and bookings. Each is atomic, locks the rows it changes and is audited;
every status change of a case goes through `transitions.transition_case`."""

from .audit import append_event
from .bookings import (
    check_allocation,
    create_visit_booking,
    new_revisit_booking,
    reschedule_booking,
    transition_booking,
    upsert_booking,
    upsert_customer,
)
from .case_clocks import start_clock
from .cases import EDITABLE_FIELDS, add_note, create_case, update_case
from .escalation import escalate_case, higher_priority
from .links import require_case_of_booking
from .notifications import mark_read, notify
from .sla import mark_first_response
from .sla_sweep import sweep_sla
from .task_sweep import sweep_tasks
from .tasks import TaskSpec, close_task, create_tasks, may_close, reassign_task
from .transitions import (
    TRANSITION_FIELDS,
    lock_case,
    transition_case,
    transition_names,
    transition_sources,
)
from .unpark_sweep import sweep_unpark, unpark_due_cases

__all__ = [
    "EDITABLE_FIELDS",
    "TRANSITION_FIELDS",
    "TaskSpec",
    "add_note",
    "close_task",
    "create_tasks",
    "escalate_case",
    "higher_priority",
    "mark_read",
    "mark_first_response",
    "notify",
    "may_close",
    "reassign_task",
    "require_case_of_booking",
    "append_event",
    "create_case",
    "lock_case",
    "transition_booking",
    "transition_case",
    "transition_names",
    "transition_sources",
    "unpark_due_cases",
    "sweep_sla",
    "sweep_unpark",
    "start_clock",
    "sweep_tasks",
    "update_case",
    "upsert_booking",
    "upsert_customer",
    "new_revisit_booking",
    "reschedule_booking",
    "check_allocation",
    "create_visit_booking",
]
