"""Shapes of the webhook API. A signing secret appears in exactly two answers: the one that
creates the endpoint and the one that rotates its secret; never in a read."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import MomentField, enum_field

from ..models import Delivery, DeliveryAttempt, DeliveryState, WebhookEndpoint
from ..selectors import success_rate


class WebhookEndpointSerializer(serializers.ModelSerializer):
    attempts_24h = serializers.IntegerField(read_only=True)
    successes_24h = serializers.IntegerField(read_only=True)
    success_rate_24h = serializers.SerializerMethodField(
        help_text="Successful attempts over all attempts in 24 h (0..1); null with none."
    )
    pending = serializers.IntegerField(read_only=True, help_text="Deliveries waiting to go.")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "enabled",
            "disabled_reason",
            "failing_since",
            "created_at",
            "attempts_24h",
            "successes_24h",
            "success_rate_24h",
            "pending",
        ]
        read_only_fields = fields

    def get_success_rate_24h(self, endpoint: WebhookEndpoint) -> float | None:
        return success_rate(endpoint.attempts_24h, endpoint.successes_24h)


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="whsec_...: shown this once; keep it in your receiver."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=100,
        default=list,
        help_text="Event types wanted (see the webhooks of this schema); empty: all.",
    )
    description = serializers.CharField(max_length=200, required=False, default="")


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=100, required=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class RedeliverSerializer(serializers.Serializer):
    since = MomentField(help_text="Failed deliveries recorded from this moment on.")
    reason = serializers.CharField(max_length=500)


class RedeliveredSerializer(serializers.Serializer):
    redelivered = serializers.IntegerField()


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["at", "status_code", "error", "duration_ms", "response_body"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="event.webhook_id", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    state = enum_field(DeliveryState, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "endpoint",
            "webhook_id",
            "event_type",
            "subject",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status",
            "last_error",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    body = serializers.SerializerMethodField(help_text="The JSON body sent on every attempt.")
    tries = AttemptSerializer(many=True, read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "body", "tries"]
        read_only_fields = fields

    def get_body(self, delivery: Delivery) -> dict:
        return delivery.event.envelope()
