"""What every API view shares: the error body and its schema, authentication, id patterns,
and the create-or-update-by-external-id viewset the booking platform pushes through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from .filters import ListFilterBackend, ListSearchFilter
from .permissions import MatrixPermission, RefusedToPartners, UpsertPermission
from .throttles import ThrottleFirst


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal: a machine code, a readable reason, field errors if any."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        description='Field errors: {"code": "invalid", "detail": ..., "errors": {field: '
        "[message, ...]}}, for request validation and business rules alike.",
    ),
    403: OpenApiResponse(ErrorSerializer, description="Your role may not do this."),
    404: OpenApiResponse(ErrorSerializer, description="No such record, or not yours to see."),
}
CONFLICT = {409: OpenApiResponse(ErrorSerializer, description="The state does not allow it.")}
ID_PATTERN = r"\d+"
# Token first: its WWW-Authenticate header turns "no or bad credentials" into a 401 that
# API clients can act on; the console's session still works.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


class UpsertViewSet(
    ThrottleFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List, retrieve and create-or-update-by-external_id for what the platform pushes.

    Subclasses name the model, the selector that scopes rows to the caller, the input
    serializer and the upsert service: service(external_id=..., fields=...) -> (row, created).
    """

    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, UpsertPermission, RefusedToPartners]
    filter_backends = [ListFilterBackend, ListSearchFilter]
    search_fields = ["name", "phone", "external_id"]
    lookup_value_regex = ID_PATTERN
    upsert_model: type[Model]
    input_serializer_class: type[serializers.Serializer]
    list_selector: Callable[..., QuerySet]

    def get_queryset(self) -> QuerySet:
        return type(self).list_selector(user=self.request.user)

    def upsert(self, data: dict[str, Any]) -> tuple[Model, bool]:
        raise NotImplementedError

    def create(self, request: Request) -> Response:
        incoming = self.input_serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        row, created = self.upsert(dict(incoming.validated_data))
        row = self.get_queryset().get(pk=row.pk)
        return Response(
            self.get_serializer(row).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def upsert_schema(input_serializer: type[serializers.Serializer], output: Any) -> Any:
    """The schema of an upsert endpoint: 201 created, 200 updated."""
    return extend_schema(
        summary="Create or update by external_id",
        description=(
            "Posting an external_id that exists updates that row (200); a new one creates it "
            "(201). Safe to repeat and to send concurrently."
        ),
        request=input_serializer,
        responses={201: output, 200: output, 400: ERRORS[400], 403: ERRORS[403]},
    )
