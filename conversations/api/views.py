"""The messages of a case: read them, write to the customer or the partner. Back office
only (a partner login does not read the customer's mail)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cases.selectors import cases_visible_to
from core.api.base import AUTHENTICATION, CONFLICT, ERRORS
from core.api.permissions import MatrixPermission
from core.api.throttles import ThrottleFirst
from core.roles import is_back_office

from .. import selectors, services
from ..models import Message
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
    operations = {"list": "cases.view_case", "create": "cases.work_case"}
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
        message = services.send_message(
            case_id=case,
            actor=request.user,
            to=data["to"],
            subject=data.get("subject", ""),
            body=data["body"],
            files=data.get("files", []),
        )
        message = selectors.case_messages(case).get(pk=message.pk)
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)
