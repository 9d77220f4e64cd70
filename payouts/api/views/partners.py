"""A partner's ledger (with its running balance) and MG plan."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.base import AUTHENTICATION
from core.api.permissions import MatrixPermission
from core.api.throttles import ThrottleFirst
from core.errors import InvalidInput
from core.inputs import BadInput, parse_day
from partners.models import Partner

from ... import selectors
from ...models import (
    LedgerEntry,
    MgPlanExclusion,
)
from .. import serializers as s
from .common import (
    ERRORS,
    PartnerMoneyPermission,
)


class LedgerPagination(LimitOffsetPagination):
    """Offset pages: the running balance is a window over the whole statement, so it stays
    right on every page (cursor filters would cut the window)."""

    default_limit = 50
    max_limit = 500
    balances: dict[str, Any] = {}

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["balances"] = {k: f"{v:.2f}" for k, v in self.balances.items()}
        return response

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["balances"] = {
            "type": "object",
            "additionalProperties": {"type": "string", "format": "decimal"},
            "example": {"INR": "123.45"},
        }
        return paged


@extend_schema(
    tags=["payouts"],
    summary="A partner's ledger, newest first, with the balance after each entry",
    parameters=[
        OpenApiParameter("currency", OpenApiTypes.STR, description="INR or EGP: one currency.")
    ],
    responses={200: s.LedgerEntrySerializer(many=True), **ERRORS},
)
class PartnerLedgerView(ThrottleFirst, GenericAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, PartnerMoneyPermission]
    operations = {"get": "payouts.view_ledgerentry"}
    serializer_class = s.LedgerEntrySerializer
    pagination_class = LedgerPagination
    queryset = LedgerEntry.objects.none()
    action = "ledger"

    def get(self, request: Request, partner_id: int) -> Response:
        if not selectors.may_read_partner_page(request.user, partner_id, self.operations["get"]):
            raise NotFound("No such partner, or not yours to see.")
        get_object_or_404(Partner, pk=partner_id)
        statement = selectors.ledger_statement(
            partner_id=partner_id, currency=request.query_params.get("currency") or None
        )
        paginator = self.paginator
        paginator.balances = selectors.partner_balances(partner_id=partner_id)
        page = paginator.paginate_queryset(statement, request, view=self)
        return paginator.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    tags=["payouts"],
    summary="A partner's MG plan: jobs, exclusions, count for a month",
    parameters=[
        OpenApiParameter(
            "month", OpenApiTypes.DATE, description="Any day of the month (default: this month)."
        )
    ],
    responses={200: s.MgPlanSerializer, **ERRORS},
)
class PartnerMgPlanView(ThrottleFirst, GenericAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, PartnerMoneyPermission]
    operations = {"get": "payouts.view_mgplanexclusion"}
    serializer_class = s.MgPlanSerializer
    queryset = MgPlanExclusion.objects.none()
    action = "mg_plan"

    def get(self, request: Request, partner_id: int) -> Response:
        if not selectors.may_read_partner_page(request.user, partner_id, self.operations["get"]):
            raise NotFound("No such partner, or not yours to see.")
        partner = get_object_or_404(Partner.objects.select_related("city__region"), pk=partner_id)
        raw = request.query_params.get("month")
        try:
            month = parse_day(raw) if raw else None
        except BadInput as exc:  # 2026-02-30, 9999-12-15: no such day, or none we plan for
            raise InvalidInput({"month": exc.message}) from None
        return Response(s.MgPlanSerializer(selectors.mg_plan_summary(partner, month=month)).data)
