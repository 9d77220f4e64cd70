"""Refunds."""

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
    Refund,
    RefundState,
)
from .. import serializers as s
from .common import (
    ERRORS,
    BackOfficePermission,
    MoneyViewSet,
    state_param,
)


@extend_schema(tags=["payouts"], parameters=[state_param(RefundState)])
class RefundViewSet(MoneyViewSet):
    """Customer refunds: agents request, finance or a supervisor (not the requester) approves."""

    permission_classes = [MatrixPermission, BackOfficePermission]
    operations = {
        "list": "payouts.view_refund",
        "retrieve": "payouts.view_refund",
        "create": "payouts.request_refund",
        "approve": "payouts.decide_refund",
        "reject": "payouts.decide_refund",
        "mark_paid": "payouts.decide_refund",
        "mark_failed": "payouts.decide_refund",
    }
    serializer_class = s.RefundSerializer
    queryset = Refund.objects.none()
    filter_params = ("state",)

    def get_queryset(self) -> QuerySet[Refund]:
        return self._filtered(selectors.refund_list(user=self.request.user))

    @extend_schema(
        summary="Request a refund",
        request=s.RefundCreateSerializer,
        responses={201: s.RefundSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.RefundCreateSerializer)
        refund = services.request_refund(
            booking=data["booking"],
            case=data.get("case"),
            reason=data["reason"],
            amount=data["amount"],
            currency=data.get("currency"),
            note=data["note"],
            deduct_from_partner=data["deduct_from_partner"],
            actor=request.user,
        )
        return self._render(refund.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve (recovers from the partner once if asked)",
        request=s.OptionalReasonSerializer,
        responses={200: s.RefundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        refund = self.get_object()
        data = self._input(s.OptionalReasonSerializer)
        services.approve_refund(refund_id=refund.pk, actor=request.user, reason=data["reason"])
        return self._render(refund.pk)

    @extend_schema(
        summary="Reject",
        request=s.ReasonSerializer,
        responses={200: s.RefundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        refund = self.get_object()
        data = self._input(s.ReasonSerializer)
        services.reject_refund(refund_id=refund.pk, actor=request.user, reason=data["reason"])
        return self._render(refund.pk)

    @extend_schema(
        summary="Mark paid to the customer",
        request=s.PaymentReferenceSerializer,
        responses={200: s.RefundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: Request, pk: str) -> Response:
        refund = self.get_object()
        data = self._input(s.PaymentReferenceSerializer)
        services.mark_refund_paid(
            refund_id=refund.pk, actor=request.user, payment_reference=data["payment_reference"]
        )
        return self._render(refund.pk)

    @extend_schema(
        summary="Mark the payment failed",
        request=s.ReasonSerializer,
        responses={200: s.RefundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="mark-failed")
    def mark_failed(self, request: Request, pk: str) -> Response:
        refund = self.get_object()
        data = self._input(s.ReasonSerializer)
        services.mark_refund_failed(refund_id=refund.pk, actor=request.user, reason=data["reason"])
        return self._render(refund.pk)
