"""API shapes: input serializers validate a request, output serializers render rows.

Inputs never save: the views hand their validated data to a service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import limits
from core.api.fields import IdOrKeyField, MomentField, PlainDecimalField, enum_field
from partners.api.fields import city_field
from partners.models import Currency, LineOfBusiness, Partner

from ..catalog import CaseKind, Team
from ..models import (
    PLATFORM_FIELDS,
    Booking,
    BookingLine,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    Customer,
    DispositionTag,
    Notification,
    PaymentMode,
    Priority,
    Reporter,
)
from ..models.cases import promise_passed
from ..selectors import CASE_LIST_COLUMNS as QUEUE_ROW
from ..selectors import available_transitions

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


def external_id_field(model, **kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="external_id", queryset=model._default_manager.all(), **kwargs
    )


# Customers


class CustomerSerializer(serializers.ModelSerializer):
    city_name = serializers.CharField(source="city.name", read_only=True)
    # Not format: email: a customer without an address has the empty string.
    email = serializers.CharField(read_only=True, help_text="An e-mail address, or empty.")

    class Meta:
        model = Customer
        fields = [
            "id",
            "external_id",
            "name",
            "phone",
            "email",
            "city",
            "city_name",
            "fraud_score",
            "created_at",
        ]
        read_only_fields = fields


class CustomerUpsertSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=128)
    phone = serializers.CharField(max_length=32)
    email = serializers.EmailField(required=False, allow_blank=True)
    city = city_field()
    fraud_score = PlainDecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        required=False,
    )


# Bookings


class BookingLineSerializer(serializers.ModelSerializer):
    quantity = serializers.IntegerField(min_value=1, default=1)
    unit_price = PlainDecimalField(**MONEY)

    class Meta:
        model = BookingLine
        fields = ["sku", "description", "quantity", "unit_price"]


class BookingSerializer(serializers.ModelSerializer):
    customer_external_id = serializers.CharField(source="customer.external_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    partner_external_id = serializers.CharField(
        source="partner.external_id", read_only=True, allow_null=True
    )
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True)
    city_name = serializers.CharField(source="city.name", read_only=True)
    revisit_of_external_id = serializers.CharField(
        source="revisit_of.external_id", read_only=True, allow_null=True
    )
    lines = BookingLineSerializer(many=True, read_only=True)
    status = enum_field(BookingStatus, read_only=True)
    lob = enum_field(LineOfBusiness, read_only=True)
    cancellation_code = enum_field(
        CancellationCode, read_only=True, allow_null=True, help_text="Set once cancelled."
    )
    cancelled_by = enum_field(
        CancelledBy, read_only=True, allow_null=True, help_text="Set once cancelled."
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "external_id",
            "status",
            *PLATFORM_FIELDS,
            "customer_external_id",
            "customer_name",
            "partner_external_id",
            "partner_name",
            "city_name",
            "revisit_of_external_id",
            "cancellation_code",
            "cancelled_by",
            "lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PartnerCandidateSerializer(serializers.ModelSerializer):
    """A partner who could take a booking."""

    class Meta:
        model = Partner
        fields = ["id", "external_id", "name", "hub", "is_sme", "rating"]
        read_only_fields = fields


class BookingUpsertSerializer(serializers.Serializer):
    """The platform's booking; status is not accepted here (use the transitions)."""

    external_id = serializers.CharField(max_length=64)
    customer_external_id = external_id_field(Customer, source="customer")
    partner_external_id = external_id_field(
        Partner, source="partner", required=False, allow_null=True
    )
    city = city_field(required=False)
    lob = enum_field(LineOfBusiness)
    currency = serializers.ChoiceField(
        choices=Currency.choices, required=False, help_text="Defaults to the city's currency."
    )
    cart_value = PlainDecimalField(**MONEY)
    invoice_amount = PlainDecimalField(**MONEY)
    payment_mode = serializers.ChoiceField(choices=PaymentMode.choices)
    booking_time = MomentField()
    service_date = serializers.DateField()
    spd = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    latitude = PlainDecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = PlainDecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    is_commercial = serializers.BooleanField(required=False)
    revisit_of_external_id = external_id_field(
        Booking, source="revisit_of", required=False, allow_null=True
    )
    is_sme_revisit = serializers.BooleanField(required=False)
    lines = BookingLineSerializer(
        many=True, required=False, help_text="When given, replaces the booking's lines."
    )


class BookingTransitionSerializer(serializers.Serializer):
    partner_external_id = external_id_field(
        Partner, source="partner", required=False, help_text="allocate: the partner."
    )
    code = enum_field(CancellationCode, required=False, help_text="cancel: why.")
    cancelled_by = enum_field(CancelledBy, required=False, help_text="cancel: who.")


# Dispositions


class DispositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DispositionTag
        fields = ["id", "path", "label", "kinds"]
        read_only_fields = fields


# Cases


_DATETIME = serializers.DateTimeField()


class SlaSerializer(serializers.Serializer):
    """The case's SLA clocks as kept on its row (policies.sla): due times, the next deadline
    (empty while paused or stopped), the pause and the time spent paused, warning and
    breaches, and the policy and calendar versions they were computed under."""

    sla_version = serializers.CharField()
    calendar_version = serializers.CharField()
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    first_responded_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    warn_at = serializers.DateTimeField(allow_null=True)
    next_deadline_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    paused_since = serializers.DateTimeField(allow_null=True)
    paused_seconds = serializers.IntegerField(help_text="Working seconds paused (ended pauses).")
    warned = serializers.BooleanField()
    breached = serializers.BooleanField()
    first_response_breached_at = serializers.DateTimeField(allow_null=True)
    resolution_breached_at = serializers.DateTimeField(allow_null=True)


class SlaSummarySerializer(serializers.Serializer):
    """The clocks a queue row shows: the due times, the next deadline, paused, warned and
    breached (the case itself carries every clock field)."""

    first_response_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    next_deadline_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.BooleanField()
    paused_seconds = serializers.IntegerField(help_text="Working seconds paused (ended pauses).")
    warned = serializers.BooleanField()
    breached = serializers.BooleanField()


def sla_summary_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """SlaSummarySerializer's JSON, built directly from a queue row (the hot path)."""
    dt = _DATETIME.to_representation
    first, resolution, deadline = (
        row["first_response_due_at"],
        row["resolution_due_at"],
        row["next_deadline_at"],
    )
    return {
        "first_response_due_at": dt(first) if first else None,
        "resolution_due_at": dt(resolution) if resolution else None,
        "next_deadline_at": dt(deadline) if deadline else None,
        "paused": row["paused_since"] is not None,
        "paused_seconds": row["paused_seconds"],
        "warned": row["sla_warned_at"] is not None,
        "breached": row["first_response_breached_at"] is not None
        or row["resolution_breached_at"] is not None,
    }


def sla_of(case: Case) -> dict[str, Any]:
    """SlaSerializer's JSON."""
    dt = _DATETIME.to_representation

    def moment(value):
        return dt(value) if value else None

    return {
        "sla_version": case.sla_version,
        "calendar_version": case.calendar_version,
        "first_response_due_at": moment(case.first_response_due_at),
        "first_responded_at": moment(case.first_responded_at),
        "resolution_due_at": moment(case.resolution_due_at),
        "warn_at": moment(case.warn_at),
        "next_deadline_at": moment(case.next_deadline_at),
        "paused": case.paused_since is not None,
        "paused_since": moment(case.paused_since),
        "paused_seconds": case.paused_seconds,
        "warned": case.sla_warned_at is not None,
        "breached": case.sla_breached,
        "first_response_breached_at": moment(case.first_response_breached_at),
        "resolution_breached_at": moment(case.resolution_breached_at),
    }


def _moment_or_none(value: datetime | None) -> str | None:
    return _DATETIME.to_representation(value) if value else None


# The case list's one field list: each column's name and how it reads from a queue row
# (selectors.CASE_LIST_COLUMNS: the case's columns and the four names, read with values()).
# Meta.fields is made from it; a case instance is read through the same row (row_of).
CASE_LIST_COLUMNS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "id": itemgetter("id"),
    "kind": itemgetter("kind"),
    "status": itemgetter("status"),
    "priority": itemgetter("priority"),
    "team": itemgetter("team"),
    "channel": itemgetter("channel"),
    "reporter": itemgetter("reporter"),
    "subject": itemgetter("subject"),
    "city": itemgetter("city_id"),
    "city_name": itemgetter("city__name"),
    "assignee": itemgetter("assignee_id"),
    "assignee_username": itemgetter("assignee__username"),
    "partner": itemgetter("partner_id"),
    "partner_name": itemgetter("partner__name"),
    "booking": itemgetter("booking_id"),
    "booking_external_id": itemgetter("booking__external_id"),
    "customer": itemgetter("customer_id"),
    "due_at": lambda r: _moment_or_none(r["due_at"]),
    "is_overdue": lambda r: promise_passed(r["due_at"], r["status"]),
    "parked_until": lambda r: _moment_or_none(r["parked_until"]),
    "sla": sla_summary_of,
    "created_at": lambda r: _moment_or_none(r["created_at"]),
    "updated_at": lambda r: _moment_or_none(r["updated_at"]),
}


def _follow(case: Case, path: str) -> Any:
    value: Any = case
    for part in path.split("__"):
        value = getattr(value, part)
        if value is None:
            return None
    return value


def row_of(case: Case) -> dict[str, Any]:
    """A case instance as the queue row values() reads."""
    return {path: _follow(case, path) for path in QUEUE_ROW}


def case_list_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON of one queue row (CaseListSerializer's, without the serializer)."""
    return {name: value(row) for name, value in CASE_LIST_COLUMNS.items()}


class CaseListSerializer(serializers.ModelSerializer):
    """Flat: ids plus the few names a queue shows, all from select_related rows."""

    city_name = serializers.CharField(source="city.name", read_only=True)
    assignee_username = serializers.CharField(
        source="assignee.username", read_only=True, allow_null=True
    )
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True)
    booking_external_id = serializers.CharField(
        source="booking.external_id", read_only=True, allow_null=True
    )
    is_overdue = serializers.BooleanField(
        read_only=True,
        help_text="The time promised to the customer (due_at) passed while the case is open; "
        "the SLA's own state is in sla.",
    )
    status = enum_field(CaseStatus, read_only=True)
    sla = serializers.SerializerMethodField()

    @extend_schema_field(SlaSummarySerializer)
    def get_sla(self, case: Case) -> dict[str, Any]:
        return sla_summary_of(row_of(case))

    def to_representation(self, case: Case) -> dict[str, Any]:
        # The same JSON as the declared fields (the schema still comes from them; a test
        # compares both), built from the one column table; the list view reads rows directly.
        return case_list_row(row_of(case))

    def field_by_field(self, case: Case) -> dict[str, Any]:
        """DRF's own rendering of the declared fields, for the test that pins the fast path."""
        return super().to_representation(case)

    class Meta:
        model = Case
        fields = list(CASE_LIST_COLUMNS)
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    actor_username = serializers.CharField(source="actor.username", read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "type",
            "actor",
            "actor_username",
            "at",
            "transition",
            "from_state",
            "to_state",
            "reason",
            "payload",
            "policy_version",
        ]
        read_only_fields = fields


class AvailableTransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    target = serializers.CharField()
    needs = serializers.ListField(child=serializers.CharField())


class CaseDetailSerializer(CaseListSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True, allow_null=True)
    disposition_path = serializers.CharField(
        source="disposition.path", read_only=True, allow_null=True
    )
    created_by_username = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True
    )
    events = CaseEventSerializer(many=True, read_only=True)
    available_transitions = serializers.SerializerMethodField()

    @extend_schema_field(SlaSerializer)
    def get_sla(self, case: Case) -> dict[str, Any]:
        return sla_of(case)

    def to_representation(self, case: Case) -> dict[str, Any]:
        # Field by field: the detail page is not the queue's hot path.
        return self.field_by_field(case)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "description",
            "customer_name",
            "disposition",
            "disposition_path",
            "resolved_at",
            "closed_at",
            "created_by",
            "created_by_username",
            "events",
            "available_transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(AvailableTransitionSerializer(many=True))
    def get_available_transitions(self, case: Case) -> list[dict]:
        request = self.context.get("request")
        user = request.user if request is not None else None
        return AvailableTransitionSerializer(available_transitions(case, user), many=True).data


class CaseCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    reporter = serializers.ChoiceField(choices=Reporter.choices)
    subject = serializers.CharField(max_length=limits.SUBJECT)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.DESCRIPTION
    )
    booking = IdOrKeyField(
        key="external_id",
        queryset=Booking.objects.select_related("customer", "partner", "city"),
        required=False,
        allow_null=True,
        help_text="Booking id or external id; customer, partner and city default to its own.",
    )
    customer = IdOrKeyField(
        key="external_id",
        queryset=Customer.objects.select_related("city"),
        required=False,
        allow_null=True,
        help_text="Customer id or external id.",
    )
    partner = IdOrKeyField(
        key="external_id",
        queryset=Partner.objects.all(),
        required=False,
        allow_null=True,
        help_text="Partner id or external id.",
    )
    city = city_field(required=False, allow_null=True)
    team = serializers.ChoiceField(
        choices=Team.choices, required=False, help_text="Defaults to the kind's team."
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.LOW)
    due_at = MomentField(
        required=False,
        allow_null=True,
        help_text="A time promised to the customer (optional); not an SLA deadline: those are "
        "first_response_due_at and resolution_due_at, kept by the system.",
    )


class CaseUpdateSerializer(serializers.Serializer):
    """The working fields; every one optional, only those sent are changed."""

    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True),
        required=False,
        allow_null=True,
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    team = serializers.ChoiceField(choices=Team.choices, required=False)
    due_at = MomentField(
        required=False,
        allow_null=True,
        help_text="A time promised to the customer (optional); not an SLA deadline: those are "
        "first_response_due_at and resolution_due_at, kept by the system.",
    )
    subject = serializers.CharField(max_length=limits.SUBJECT, required=False)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=limits.DESCRIPTION
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, write_only=True, help_text="Why; kept in the audit."
    )

    def validate(self, attrs: dict) -> dict:
        if not set(attrs) - {"reason"}:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class CaseTransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )
    parked_until = MomentField(
        required=False, allow_null=True, help_text="park: until when (in the future)."
    )
    disposition = serializers.CharField(
        required=False, allow_blank=True, help_text="resolve: the tag's id or path."
    )
    expected_status = enum_field(
        CaseStatus,
        required=False,
        help_text="The status the caller saw; 409 if the case has moved on since.",
    )


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=limits.NOTE)
    public = serializers.BooleanField(
        default=False,
        help_text="The customer was told this by phone or elsewhere (nothing is sent from "
        "here): a first response on the SLA clock, and readable by the case's partner. "
        "Default: internal.",
    )


class NotificationSerializer(serializers.ModelSerializer):
    """A message to the logged-in user about a case."""

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "case", "created_at", "read_at"]
        read_only_fields = fields
