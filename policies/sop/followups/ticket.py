"""Pending customer action SOP: the follow-up ticket's vocabulary (flows, reasons, call
outcomes, statuses and stages), the ticket views the SOP lists, the call scripts, and the
follow-up dispositions. The decisions are in the package's __init__."""

from __future__ import annotations

from dataclasses import dataclass

from ...actions import ActionKind
from ...decision import Action, require_choice
from ...parameters import Policy

SOP = "Pending customer action SOP"

# The two flows of the SOP.
FLOW_FIRST_VISIT = "first_visit"  # the first visit was cancelled
FLOW_SECOND_APPOINTMENT = "second_appointment"  # inspection done, work incomplete, or painting
FLOWS: tuple[str, ...] = (FLOW_FIRST_VISIT, FLOW_SECOND_APPOINTMENT)

# Why a second (or later) appointment is needed.
SECOND_APPOINTMENT_REASONS: tuple[str, ...] = (
    "inspection_results",
    "incomplete_service",
    "painting",
)

# What a follow-up call ended with.
NO_ANSWER = "no_answer"
NEW_APPOINTMENT = "new_appointment"
DECLINED_WITH_ISSUE = "declined_with_issue"  # does not want the service and names a problem
DECLINED = "declined"  # does not want the service, no issue, no further follow-up wanted
WANTS_FOLLOWUP = "wants_followup"  # not now, but asks to be followed up
CALL_OUTCOMES: tuple[str, ...] = (
    NO_ANSWER,
    NEW_APPOINTMENT,
    DECLINED_WITH_ISSUE,
    DECLINED,
    WANTS_FOLLOWUP,
)

# Ticket statuses as the ticket system spells them.
STATUS_OPEN = "open"
STATUS_PENDING = "pending"
STATUS_WAITING_ON_CUSTOMER = "waiting on customer"
STATUS_WAITING_ON_THIRD_PARTY = "waiting on third party"
STATUS_RESOLVED = "resolved"

# The ticket view stages the SOP shows, plus the second-appointment hand-over to EO.
STAGE_CREATED = "created"  # "when CS cancel first visit"
STAGE_FIRST_ACTION = "first_action"  # "when CC put first action"
STAGE_NOT_REACHED = "not_reached"  # "when CC not reaches to CST again"
STAGE_RESOLVED = "resolved"  # "when CC take an action - create new visit to CST"
STAGE_ASSIGNED_TO_EO = "assigned_to_eo"  # second appointment set: "assign order to EO ... pending"
STAGES: tuple[str, ...] = (
    STAGE_CREATED,
    STAGE_FIRST_ACTION,
    STAGE_NOT_REACHED,
    STAGE_RESOLVED,
    STAGE_ASSIGNED_TO_EO,
)

CATEGORY = "follow up"
SUB_CATEGORY = "customer care"
TICKET_TYPE = "follow up"
TEAM_CUSTOMER_CARE = "customer care"
TEAM_ENGINEERING_OPERATIONS = "engineering operations"

# (status, priority, team) per stage, exactly as the SOP's views list them. The EO hand-over
# has no view in the SOP: status pending as the SOP says, priority medium like the other
# views after the customer has been reached.
_VIEWS: dict[str, tuple[str, str, str]] = {
    STAGE_CREATED: (STATUS_OPEN, "low", TEAM_CUSTOMER_CARE),
    STAGE_FIRST_ACTION: (STATUS_PENDING, "low", TEAM_CUSTOMER_CARE),
    STAGE_NOT_REACHED: (STATUS_WAITING_ON_CUSTOMER, "medium", TEAM_CUSTOMER_CARE),
    STAGE_RESOLVED: (STATUS_RESOLVED, "medium", TEAM_CUSTOMER_CARE),
    STAGE_ASSIGNED_TO_EO: (STATUS_PENDING, "medium", TEAM_ENGINEERING_OPERATIONS),
}


@dataclass(frozen=True)
class TicketView:
    """How a follow-up ticket must look at a stage (the SOP's "view of ticket")."""

    category: str
    sub_category: str
    type: str
    status: str
    area: str | None  # None: keep the ticket's own area
    priority: str
    team: str

    def as_action(self) -> Action:
        fields: dict[str, object] = {
            "category": self.category,
            "sub_category": self.sub_category,
            "type": self.type,
            "status": self.status,
            "priority": self.priority,
            "team": self.team,
        }
        if self.area is not None:
            fields["area"] = self.area
        return Action.of(ActionKind.SET_TICKET_VIEW, **fields)


def ticket_view(
    stage: str, area: str | None, policy: Policy, *, team: str | None = None
) -> TicketView:
    """The SOP's ticket view at a stage; `area` must be one of the policy's areas (any case)."""
    require_choice(stage, "stage", STAGES)
    canonical_area = None
    if area is not None:
        matches = [
            name
            for name in policy.params.followup_areas
            if name.casefold() == area.strip().casefold()
        ]
        if not matches:
            raise ValueError(f"area must be one of {policy.params.followup_areas}, got {area!r}")
        canonical_area = matches[0]
    status, priority, default_team = _VIEWS[stage]
    return TicketView(
        category=CATEGORY,
        sub_category=SUB_CATEGORY,
        type=TICKET_TYPE,
        status=status,
        area=canonical_area,
        priority=priority,
        team=team or default_team,
    )


# The SOP's call scripts, as checklists the console shows during a follow-up call.
FIRST_VISIT_CALL_SCRIPT: tuple[str, ...] = (
    "Greeting: welcome the customer, mention your name and the company name",
    "Recap all order details: service, price, other info if any",
    "Set a new appointment: at a time convenient for the customer, during working hours, "
    "with an available technician",
    "Closing: thank the customer for their time",
)
SECOND_APPOINTMENT_CALL_SCRIPT: tuple[str, ...] = (
    "Greeting: welcome the customer, mention your name and the company name",
    "Recap all order details: service, price, material, days of work, material fees and the "
    "material quotation (a statement of the order's materials, not a tax invoice)",
    "Set a new appointment: with an available technician; for more than one day of work, "
    "close the technician's days by mail to operations; write every agreement on the ticket "
    "and assign it to the right group",
    "Closing: thank the customer for their time",
)


def call_script(flow: str) -> tuple[str, ...]:
    """The checklist for a follow-up call in a flow."""
    require_choice(flow, "flow", FLOWS)
    return FIRST_VISIT_CALL_SCRIPT if flow == FLOW_FIRST_VISIT else SECOND_APPOINTMENT_CALL_SCRIPT


# The follow-up dispositions, named after the SOP step they record (the SOP gives the ticket
# view, not a tag path). For outcomes whose decision carries no tag of its own.
TAG_PREFIX = "Follow up >> Customer care >> "
OUTCOME_TAGS: dict[str, str] = {
    "waiting_on_customer": TAG_PREFIX + "No answer twice",
    "new_visit_resolved": TAG_PREFIX + "New appointment set",
    "assigned_to_eo": TAG_PREFIX + "Assigned to engineering operations",
    "complaint_and_resolved": TAG_PREFIX + "Complaint ticket created",
    "resolved_customer_declined": TAG_PREFIX + "Customer does not want the service",
    "cancel_and_recreate_visit": TAG_PREFIX + "New appointment set",
    "closed_waiting_on_customer": TAG_PREFIX + "No answer twice",
}


# Why a first visit was cancelled: the SOP's case one (the customer asked to cancel and be
# followed up) and case two (the technician did not find the customer at home).
FIRST_VISIT_CUSTOMER_CANCELLED = "customer_asked_to_reschedule"
FIRST_VISIT_CUSTOMER_NOT_FOUND = "customer_not_found"
FIRST_VISIT_REASONS = (FIRST_VISIT_CUSTOMER_CANCELLED, FIRST_VISIT_CUSTOMER_NOT_FOUND)
# The deadlines policy 14 checks on other teams.
DEADLINES = ("first_call", "close_ticket", "costing", "operations_handover", "material_booking")
