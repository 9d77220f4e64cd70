"""The shapes a partner-app login reads (docs/decisions.md, "What a partner sees"): minimal and
separate from the back office's, so a field added there never reaches a partner by itself.

No fraud score, no internal trail (the selectors hand these serializers the public events
only), no people of the back office; the customer's phone only while the partner holds a
live job for them (the selector's `phone_for_partner`), the e-mail never.
"""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import enum_field

from ..models import Case, CaseEvent, CaseStatus, Customer


class PartnerCustomerSerializer(serializers.ModelSerializer):
    """A customer of one of the partner's jobs."""

    city_name = serializers.CharField(source="city.name", read_only=True)
    phone = serializers.CharField(
        source="phone_for_partner",
        read_only=True,
        allow_null=True,
        help_text="While you hold a live job (allocated or started) for this customer; else null.",
    )

    class Meta:
        model = Customer
        fields = ["id", "external_id", "name", "phone", "city", "city_name"]
        read_only_fields = fields


class PartnerCaseEventSerializer(serializers.ModelSerializer):
    """A public event of the case's trail: a note sent to the customer."""

    class Meta:
        model = CaseEvent
        fields = ["id", "type", "at", "reason"]
        read_only_fields = fields


class PartnerCaseListSerializer(serializers.ModelSerializer):
    """A case about one of the partner's jobs, as its queue row."""

    status = enum_field(CaseStatus, read_only=True)
    booking_external_id = serializers.CharField(
        source="booking.external_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "kind",
            "status",
            "subject",
            "partner",
            "booking",
            "booking_external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PartnerCaseDetailSerializer(PartnerCaseListSerializer):
    """The case with its public events, oldest first."""

    events = PartnerCaseEventSerializer(many=True, read_only=True)

    class Meta(PartnerCaseListSerializer.Meta):
        fields = [*PartnerCaseListSerializer.Meta.fields, "events"]
        read_only_fields = fields
