"""Payout runs and their bank file."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.permissions import MatrixPermission

from ... import selectors, services
from ...exports import stream_bank_file
from ...models import (
    PayoutRun,
    RunState,
)
from .. import serializers as s
from .common import (
    ERRORS,
    MoneyViewSet,
    RunPermission,
    state_param,
)


@extend_schema(tags=["payouts"], parameters=[state_param(RunState)])
class PayoutRunViewSet(MoneyViewSet):
    """Payout runs of a region: create, compute (a Celery task), approve (finance, not the
    person who computed it), bank file, mark paid."""

    permission_classes = [MatrixPermission, RunPermission]
    operations = {
        "list": "payouts.view_payoutrun",
        "retrieve": "payouts.view_payoutrun",
        "create": "payouts.operate_run",
        "compute": "payouts.operate_run",
        "export": "payouts.operate_run",
        "lines": "payouts.view_payoutline",
        "approve": "payouts.approve_run",
        "mark_paid": "payouts.approve_run",
    }
    serializer_class = s.PayoutRunSerializer
    queryset = PayoutRun.objects.none()
    filter_params = ("state",)

    def get_queryset(self) -> QuerySet[PayoutRun]:
        return self._filtered(selectors.run_list(user=self.request.user))

    @extend_schema(
        summary="Open a run for a region and period",
        request=s.PayoutRunCreateSerializer,
        responses={201: s.PayoutRunSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.PayoutRunCreateSerializer)
        run = services.create_payout_run(actor=request.user, **data)
        return self._render(run.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Queue the computation; poll the run for state and progress",
        request=None,
        responses={202: s.PayoutRunSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def compute(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        services.request_compute(run_id=run.pk, actor=request.user)
        return self._render(run.pk, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Approve a computed run",
        request=None,
        responses={200: s.PayoutRunSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        services.approve_run(run_id=run.pk, actor=request.user)
        return self._render(run.pk)

    @extend_schema(
        summary="The bank paid the file: write the payout entries",
        request=None,
        responses={200: s.PayoutRunSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        services.mark_run_paid(run_id=run.pk, actor=request.user)
        return self._render(run.pk)

    @extend_schema(
        summary="The run's lines, one per partner",
        responses={200: s.PayoutLineSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], serializer_class=s.PayoutLineSerializer)
    def lines(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        page = self.paginate_queryset(selectors.run_lines(run=run))
        return self.get_paginated_response(s.PayoutLineSerializer(page, many=True).data)

    @extend_schema(
        summary="Bank file (CSV): partner external id, name, phone, currency, net",
        responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS},
    )
    def export(self, request: Request, pk: str):
        run = self.get_object()
        run, rows = services.export_run(run_id=run.pk, actor=request.user)
        return stream_bank_file(run, rows)
