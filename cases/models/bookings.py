"""Bookings (orders) with their life cycle, append-only booking events and SKU lines."""

from __future__ import annotations

from datetime import date, datetime

import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from partners.models import City, Currency, LineOfBusiness, Partner

from .customers import Customer


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


# What the booking platform pushes about a booking (the upsert's fields, in model order);
# status, cancellation_code and cancelled_by move only through the booking's transitions.
PLATFORM_FIELDS = (
    "customer",
    "partner",
    "city",
    "lob",
    "currency",
    "cart_value",
    "invoice_amount",
    "payment_mode",
    "booking_time",
    "service_date",
    "spd",
    "address",
    "latitude",
    "longitude",
    "is_commercial",
    "revisit_of",
    "is_sme_revisit",
)


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
    spd_breached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the system found the promise date passed."
    )
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
            # Console search by part of a booking id (pg_trgm).
            GinIndex(
                fields=["external_id"], opclasses=["gin_trgm_ops"], name="booking_external_id_trgm"
            ),
            models.Index(fields=["partner", "service_date"]),
            models.Index(fields=["customer", "-booking_time"]),
            models.Index(fields=["status", "city"]),
            # The SPD sweep: live bookings with a promise date not yet found breached.
            models.Index(
                fields=["spd"],
                name="booking_spd_watch",
                condition=models.Q(
                    spd__isnull=False,
                    spd_breached_at__isnull=True,
                    status__in=["created", "allocated", "started"],
                ),
            ),
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

    @transition(field=status, source=BookingStatus.ALLOCATED, target=BookingStatus.ALLOCATED)
    def reallocate(self, partner: Partner) -> None:
        """Give an allocated job to another partner (a preferred or a different one)."""
        self.partner = partner

    @transition(field=status, source=[BookingStatus.CREATED, BookingStatus.ALLOCATED], target=None)
    def reschedule(self, booking_time: datetime, service_date: date) -> None:
        """Another time for a job not yet started; its state and its partner stay."""
        self.booking_time = booking_time
        self.service_date = service_date

    @transition(field=status, source=BookingStatus.ALLOCATED, target=BookingStatus.STARTED)
    def start(self) -> None:
        pass

    @transition(field=status, source=BookingStatus.STARTED, target=BookingStatus.COMPLETED)
    def complete(self) -> None:
        pass

    @transition(
        field=status,
        source=[BookingStatus.CREATED, BookingStatus.ALLOCATED, BookingStatus.STARTED],
        target=BookingStatus.COMPLETED,
    )
    def convert_to_complete(self) -> None:
        """The order system's "convert order from reschedule to complete" (follow-up SOP)."""

    @transition(
        field=status,
        source=BookingStatus.COMPLETED,
        target=RETURN_VALUE(BookingStatus.ALLOCATED, BookingStatus.CREATED),
    )
    def convert_to_reschedule(self) -> str:
        """ "Convert order from complete to reschedule" (special case A): back to its partner,
        or to allocation when it has none."""
        return BookingStatus.ALLOCATED if self.partner_id else BookingStatus.CREATED

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
    transition = models.CharField(max_length=32)
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
