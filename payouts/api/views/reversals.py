"""Reversal requests."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.permissions import MatrixPermission

from ... import selectors, services
from ...models import (
    ReversalRequest,
    ReversalState,
)
from .. import serializers as s
from .common import (
    ERRORS,
    PARTNER_PARAM,
    MoneyViewSet,
    PartnerMoneyPermission,
    state_param,
)


@extend_schema(tags=["payouts"], parameters=[state_param(ReversalState), PARTNER_PARAM])
class ReversalRequestViewSet(MoneyViewSet):
    """PAF-and-penalty reversal forms and rating reversals.

    Partner support logs them for the partner; a partner login may log one for its own PAF.
    Finance or a supervisor decides, never the person who logged it.
    """

    permission_classes = [MatrixPermission, PartnerMoneyPermission]
    operations = {
        "list": "payouts.view_reversalrequest",
        "retrieve": "payouts.view_reversalrequest",
        "create": "payouts.log_reversal",
        "approve": "payouts.decide_reversal",
        "reject": "payouts.decide_reversal",
        "start_review": "payouts.decide_reversal",
    }
    partner_actions = ("create",)
    serializer_class = s.ReversalRequestSerializer
    queryset = ReversalRequest.objects.none()

    def get_queryset(self) -> QuerySet[ReversalRequest]:
        return self._filtered(selectors.reversal_request_list(user=self.request.user))

    @extend_schema(
        summary="Log a reversal request",
        request=s.ReversalRequestCreateSerializer,
        responses={201: s.ReversalRequestSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.ReversalRequestCreateSerializer)
        created = services.submit_reversal_request(
            kind=data["kind"],
            actor=request.user,
            paf=data.get("paf"),
            booking=data.get("booking"),
            case=data.get("case"),
            call_recording_ref=data["call_recording_ref"],
            notes=data["notes"],
            evidence=data["evidence"],
        )
        return self._render(created.pk, status.HTTP_201_CREATED)

    def _decide(self, decide, pk: str) -> Response:
        request_row = self.get_object()
        data = self._input(s.ReasonSerializer)
        decide(request_id=request_row.pk, actor=self.request.user, reason=data["reason"])
        return self._render(request_row.pk)

    @extend_schema(
        summary="Approve: reverses the PAF and its penalty",
        request=s.ReasonSerializer,
        responses={200: s.ReversalRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(services.approve_reversal_request, pk)

    @extend_schema(
        summary="Reject: the PAF and penalty stand",
        request=s.ReasonSerializer,
        responses={200: s.ReversalRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._decide(services.reject_reversal_request, pk)

    @extend_schema(
        summary="Start reviewing a submitted request",
        request=None,
        responses={200: s.ReversalRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: str) -> Response:
        row = self.get_object()
        services.start_reversal_review(request_id=row.pk, actor=request.user)
        return self._render(row.pk)
