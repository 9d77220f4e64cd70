"""Partner-at-fault marks."""

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
    PafState,
    PartnerAtFault,
)
from .. import serializers as s
from .common import (
    ERRORS,
    PARTNER_PARAM,
    MoneyViewSet,
    PartnerMoneyPermission,
    state_param,
)


@extend_schema(tags=["payouts"], parameters=[state_param(PafState), PARTNER_PARAM])
class PafViewSet(MoneyViewSet):
    """Partner-at-fault marks. A partner login sees only its own."""

    permission_classes = [MatrixPermission, PartnerMoneyPermission]
    operations = {
        "list": "payouts.view_partneratfault",
        "retrieve": "payouts.view_partneratfault",
        "create": "payouts.mark_paf",
        "review": "payouts.review_paf",
    }
    serializer_class = s.PafSerializer
    queryset = PartnerAtFault.objects.none()

    def get_queryset(self) -> QuerySet[PartnerAtFault]:
        return self._filtered(selectors.paf_list(user=self.request.user))

    @extend_schema(
        summary="Mark the job's partner at fault (optionally with a revisit SOP penalty)",
        description=(
            "The partner at fault is the booking's partner (a body naming `partner` is a 400; "
            "a booking without a partner is a 400 on booking). The case must be about the "
            "booking (400 on case). `penalty` names the revisit SOP path; on a job that is not "
            "a revisit no SOP path gives a penalty: 422, nothing written. A penalty is held "
            "until the PAF is reviewed genuine (the review is a task on the case)."
        ),
        request=s.PafCreateSerializer,
        responses={201: s.PafSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.PafCreateSerializer)
        paf = services.mark_paf_with_penalty(
            booking=data["booking"],
            case=data.get("case"),
            reason=data["reason"],
            actor=request.user,
            penalty_path=data["penalty"],
        )
        return self._render(paf.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Review a PAF: genuine (stands) or not genuine",
        description="Nobody reviews a PAF they marked (403). Its review task, if any, is done.",
        request=s.ReviewSerializer,
        responses={200: s.PafSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        paf = self.get_object()
        data = self._input(s.ReviewSerializer)
        services.review_paf(
            paf_id=paf.pk, actor=request.user, genuine=data["genuine"], reason=data["reason"]
        )
        return self._render(paf.pk)
