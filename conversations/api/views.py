"""The messages of a case: read them, write to the customer or the partner. Back office
only (a partner login does not read the customer's mail)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import Task
from cases.selectors import cases_visible_to
from core.api.base import AUTHENTICATION, CONFLICT, ERRORS, ID_PATTERN
from core.api.filters import ListFilterBackend
from core.api.permissions import MatrixPermission
from core.api.throttles import ThrottleFirst
from core.errors import InvalidInput
from core.roles import is_back_office

from .. import selectors, services
from ..models import Language, Message, ReplyTemplate
from . import serializers as s


class BackOfficeOnly(BasePermission):
    message = "Messages are back-office records."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_back_office(request.user)


@extend_schema(tags=["conversations"])
class CaseMessageViewSet(ThrottleFirst, viewsets.GenericViewSet):
    """A case's e-mail, newest first; writing sends through the outbox."""

    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, BackOfficeOnly]
    operations = {
        "list": "cases.view_case",
        "create": "cases.work_case",
        "preview": "cases.work_case",
    }
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = s.MessageSerializer
    queryset = Message.objects.none()

    def _case_id(self) -> int:
        case_id = self.kwargs["case_id"]
        if not cases_visible_to(self.request.user).filter(pk=case_id).exists():
            raise NotFound(f"Case {case_id} does not exist.")
        return int(case_id)

    def get_queryset(self) -> QuerySet[Message]:
        return selectors.case_messages(self._case_id())

    @extend_schema(summary="The case's messages, newest first")
    def list(self, request: Request, case_id: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="E-mail the case's customer or partner",
        request={
            "application/json": s.MessageCreateSerializer,
            "multipart/form-data": s.MessageCreateSerializer,
        },
        responses={201: s.MessageSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request: Request, case_id: str) -> Response:
        case = self._case_id()
        incoming = s.MessageCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if data.get("template"):
            message = services.send_with_template(
                case_id=case,
                actor=request.user,
                key=data["template"],
                language=data.get("language", ""),
                to=data.get("to", ""),
                subject=data.get("subject", ""),
                body=data.get("body", ""),
                files=data.get("files", []),
                task_id=data.get("task"),
                channel=data["channel"],
            )
        else:
            message = services.send_message(
                case_id=case,
                actor=request.user,
                to=data["to"],
                subject=data.get("subject", ""),
                body=data["body"],
                files=data.get("files", []),
                channel=data["channel"],
            )
        message = selectors.case_messages(case).get(pk=message.pk)
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="A template filled for this case (nothing is sent)",
        parameters=[
            OpenApiParameter("template", OpenApiTypes.STR, required=True),
            OpenApiParameter("language", OpenApiTypes.STR, enum=Language.values),
            OpenApiParameter("task", OpenApiTypes.INT),
        ],
        responses={200: s.DraftSerializer, **ERRORS},
    )
    def preview(self, request: Request, case_id: str) -> Response:
        case = self._case_id()
        key = request.query_params.get("template", "")
        if not key:
            raise InvalidInput({"template": "Name the template to fill."})
        task_id = request.query_params.get("task", "")
        task = None
        if task_id:
            task = Task.objects.filter(pk=task_id if task_id.isdigit() else 0, case_id=case).first()
            if task is None:
                raise InvalidInput({"task": f"Case #{case} has no task {task_id}."})
        draft = services.compose(
            case_id=case,
            actor=request.user,
            key=key,
            language=request.query_params.get("language", ""),
            task=task,
        )
        return Response(s.DraftSerializer(draft).data)


class ReplyTemplateFilter(django_filters.FilterSet):
    key = django_filters.CharFilter()
    language = django_filters.ChoiceFilter(choices=Language.choices)
    audience = django_filters.CharFilter()
    active = django_filters.BooleanFilter()

    class Meta:
        model = ReplyTemplate
        fields = ["key", "language", "audience", "active"]


@extend_schema(tags=["conversations"])
class ReplyTemplateViewSet(ThrottleFirst, viewsets.ReadOnlyModelViewSet):
    """The reply templates (edited in the console by supervisors)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, BackOfficeOnly]
    operations = {
        "list": "conversations.view_replytemplate",
        "retrieve": "conversations.view_replytemplate",
    }
    serializer_class = s.ReplyTemplateSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = ReplyTemplateFilter
    lookup_value_regex = ID_PATTERN
    queryset = ReplyTemplate.objects.all()
