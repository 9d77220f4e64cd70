"""Partner endpoints: list, retrieve, the booking platform's upsert by external_id, and the
partner calendar."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.base import AUTHENTICATION, CONFLICT, ERRORS, ID_PATTERN, UpsertViewSet, upsert_schema
from core.api.filters import ListFilterBackend, MomentFilter, id_filter
from core.api.permissions import MatrixPermission, may_read
from core.api.throttles import ThrottleFirst
from core.errors import InvalidInput
from core.inputs import BadInput, id_if_numeric
from core.roles import partner_of

from .. import selectors, services
from ..models import CalendarSlot, Partner, SlotStatus
from .filters import PartnerFilter
from .serializers import (
    CalendarSlotCreateSerializer,
    CalendarSlotSerializer,
    PartnerSerializer,
    PartnerUpsertSerializer,
)


@extend_schema(tags=["partners"])
class PartnerViewSet(UpsertViewSet):
    """Partners (professionals). A partner login sees only its own record."""

    operations = {
        "list": "partners.view_partner",
        "retrieve": "partners.view_partner",
        "create": "cases.push_records",
    }

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


class CalendarFilter(filters.FilterSet):
    partner = id_filter("partner_id", "Partner id")
    status = filters.ChoiceFilter(choices=SlotStatus.choices)
    starts_before = MomentFilter(field_name="starts_at", lookup_expr="lt")
    ends_after = MomentFilter(field_name="ends_at", lookup_expr="gt")

    class Meta:
        model = CalendarSlot
        fields: list[str] = []


class CalendarPermission(BasePermission):
    message = "You need a back-office role or a partner login."

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_read(request.user)


@extend_schema(tags=["partners"])
class CalendarSlotViewSet(
    ThrottleFirst,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Partner calendars. The partner app marks its own leave; case workers mark anyone's.
    The preferred-professional flow and allocation read them."""

    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, CalendarPermission]
    operations = {
        "list": "partners.view_calendarslot",
        "retrieve": "partners.view_calendarslot",
        "create": "partners.edit_calendar",
        "destroy": "partners.edit_calendar",
    }
    serializer_class = CalendarSlotSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = CalendarFilter
    lookup_value_regex = ID_PATTERN
    queryset = CalendarSlot.objects.none()

    def get_queryset(self) -> QuerySet[CalendarSlot]:
        return selectors.calendar_visible_to(self.request.user).order_by("-starts_at", "-id")

    @extend_schema(
        summary="Mark a slot (on leave, or working on a job)",
        request=CalendarSlotCreateSerializer,
        responses={201: CalendarSlotSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request: Request) -> Response:
        incoming = CalendarSlotCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        partner = partner_of(request.user)
        if data.get("partner"):
            key = data["partner"]
            try:
                number = id_if_numeric(key)
            except BadInput as exc:
                raise InvalidInput({"partner": exc.message}) from None
            partner = (
                selectors.partners_visible_to(request.user)
                .filter(**({"pk": number} if number is not None else {"external_id": key}))
                .first()
            )
            if partner is None:
                raise InvalidInput({"partner": f"No partner {key!r} you may see."})
        if partner is None:
            raise InvalidInput({"partner": "Name the partner whose calendar this is."})
        slot = services.mark_slot(
            partner=partner,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            status=data["status"],
            note=data["note"],
            actor=request.user,
        )
        return Response(CalendarSlotSerializer(slot).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Free a slot again", responses={204: None, **ERRORS})
    def destroy(self, request: Request, pk: str) -> Response:
        slot = self.get_object()
        services.remove_slot(slot_id=slot.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
