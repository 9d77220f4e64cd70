"""API views: validate the request, call a service or a selector, render. Nothing else."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.base import (
    AUTHENTICATION,
    CONFLICT,
    ERRORS,
    ID_PATTERN,
    UpsertViewSet,
    upsert_schema,
)
from core.api.filters import ListFilterBackend
from core.api.permissions import MatrixPermission, ReadOnly
from core.api.throttles import ThrottleFirst
from core.roles import sees_as_partner

from .. import selectors, services
from ..models import Booking, Case, Customer, DispositionTag, Notification
from ..services.bookings import BOOKING_TRANSITIONS
from . import partner_serializers as ps
from . import serializers as s
from .filters import BookingFilter, CaseFilter, CustomerFilter, DispositionFilter
from .pagination import CaseQueuePagination
from .permissions import CasePermission


@extend_schema(tags=["customers"])
class CustomerViewSet(UpsertViewSet):
    operations = {
        "list": "cases.view_customer",
        "retrieve": "cases.view_customer",
        "create": "cases.push_records",
    }
    serializer_class = s.CustomerSerializer
    input_serializer_class = s.CustomerUpsertSerializer
    filterset_class = CustomerFilter
    upsert_model = Customer
    list_selector = staticmethod(selectors.customer_list)
    queryset = Customer.objects.none()  # the schema's model; rows come from the selector

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if sees_as_partner(self.request.user):
            return ps.PartnerCustomerSerializer
        return s.CustomerSerializer

    def upsert(self, data: dict[str, Any]) -> tuple[Model, bool]:
        external_id = data.pop("external_id")
        return services.upsert_customer(external_id=external_id, fields=data)

    @upsert_schema(s.CustomerUpsertSerializer, s.CustomerSerializer)
    def create(self, request: Request) -> Response:
        return super().create(request)


@extend_schema(tags=["bookings"])
class BookingViewSet(UpsertViewSet):
    operations = {
        "list": "cases.view_booking",
        "retrieve": "cases.view_booking",
        "allocation_candidates": "cases.view_booking",
        "create": "cases.push_records",
        "transitions": "cases.push_records",
    }
    refused_to_partners = ("allocation_candidates",)  # it names other partners
    serializer_class = s.BookingSerializer
    input_serializer_class = s.BookingUpsertSerializer
    filterset_class = BookingFilter
    search_fields = ["external_id", "customer__name", "customer__phone", "customer__external_id"]
    upsert_model = Booking
    list_selector = staticmethod(selectors.booking_list)
    queryset = Booking.objects.none()

    def upsert(self, data: dict[str, Any]) -> tuple[Model, bool]:
        external_id = data.pop("external_id")
        lines = data.pop("lines", None)
        return services.upsert_booking(
            external_id=external_id,
            fields=data,
            lines=[dict(line) for line in lines] if lines is not None else None,
        )

    @upsert_schema(s.BookingUpsertSerializer, s.BookingSerializer)
    def create(self, request: Request) -> Response:
        return super().create(request)

    @extend_schema(
        summary="Move a booking: allocate, start, complete, cancel",
        parameters=[
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(BOOKING_TRANSITIONS),
                description="allocate needs partner_external_id; cancel needs code and "
                "cancelled_by.",
            )
        ],
        request=s.BookingTransitionSerializer,
        responses={200: s.BookingSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request: Request, pk: str, name: str) -> Response:
        booking = self.get_object()
        incoming = s.BookingTransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.transition_booking(
            booking_id=booking.pk, name=name, actor=request.user, **incoming.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=booking.pk)).data)

    @extend_schema(
        summary="Free partners for the booking's slot, best first",
        description="Active partners of the booking's city and category whose calendar and "
        "jobs leave them free for its slot; SME partners only (and first) for an SME revisit, "
        "then the same hub, then rating. A partner login gets a 403: the list names other "
        "partners.",
        responses={200: s.PartnerCandidateSerializer(many=True), **ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="allocation-candidates",
        pagination_class=None,
        filter_backends=[],
    )
    def allocation_candidates(self, request: Request, pk: str) -> Response:
        booking = self.get_object()
        free = selectors.free_partners(booking, limit=10)
        return Response(s.PartnerCandidateSerializer(free, many=True).data)


@extend_schema(tags=["dispositions"])
class DispositionViewSet(ThrottleFirst, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The tags an agent may resolve a case with; pass ?kind= for those of one case kind."""

    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, ReadOnly]
    operations = {"list": "cases.view_dispositiontag"}
    serializer_class = s.DispositionSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = DispositionFilter
    pagination_class = None  # a few dozen rows, read whole by the console and the apps
    queryset = DispositionTag.objects.none()

    def get_queryset(self) -> QuerySet[DispositionTag]:
        return selectors.dispositions_for()


@extend_schema(tags=["cases"])
class CaseViewSet(ThrottleFirst, viewsets.GenericViewSet):
    """Cases: the queue (cursor-paged, -id), the detail with its audit trail, and the writes
    (create, edit, transitions, notes), each one service call."""

    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, CasePermission]
    operations = {
        "list": "cases.view_case",
        "retrieve": "cases.view_case",
        "create": "cases.work_case",
        "partial_update": "cases.work_case",
        "notes": "cases.work_case",
        "transitions": "cases.work_case",
    }
    filter_backends = [ListFilterBackend]
    filterset_class = CaseFilter
    pagination_class = CaseQueuePagination
    lookup_value_regex = ID_PATTERN
    queryset = Case.objects.none()

    def get_queryset(self) -> QuerySet[Case]:
        if self.action == "list":
            return selectors.case_list(user=self.request.user)
        return selectors.case_detail(user=self.request.user)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if sees_as_partner(self.request.user):
            if self.action == "list":
                return ps.PartnerCaseListSerializer
            return ps.PartnerCaseDetailSerializer
        return s.CaseListSerializer if self.action == "list" else s.CaseDetailSerializer

    def _ensure_visible(self, pk: str) -> int:
        """404 unless the caller may see the case; the service then locks it."""
        if not selectors.cases_visible_to(self.request.user).filter(pk=pk).exists():
            raise NotFound(f"Case {pk} does not exist.")
        return int(pk)

    def _detail(self, case_id: int, **kwargs: Any) -> Response:
        case = selectors.case_detail(user=self.request.user).get(pk=case_id)
        return Response(self.get_serializer(case).data, **kwargs)

    @extend_schema(
        summary="The case queue",
        description="A partner login reads its own cases in a shorter shape "
        "(PartnerCaseList): no people, clocks or customer.",
        responses={200: s.CaseListSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        cases = self.filter_queryset(self.get_queryset())
        if sees_as_partner(request.user):
            page = self.paginate_queryset(cases)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        # The back office's queue is read as rows (no model instances), into the same JSON
        # as CaseListSerializer's, from its one column table.
        page = self.paginate_queryset(cases.values(*selectors.CASE_LIST_COLUMNS))
        return self.get_paginated_response([s.case_list_row(row) for row in page])

    @extend_schema(
        summary="A case with its audit trail and the transitions open to you",
        description="A partner login reads its own cases in a shorter shape "
        "(PartnerCaseDetail): the public events of the trail only (notes sent to the "
        "customer), no people, clocks or customer.",
        responses={200: s.CaseDetailSerializer, 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Open a new case",
        request=s.CaseCreateSerializer,
        responses={201: s.CaseDetailSerializer, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def create(self, request: Request) -> Response:
        incoming = s.CaseCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        case = services.create_case(actor=request.user, **incoming.validated_data)
        return self._detail(case.pk, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit the working fields",
        request=s.CaseUpdateSerializer,
        responses={200: s.CaseDetailSerializer, **ERRORS, **CONFLICT},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        case_id = self._ensure_visible(pk)
        incoming = s.CaseUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        reason = changes.pop("reason", "")
        services.update_case(case_id=case_id, actor=request.user, changes=changes, reason=reason)
        return self._detail(case_id)

    @extend_schema(
        summary="Move a case along its state machine",
        parameters=[
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=services.transition_names(),
                description="park needs parked_until; resolve needs disposition.",
            )
        ],
        request=s.CaseTransitionSerializer,
        responses={200: s.CaseDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request: Request, pk: str, name: str) -> Response:
        case_id = self._ensure_visible(pk)
        incoming = s.CaseTransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.transition_case(
            case_id=case_id,
            name=name,
            actor=request.user,
            reason=data["reason"],
            data={k: data[k] for k in ("parked_until", "disposition") if data.get(k)},
            expected_status=data.get("expected_status"),
        )
        return self._detail(case_id)

    @extend_schema(
        summary="Add a note to the audit trail",
        request=s.NoteSerializer,
        responses={201: s.CaseEventSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        case_id = self._ensure_visible(pk)
        incoming = s.NoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        event = services.add_note(case_id=case_id, actor=request.user, **incoming.validated_data)
        return Response(s.CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["notifications"])
class NotificationViewSet(ThrottleFirst, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The logged-in user's notifications (escalations to them, breaches), newest first;
    ?unread=true for those not read yet."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, MatrixPermission]
    operations = {"list": "cases.view_notification", "read": "cases.change_notification"}
    serializer_class = s.NotificationSerializer
    filter_backends: list = []
    lookup_value_regex = ID_PATTERN
    queryset = Notification.objects.none()

    def get_queryset(self) -> QuerySet[Notification]:
        rows = Notification.objects.filter(recipient_id=self.request.user.pk)
        if self.request.query_params.get("unread") in ("true", "1"):
            rows = rows.filter(read_at__isnull=True)
        return rows.order_by("-created_at", "-id")

    @extend_schema(
        summary="Mark a notification read",
        request=None,
        responses={200: s.NotificationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        note = self.get_object()
        services.mark_read(notification_id=note.pk, actor=request.user)
        note.refresh_from_db()
        return Response(s.NotificationSerializer(note).data)
