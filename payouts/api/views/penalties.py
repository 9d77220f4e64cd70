"""Penalties."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.permissions import MatrixPermission

from ... import selectors, services
from ...models import (
    Penalty,
    PenaltyState,
)
from .. import serializers as s
from .common import (
    ERRORS,
    PARTNER_PARAM,
    MoneyViewSet,
    PartnerMoneyPermission,
    state_param,
)


@extend_schema(tags=["payouts"], parameters=[state_param(PenaltyState), PARTNER_PARAM])
class PenaltyViewSet(MoneyViewSet):
    """Revisit penalties. A partner login sees only its own."""

    permission_classes = [MatrixPermission, PartnerMoneyPermission]
    operations = {
        "list": "payouts.view_penalty",
        "retrieve": "payouts.view_penalty",
        "waive": "payouts.waive_penalty",
    }
    serializer_class = s.PenaltySerializer
    queryset = Penalty.objects.none()

    def get_queryset(self) -> QuerySet[Penalty]:
        return self._filtered(selectors.penalty_list(user=self.request.user))

    @extend_schema(
        summary="Waive a penalty not yet deducted (supervisors)",
        request=s.ReasonSerializer,
        responses={200: s.PenaltySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str) -> Response:
        penalty = self.get_object()
        data = self._input(s.ReasonSerializer)
        services.waive_penalty(penalty_id=penalty.pk, actor=request.user, reason=data["reason"])
        return self._render(penalty.pk)
