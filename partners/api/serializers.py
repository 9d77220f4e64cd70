"""API shapes of partners: the rendered record and the platform's upsert input."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from core.api.fields import MomentField, PlainDecimalField, enum_field

from ..models import CalendarSlot, LineOfBusiness, Partner, Programme, SlotStatus
from .fields import city_field


class PartnerSerializer(serializers.ModelSerializer):
    city_name = serializers.CharField(source="city.name", read_only=True)
    categories = serializers.ListField(child=enum_field(LineOfBusiness), read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "external_id",
            "name",
            "phone",
            "city",
            "city_name",
            "hub",
            "categories",
            "is_sme",
            "programmes",
            "rating",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields


class PartnerUpsertSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=128)
    phone = serializers.CharField(max_length=32)
    city = city_field()
    hub = serializers.CharField(max_length=64, required=False, allow_blank=True)
    categories = serializers.ListField(child=enum_field(LineOfBusiness), required=False)
    is_sme = serializers.BooleanField(required=False)
    programmes = serializers.ListField(
        child=serializers.ChoiceField(choices=Programme.choices), required=False
    )
    rating = PlainDecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("5"),
        required=False,
    )
    is_active = serializers.BooleanField(required=False)


class CalendarSlotSerializer(serializers.ModelSerializer):
    """One slot of a partner's calendar: on leave (red) or working on a job (green); no slot
    is free (blank)."""

    partner_external_id = serializers.CharField(source="partner.external_id", read_only=True)
    status = enum_field(SlotStatus, read_only=True)

    class Meta:
        model = CalendarSlot
        fields = ["id", "partner", "partner_external_id", "starts_at", "ends_at", "status", "note"]
        read_only_fields = fields


class CalendarSlotCreateSerializer(serializers.Serializer):
    partner = serializers.CharField(
        required=False,
        help_text="Partner id or external id; a partner login marks its own calendar.",
    )
    starts_at = MomentField()
    ends_at = MomentField()
    status = serializers.ChoiceField(
        choices=[SlotStatus.ON_LEAVE, SlotStatus.WORKING], default=SlotStatus.ON_LEAVE
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
