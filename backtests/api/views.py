"""Backtests over the API: ask for one (202, or 200 with the earlier result of the same
inputs), poll it, cancel it, export its changed decisions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import Case
from core.api.base import AUTHENTICATION, ErrorSerializer
from core.api.filters import id_param
from core.api.permissions import MatrixPermission
from core.api.throttles import ThrottleFirst
from core.csv import stream_csv
from core.errors import InvalidInput, NotFoundError

from .. import selectors, services
from ..models import Backtest
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Field errors."),
    403: OpenApiResponse(ErrorSerializer, description="Only supervisors and finance."),
    404: OpenApiResponse(ErrorSerializer, description="No such backtest."),
}


class BacktesterPermission(BasePermission):
    """After the role matrix: partner logins and the booking platform never backtest."""

    message = "Only supervisors and finance run and read backtests."

    def has_permission(self, request: Request, view: Any) -> bool:
        return selectors.may_backtest(request.user)


@extend_schema(tags=["backtests"])
class BacktestViewSet(
    ThrottleFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Policy backtests: a candidate version's numbers replayed over a period's decisions."""

    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, BacktesterPermission]
    operations = {
        "list": "backtests.view_backtest",
        "retrieve": "backtests.view_backtest",
        "create": "backtests.run_backtest",
        "cancel": "backtests.run_backtest",
        "changed": "backtests.view_backtest",
        "what_if": "backtests.view_backtest",
    }
    serializer_class = s.BacktestSerializer
    queryset = Backtest.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Backtest]:
        return selectors.backtests_visible_to(self.request.user)

    @extend_schema(
        summary="Backtest a version (or changed numbers) over a period; poll it for progress",
        request=s.BacktestCreateSerializer,
        responses={202: s.BacktestSerializer, 200: s.BacktestSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        incoming = s.BacktestCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        backtest, created = services.request_backtest(
            actor=request.user,
            version_id=data.get("version"),
            parameters=data.get("parameters"),
            first_day=data.get("first_day"),
            last_day=data.get("last_day"),
            filters=dict(data.get("filters") or {}),
            label=data.get("label", ""),
        )
        code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        return Response(s.BacktestSerializer(backtest).data, status=code)

    @extend_schema(
        summary="One case's decisions replayed under another version, both results",
        parameters=[
            OpenApiParameter("case", OpenApiTypes.INT, required=True),
            OpenApiParameter("version", OpenApiTypes.INT, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    @action(detail=False, methods=["get"], url_path="what-if")
    def what_if(self, request: Request) -> Response:
        ids: dict[str, int | None] = {}
        for name in ("case", "version"):
            raw = str(request.query_params.get(name, "")).strip()
            ids[name] = id_param(raw, name) if raw else None  # '²' is a 400 on its name
        errors = {
            name: ["Give the id: the digits 0-9."] for name, value in ids.items() if value is None
        }
        if errors:
            raise InvalidInput(errors)
        case_id = int(ids["case"])
        if not Case.objects.filter(pk=case_id).exists():
            raise NotFoundError(f"Case {case_id} does not exist.")
        rows = services.what_if_case(
            actor=request.user,
            case_id=case_id,
            version_id=int(ids["version"]),
        )
        return Response({"case": case_id, "decisions": rows})

    @extend_schema(summary="Cancel a queued or running backtest", request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        backtest = self.get_object()
        backtest = services.cancel_backtest(backtest_id=backtest.pk, actor=request.user)
        return Response(s.BacktestSerializer(backtest).data)

    @extend_schema(
        summary="The decisions the candidate changes (CSV)",
        responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS},
    )
    def changed(self, request: Request, pk: str):
        backtest = self.get_object()
        header = ["case", "decided_at", "flow", "stored_outcome", "candidate_outcome"]
        rows = (
            (
                facts.case_id,
                facts.at.isoformat(),
                replay.flow,
                replay.stored["outcome"],
                replay.candidate_outcome,
            )
            for facts, replay in selectors.changed_decisions(backtest)
        )
        return stream_csv(f"backtest-{backtest.pk}-changed.csv", header, rows)
