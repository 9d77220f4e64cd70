"""API shapes for payouts: inputs validate, outputs render. Money is a string with two
decimals ("123.45"), never a float, both ways."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import limits
from core.api.fields import PlainDecimalField, enum_field
from partners.models import Currency, Region
from policies.sop import revisits

from ..models import (
    EntryKind,
    LedgerEntry,
    MgPlanExclusion,
    PafState,
    PartnerAtFault,
    PayoutLine,
    PayoutRun,
    Penalty,
    PenaltyState,
    Refund,
    RefundReason,
    RefundState,
    ReversalKind,
    ReversalRequest,
    ReversalState,
    RunState,
)
from ..money import DECIMAL_PLACES, MAX_DIGITS


def money(**kwargs) -> PlainDecimalField:
    return PlainDecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, coerce_to_string=True, **kwargs
    )


def currency_field(**kwargs) -> serializers.ChoiceField:
    # A plain choice field: the schema's enum hook names it CurrencyEnum, the same component
    # the bookings API gets (a named enum_field here would collide with that name).
    return serializers.ChoiceField(choices=Currency.choices, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A row id chosen among the rows the caller may see (the view passes the scope)."""

    def __init__(self, *, scope: str, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.context["scopes"][self.scope]


class UsernameField(serializers.SlugRelatedField):
    """Who did it, by username; null when nobody has (yet), or the system did."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, allow_null=True, **kwargs)


# Output


class PenaltyBriefSerializer(serializers.ModelSerializer):
    amount = money(read_only=True)
    currency = currency_field(read_only=True)
    state = enum_field(PenaltyState, read_only=True)

    class Meta:
        model = Penalty
        fields = ["id", "amount", "currency", "state"]


class PafSerializer(serializers.ModelSerializer):
    partner_external_id = serializers.CharField(source="partner.external_id", read_only=True)
    booking_external_id = serializers.CharField(source="booking.external_id", read_only=True)
    state = enum_field(PafState, read_only=True)
    marked_by = UsernameField()
    reviewer = UsernameField()
    penalty = serializers.SerializerMethodField()

    class Meta:
        model = PartnerAtFault
        fields = [
            "id",
            "partner",
            "partner_external_id",
            "booking",
            "booking_external_id",
            "case",
            "reason",
            "state",
            "marked_by",
            "marked_at",
            "reviewer",
            "reviewed_at",
            "decision_reason",
            "policy_version",
            "penalty",
        ]
        read_only_fields = fields

    @extend_schema_field(PenaltyBriefSerializer(allow_null=True))
    def get_penalty(self, paf: PartnerAtFault) -> dict | None:
        try:
            return PenaltyBriefSerializer(paf.penalty).data
        except Penalty.DoesNotExist:
            return None


class PenaltySerializer(serializers.ModelSerializer):
    partner_external_id = serializers.CharField(source="partner.external_id", read_only=True)
    booking_external_id = serializers.CharField(source="booking.external_id", read_only=True)
    base_amount = money(read_only=True)
    rate = PlainDecimalField(max_digits=5, decimal_places=4, read_only=True)
    amount = money(read_only=True)
    currency = currency_field(read_only=True)
    state = enum_field(PenaltyState, read_only=True)

    class Meta:
        model = Penalty
        fields = [
            "id",
            "paf",
            "partner",
            "partner_external_id",
            "booking",
            "booking_external_id",
            "currency",
            "base_amount",
            "rate",
            "amount",
            "state",
            "policy_version",
            "reason",
            "created_at",
            "scheduled_at",
            "deducted_at",
            "closed_at",
        ]
        read_only_fields = fields


class ReversalRequestSerializer(serializers.ModelSerializer):
    kind = enum_field(ReversalKind, read_only=True)
    state = enum_field(ReversalState, read_only=True)
    requested_by = UsernameField()
    decided_by = UsernameField()
    evidence = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ReversalRequest
        fields = [
            "id",
            "kind",
            "paf",
            "partner",
            "booking",
            "case",
            "requested_by",
            "requested_at",
            "on_behalf_of_partner",
            "call_recording_ref",
            "notes",
            "evidence",
            "state",
            "review_started_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "policy_version",
        ]
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    reason = enum_field(RefundReason, read_only=True)
    amount = money(read_only=True)
    currency = currency_field(read_only=True)
    state = enum_field(RefundState, read_only=True)
    requested_by = UsernameField()
    approved_by = UsernameField()

    class Meta:
        model = Refund
        fields = [
            "id",
            "customer",
            "booking",
            "case",
            "reason",
            "note",
            "amount",
            "currency",
            "state",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
            "decision_reason",
            "paid_at",
            "payment_reference",
            "failure_reason",
            "tat_due_on",
            "deduct_from_partner",
            "partner",
            "policy_version",
        ]
        read_only_fields = fields


class PayoutRunSerializer(serializers.ModelSerializer):
    region_country = serializers.CharField(source="region.country", read_only=True)
    currency = currency_field(read_only=True)
    state = enum_field(RunState, read_only=True)
    created_by = UsernameField()
    computed_by = UsernameField()
    approved_by = UsernameField()
    line_count = serializers.IntegerField(read_only=True, allow_null=True)
    net_total = money(read_only=True, allow_null=True)
    held_penalty_count = serializers.IntegerField(
        read_only=True,
        help_text="Penalties up to the cutoff this computation did not deduct: held while "
        "their PAF awaits review (or a reversal request for it is open).",
    )
    held_penalty_total = money(read_only=True)

    class Meta:
        model = PayoutRun
        fields = [
            "id",
            "region",
            "region_country",
            "currency",
            "period_start",
            "period_end",
            "state",
            "created_by",
            "created_at",
            "computed_by",
            "computed_at",
            "approved_by",
            "approved_at",
            "exported_at",
            "paid_at",
            "progress_total",
            "progress_done",
            "task_id",
            "last_error",
            "line_count",
            "net_total",
            "held_penalty_count",
            "held_penalty_total",
        ]
        read_only_fields = fields


class PayoutLineSerializer(serializers.ModelSerializer):
    partner_external_id = serializers.CharField(source="partner.external_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    earnings = money(read_only=True)
    deductions = money(read_only=True)
    bonuses = money(read_only=True)
    reversals = money(read_only=True)
    carried_forward_in = money(read_only=True)
    net = money(read_only=True)
    carried_forward_out = money(read_only=True)

    class Meta:
        model = PayoutLine
        fields = [
            "id",
            "partner",
            "partner_external_id",
            "partner_name",
            "earnings",
            "deductions",
            "bonuses",
            "reversals",
            "carried_forward_in",
            "net",
            "carried_forward_out",
            "entry_count",
        ]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind = enum_field(EntryKind, read_only=True)
    currency = currency_field(read_only=True)
    amount = money(read_only=True)
    running_balance = money(read_only=True)
    run = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "occurred_at",
            "kind",
            "amount",
            "currency",
            "running_balance",
            "booking",
            "case",
            "penalty",
            "refund",
            "run",
            "idempotency_key",
            "policy_version",
            "memo",
        ]
        read_only_fields = fields

    def get_run(self, entry: LedgerEntry) -> int | None:
        try:
            return entry.run_link.run_id
        except LedgerEntry.run_link.RelatedObjectDoesNotExist:
            return None


# Input


class PafCreateSerializer(serializers.Serializer):
    """Mark the job's partner at fault. The partner is the booking's own, never sent: a body
    naming `partner` is a 400 on it. A penalty comes only from a revisit SOP path (`penalty`),
    on a revisit job (else 422); it is held until the PAF is reviewed, on the case's task."""

    # Fields a caller might send that the rules do not take, each with the reason.
    REFUSED = {
        "partner": "The partner at fault is the booking's partner; do not send it.",
        "with_penalty": "Name the revisit SOP path that gives the penalty in `penalty` instead.",
    }

    booking = ScopedPrimaryKeyField(scope="bookings")
    case = ScopedPrimaryKeyField(
        scope="cases",
        required=False,
        allow_null=True,
        help_text="The case the PAF is worked on (its booking must be the booking); needed "
        "with a penalty, whose PAF review is a task on it.",
    )
    reason = serializers.CharField(max_length=200)
    penalty = serializers.ChoiceField(
        choices=sorted(revisits.PENALTY_PATHS),
        required=False,
        allow_null=True,
        default=None,
        help_text="The revisit SOP path that gives the revisit penalty (revisit_scenario_1..4); "
        "absent or null: no penalty. Only a revisit job takes one (422 otherwise).",
    )

    def validate(self, data):
        sent = getattr(self, "initial_data", {}) or {}
        errors = {name: why for name, why in self.REFUSED.items() if name in sent}
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ReviewSerializer(serializers.Serializer):
    genuine = serializers.BooleanField()
    reason = serializers.CharField(max_length=limits.REASON)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Recorded with the decision.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )


class PaymentReferenceSerializer(serializers.Serializer):
    payment_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REFERENCE
    )


class ReversalRequestCreateSerializer(serializers.Serializer):
    kind = enum_field(ReversalKind)
    paf = ScopedPrimaryKeyField(scope="pafs", required=False, allow_null=True)
    booking = ScopedPrimaryKeyField(scope="bookings", required=False, allow_null=True)
    case = ScopedPrimaryKeyField(scope="cases", required=False, allow_null=True)
    call_recording_ref = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REFERENCE
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NOTE
    )
    evidence = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        default=list,
        max_length=20,
        help_text="Image file references or URLs.",
    )

    def validate(self, data):
        if data["kind"] == ReversalKind.PAF_PENALTY and not data.get("paf"):
            raise serializers.ValidationError({"paf": "Choose the PAF to reverse."})
        if not data.get("paf") and not data.get("booking"):
            raise serializers.ValidationError({"booking": "Choose the job."})
        return data


class RefundCreateSerializer(serializers.Serializer):
    booking = ScopedPrimaryKeyField(scope="bookings")
    case = ScopedPrimaryKeyField(scope="cases", required=False, allow_null=True)
    reason = enum_field(RefundReason)
    amount = money(min_value=Decimal("0.01"))
    currency = currency_field(required=False)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NOTE
    )
    deduct_from_partner = serializers.BooleanField(default=False)


class PayoutRunCreateSerializer(serializers.Serializer):
    region = serializers.SlugRelatedField(
        slug_field="country", queryset=Region.objects.all(), help_text="Country code: IN, EG."
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class MgExclusionSerializer(serializers.ModelSerializer):
    booking_external_id = serializers.CharField(source="booking.external_id", read_only=True)

    class Meta:
        model = MgPlanExclusion
        fields = ["id", "booking", "booking_external_id", "case", "reason", "excluded_at"]
        read_only_fields = fields


class MgPlanSerializer(serializers.Serializer):
    """A partner's MG plan for one month: jobs, exclusions and what counts."""

    on_mg_plan = serializers.BooleanField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    jobs = serializers.IntegerField()
    excluded = serializers.IntegerField()
    counted = serializers.IntegerField()
    exclusions = MgExclusionSerializer(many=True)
