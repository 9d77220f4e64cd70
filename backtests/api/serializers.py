"""The backtests API's shapes."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Backtest


class BacktestSerializer(serializers.ModelSerializer):
    version_name = serializers.CharField(source="version.version", default=None, read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = Backtest
        fields = [
            "id",
            "label",
            "version",
            "version_name",
            "state",
            "progress_done",
            "progress_total",
            "period_start",
            "period_end",
            "filters",
            "parameters",
            "result",
            "error",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class BacktestFiltersSerializer(serializers.Serializer):
    region = serializers.IntegerField(required=False, min_value=1)
    city = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.CharField(required=False, max_length=64)
    flow = serializers.CharField(required=False, max_length=64)
    partner = serializers.IntegerField(required=False, min_value=1)


class BacktestCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="A policy version whose numbers are tried."
    )
    parameters = serializers.DictField(
        required=False, help_text="Numbers changed (on top of the version, if named)."
    )
    first_day = serializers.DateField(required=False)
    last_day = serializers.DateField(required=False)
    filters = BacktestFiltersSerializer(required=False)
    label = serializers.CharField(required=False, max_length=120, allow_blank=True)
