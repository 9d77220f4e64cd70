"""Cases: one unit of back-office work, and the state machine of its status."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, TransitionNotAllowed, transition

from core import roles
from partners.models import City, Partner

from ..catalog import CaseKind, Team
from .bookings import Booking
from .customers import Customer
from .dispositions import DispositionTag


class Channel(models.TextChoices):
    INBOUND_CALL = "inbound_call", "Inbound call"
    CHAT = "chat", "Chat"
    EMAIL = "email", "E-mail"
    PARTNER_APP = "partner_app", "Partner app"
    SYSTEM = "system", "System"


class Reporter(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Partner"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class CaseStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    PARKED = "parked", "Parked"
    WAITING_ON_CUSTOMER = "waiting_on_customer", "Waiting on customer"
    WAITING_ON_THIRD_PARTY = "waiting_on_third_party", "Waiting on third party"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


S = CaseStatus
WORKING_STATES = [S.OPEN, S.PENDING, S.PARKED, S.WAITING_ON_CUSTOMER, S.WAITING_ON_THIRD_PARTY]
OPEN_STATES = [S.NEW, *WORKING_STATES]


def promise_passed(due_at: datetime | None, status: str) -> bool:
    """The time promised to the customer passed while the case is open (Case.is_overdue,
    and the queue's rows read without a model)."""
    return due_at is not None and status in OPEN_STATES and due_at < timezone.now()


# A clock breached (first response or resolution): with OPEN_STATES, the queue's "breached"
# (the index case_sla_breached, the API and console filters, the home page count).
SLA_BREACHED = models.Q(first_response_breached_at__isnull=False) | models.Q(
    resolution_breached_at__isnull=False
)


def _works_cases(case: Case, user) -> bool:
    return roles.has_role(user, roles.CASE_WORKERS)


def _supervises(case: Case, user) -> bool:
    return roles.has_role(user, roles.CASE_REOPENERS)


def _has_applicable_tag(case: Case) -> bool:
    return case.disposition is not None and case.disposition.applies_to(case.kind)


def _park_time_in_future(case: Case) -> bool:
    return case.parked_until is not None and case.parked_until > timezone.now()


class Case(ConcurrentTransitionMixin, models.Model):
    """A unit of back-office work: one customer or partner contact and what follows it."""

    kind = models.CharField(max_length=48, choices=CaseKind.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    reporter = models.CharField(max_length=16, choices=Reporter.choices)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="cases")
    team = models.CharField(max_length=32, choices=Team.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.LOW)
    status = FSMField(default=S.NEW, choices=S.choices, protected=True)
    disposition = models.ForeignKey(
        DispositionTag, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    parked_until = models.DateTimeField(null=True, blank=True)
    # Not a deadline of the SLA (those are the clocks below, kept by the system): a time an
    # agent promised the customer, e.g. "we call you back by 5 pm", shown beside the clocks.
    due_at = models.DateTimeField(
        "promised to the customer by",
        null=True,
        blank=True,
        help_text="Optional: a time you promised the customer (a call back, an answer). "
        "The SLA clocks are kept by the system and shown above.",
    )
    # SLA clocks, kept on the row (cases.services.sla): nothing is replayed from history.
    # (db defaults too: bulk loads that write SQL directly leave a case without clocks)
    sla_version = models.CharField(
        max_length=64, blank=True, default="", db_default="", help_text="Policy version."
    )
    calendar_version = models.CharField(max_length=32, blank=True, default="", db_default="")
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    next_deadline_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The earliest pending warning or breach; empty while paused.",
    )
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0, db_default=0)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    related_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_on_cases",
        help_text="The case this one was opened from (a complaint ticket, an escalation).",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_cases",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        permissions = [("reopen_case", "Can reopen a resolved or closed case")]
        indexes = [
            # Queue filters: each pairs a filter with the id ordering the cursor pages by.
            models.Index(fields=["status", "city", "-id"], name="case_status_city_id"),
            models.Index(fields=["status", "-id"], name="case_status_id"),
            models.Index(fields=["team", "status", "-id"], name="case_team_status_id"),
            models.Index(fields=["assignee", "status", "-id"], name="case_assignee_status_id"),
            models.Index(fields=["kind", "status", "-id"], name="case_kind_status_id"),
            models.Index(fields=["priority", "status", "-id"], name="case_priority_status_id"),
            models.Index(fields=["partner", "-id"], name="case_partner_id"),
            models.Index(fields=["booking", "-id"], name="case_booking_id"),
            models.Index(fields=["customer", "-id"], name="case_customer_id"),
            models.Index(fields=["created_at"], name="case_created_at"),
            models.Index(
                fields=["due_at"],
                name="case_open_due_at",
                condition=models.Q(status__in=OPEN_STATES),
            ),
            models.Index(
                fields=["parked_until"],
                name="case_parked_until",
                condition=models.Q(status="parked"),
            ),
            # The queue filters on the clocks: breached and still open, paused.
            models.Index(
                fields=["-id"],
                name="case_sla_breached",
                condition=models.Q(status__in=OPEN_STATES) & SLA_BREACHED,
            ),
            models.Index(
                fields=["-id"],
                name="case_sla_paused",
                condition=models.Q(paused_since__isnull=False),
            ),
            # "What is due": an index range scan whatever the backlog.
            # The console queue: open work by next deadline (nulls, i.e. paused, last).
            models.Index(
                fields=["next_deadline_at", "id"],
                name="case_open_by_deadline",
                condition=models.Q(status__in=OPEN_STATES),
            ),
            # SLA compliance by day (home page, dashboard).
            models.Index(
                fields=["resolved_at"],
                name="case_resolved_at",
                condition=models.Q(resolved_at__isnull=False),
            ),
            models.Index(
                fields=["next_deadline_at"],
                name="case_next_deadline",
                condition=models.Q(next_deadline_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="parked") | models.Q(parked_until__isnull=False),
                name="case_parked_has_until",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["resolved", "closed"])
                | models.Q(disposition__isnull=False),
                name="case_resolved_has_disposition",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def sla_breached(self) -> bool:
        return bool(self.first_response_breached_at or self.resolution_breached_at)

    @property
    def is_overdue(self) -> bool:
        return promise_passed(self.due_at, self.status)

    # The order of the case page's transition buttons: every transition, once (a test checks).
    BUTTON_ORDER = (
        "open",
        "mark_pending",
        "park",
        "unpark",
        "wait_on_customer",
        "wait_on_third_party",
        "resume",
        "resolve",
        "close",
        "reopen",
    )

    # Transitions. Each is a verb; conditions are the SOP's preconditions, permission the role.
    # The one transition path (cases.services.transitions.transition_case) locks the row,
    # calls one of these, saves the changed fields and appends the audit event, atomically.

    @transition(
        field=status, source=S.NEW, target=S.OPEN, permission=_works_cases, custom={"label": "Open"}
    )
    def open(self) -> None:
        pass

    @transition(
        field=status,
        source=[S.OPEN, S.PARKED, S.WAITING_ON_THIRD_PARTY],
        target=S.PENDING,
        permission=_works_cases,
        custom={"label": "Mark pending"},
    )
    def mark_pending(self) -> None:
        self.parked_until = None

    @transition(
        field=status,
        source=[S.NEW, S.OPEN, S.PENDING],
        target=S.PARKED,
        permission=_works_cases,
        custom={"label": "Park", "needs": ["parked_until"]},
    )
    def park(self) -> None:
        """Put the case on hold; the caller sets parked_until first."""
        # Checked here rather than as an FSM condition so the console can offer the button
        # before the agent has typed the time; an exception leaves the state unchanged.
        if not _park_time_in_future(self):
            raise TransitionNotAllowed("A parked case needs a park time in the future.")

    @transition(
        field=status,
        source=S.PARKED,
        target=S.OPEN,
        permission=_works_cases,
        custom={"label": "Unpark"},
    )
    def unpark(self) -> None:
        self.parked_until = None

    @transition(
        field=status,
        source=[S.OPEN, S.PENDING, S.PARKED],
        target=S.WAITING_ON_CUSTOMER,
        permission=_works_cases,
        custom={"label": "Wait on customer"},
    )
    def wait_on_customer(self) -> None:
        self.parked_until = None

    @transition(
        field=status,
        source=[S.OPEN, S.PENDING, S.PARKED],
        target=S.WAITING_ON_THIRD_PARTY,
        permission=_works_cases,
        custom={"label": "Wait on third party"},
    )
    def wait_on_third_party(self) -> None:
        self.parked_until = None

    @transition(
        field=status,
        source=[S.PENDING, S.WAITING_ON_CUSTOMER, S.WAITING_ON_THIRD_PARTY],
        target=S.OPEN,
        permission=_works_cases,
        custom={"label": "Resume"},
    )
    def resume(self) -> None:
        pass

    @transition(
        field=status,
        source=WORKING_STATES,
        target=S.RESOLVED,
        permission=_works_cases,
        custom={"label": "Resolve", "needs": ["disposition"]},
    )
    def resolve(self) -> None:
        """Resolve with a tag that applies to this kind; the caller sets disposition first."""
        if not _has_applicable_tag(self):
            raise TransitionNotAllowed("Resolving needs a tag that applies to the case kind.")
        self.parked_until = None
        self.resolved_at = timezone.now()

    @transition(
        field=status,
        source=S.RESOLVED,
        target=S.CLOSED,
        permission=_works_cases,
        custom={"label": "Close"},
    )
    def close(self) -> None:
        self.closed_at = timezone.now()

    @transition(
        field=status,
        source=[S.RESOLVED, S.CLOSED],
        target=S.OPEN,
        permission=_supervises,
        custom={"label": "Reopen"},
    )
    def reopen(self) -> None:
        self.resolved_at = None
        self.closed_at = None
        self.disposition = None
