"""Partner endpoints: list, retrieve, and the booking platform's upsert by external_id."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.base import UpsertViewSet, upsert_schema

from .. import selectors, services
from ..models import Partner
from .filters import PartnerFilter
from .serializers import PartnerSerializer, PartnerUpsertSerializer


@extend_schema(tags=["partners"])
class PartnerViewSet(UpsertViewSet):
    """Partners (professionals). A partner login sees only its own record."""

    serializer_class = PartnerSerializer
    input_serializer_class = PartnerUpsertSerializer
    filterset_class = PartnerFilter
    upsert_model = Partner
    list_selector = staticmethod(selectors.partner_list)
    queryset = Partner.objects.none()

    def upsert(self, data: dict[str, Any]) -> tuple[Model, bool]:
        external_id = data.pop("external_id")
        return services.upsert_partner(external_id=external_id, fields=data)

    @upsert_schema(PartnerUpsertSerializer, PartnerSerializer)
    def create(self, request: Request) -> Response:
        return super().create(request)
