"""Customers, bookings, the disposition taxonomy, cases and their append-only audit trail."""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, TransitionNotAllowed, transition

from partners.models import City, Currency, LineOfBusiness, Partner

from . import roles
from .catalog import CaseKind, Team


class Customer(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=128)
    phone = models.CharField(max_length=32, db_index=True)
    email = models.EmailField(blank=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="customers")
    fraud_score = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0 = no risk, 1 = certain fraud; gates wrong-job refunds.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fraud_score__gte=0, fraud_score__lte=1),
                name="customer_fraud_score_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class PaymentMode(models.TextChoices):
    ONLINE = "online", "Online / prepaid"
    CASH = "cash", "Cash"


class BookingStatus(models.TextChoices):
    CREATED = "created", "Created"
    ALLOCATED = "allocated", "Allocated"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class CancellationCode(models.TextChoices):
    PLACED_REVISIT_BY_MISTAKE = "placed_revisit_by_mistake", "Placed revisit by mistake"
    ISSUE_RESOLVED = "issue_resolved", "Issue resolved"
    INCORRECT_SERVICE_BOOKED = "incorrect_service_booked", "Incorrect service booked"
    PRO_CANNOT_DELIVER = "pro_cannot_deliver", "Pro cannot deliver"
    CANT_DELIVER = "cant_deliver", "Can't deliver"
    CUSTOMER_VOC = "customer_voc", "Customer VOC"
    NO_SHOW = "no_show", "Pro no show"
    NO_RESPONSE = "no_response", "Customer no response"


class CancelledBy(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Partner"
    AGENT = "agent", "Back office"
    SYSTEM = "system", "System"


class Booking(ConcurrentTransitionMixin, models.Model):
    """One service order as the booking platform knows it."""

    external_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="bookings")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="bookings")
    lob = models.CharField("line of business", max_length=32, choices=LineOfBusiness.choices)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    cart_value = models.DecimalField(max_digits=12, decimal_places=2)
    invoice_amount = models.DecimalField(max_digits=12, decimal_places=2)
    payment_mode = models.CharField(max_length=8, choices=PaymentMode.choices)
    booking_time = models.DateTimeField(help_text="BT: when the service is booked to start")
    service_date = models.DateField()
    spd = models.DateField("service promise date", null=True, blank=True)
    address = models.CharField(max_length=255, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_commercial = models.BooleanField("commercial location", default=False)
    revisit_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisits"
    )
    is_sme_revisit = models.BooleanField(default=False)
    status = FSMField(default=BookingStatus.CREATED, choices=BookingStatus.choices, protected=True)
    cancellation_code = models.CharField(
        max_length=32, choices=CancellationCode.choices, blank=True
    )
    cancelled_by = models.CharField(max_length=16, choices=CancelledBy.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-booking_time"]
        indexes = [
            models.Index(fields=["partner", "service_date"]),
            models.Index(fields=["customer", "-booking_time"]),
            models.Index(fields=["status", "city"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cart_value__gte=0, invoice_amount__gte=0),
                name="booking_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancellation_code=""),
                name="booking_cancelled_has_code",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def is_revisit(self) -> bool:
        return self.revisit_of_id is not None

    @transition(field=status, source=BookingStatus.CREATED, target=BookingStatus.ALLOCATED)
    def allocate(self, partner: Partner) -> None:
        self.partner = partner

    @transition(field=status, source=BookingStatus.ALLOCATED, target=BookingStatus.STARTED)
    def start(self) -> None:
        pass

    @transition(field=status, source=BookingStatus.STARTED, target=BookingStatus.COMPLETED)
    def complete(self) -> None:
        pass

    @transition(
        field=status,
        source=[BookingStatus.CREATED, BookingStatus.ALLOCATED, BookingStatus.STARTED],
        target=BookingStatus.CANCELLED,
    )
    def cancel(self, code: str, cancelled_by: str) -> None:
        self.cancellation_code = code
        self.cancelled_by = cancelled_by


@pgtrigger.register(
    pgtrigger.Protect(
        name="booking_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    )
)
class BookingEvent(models.Model):
    """Append-only record of each booking transition: who moved it, when, from and to."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    transition = models.CharField(max_length=16)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["booking", "at"])]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.transition} {self.from_state}->{self.to_state}"


class BookingLine(models.Model):
    """A priced service item (SKU) on a booking."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=64)
    description = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.sku} x{self.quantity}"


class DispositionTag(models.Model):
    """A node of the tag tree; selectable leaves list the case kinds they may resolve."""

    path = models.CharField(max_length=255, unique=True)
    label = models.CharField(max_length=160)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    kinds = ArrayField(models.CharField(max_length=48), default=list, blank=True)
    is_selectable = models.BooleanField(default=False)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path

    def applies_to(self, kind: str) -> bool:
        return self.is_selectable and kind in self.kinds


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


def _works_cases(case: Case, user) -> bool:
    return roles.has_role(user, roles.AGENT, roles.PARTNER_SUPPORT, roles.SUPERVISOR)


def _supervises(case: Case, user) -> bool:
    return roles.has_role(user, roles.SUPERVISOR)


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
    due_at = models.DateTimeField(null=True, blank=True)
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
    def is_overdue(self) -> bool:
        return (
            self.due_at is not None and self.status in OPEN_STATES and self.due_at < timezone.now()
        )

    # Transitions. Each is a verb; conditions are the SOP's preconditions, permission the role.
    # The service layer (cases.services.transition_case) locks the row, calls one of these,
    # saves and writes the audit event in one transaction.

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


class EventType(models.TextChoices):
    CREATED = "created", "Created"
    TRANSITION = "transition", "Transition"
    NOTE = "note", "Note"
    CALL_ATTEMPT = "call_attempt", "Call attempt"
    FIELD_CHANGE = "field_change", "Field change"
    DECISION = "decision", "Policy decision"


@pgtrigger.register(
    pgtrigger.Protect(name="case_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
)
class CaseEvent(models.Model):
    """Append-only audit of everything that happens to a case; the database refuses edits."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=16, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    transition = models.CharField(max_length=48, blank=True)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    policy_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.transition or ''}".strip()
