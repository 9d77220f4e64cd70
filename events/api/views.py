"""Webhook API views: validate, call a service or a selector, render. Administrators manage
endpoints; the roles the matrix lets see the delivery log read endpoints and deliveries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.base import AUTHENTICATION, CONFLICT, ERRORS, ID_PATTERN
from core.api.filters import ListFilterBackend
from core.api.permissions import MatrixPermission
from core.api.throttles import ThrottleFirst
from core.roles import is_back_office

from .. import selectors, services
from ..models import Delivery, WebhookEndpoint
from . import serializers as s
from .filters import DeliveryFilter

MANAGE = "events.manage_webhooks"


class BackOfficeOnly(BasePermission):
    message = "Webhooks are back-office records."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_back_office(request.user)


class _Base(ThrottleFirst, viewsets.GenericViewSet):
    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, BackOfficeOnly]
    lookup_value_regex = ID_PATTERN

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        incoming = serializer_class(data=self.request.data)
        incoming.is_valid(raise_exception=True)
        return dict(incoming.validated_data)


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Receivers of the events (see this schema's webhooks for each type and its payload)."""

    operations = {
        "list": "events.view_webhookendpoint",
        "retrieve": "events.view_webhookendpoint",
        "create": MANAGE,
        "partial_update": MANAGE,
        "rotate_secret": MANAGE,
        "send_test": MANAGE,
        "redeliver_failed": MANAGE,
    }
    serializer_class = s.WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.endpoints_with_rates()

    def _render(self, pk: int, code: int = status.HTTP_200_OK, secret: str | None = None):
        row = self.get_queryset().get(pk=pk)
        if secret is None:
            return Response(s.WebhookEndpointSerializer(row).data, status=code)
        row.secret = secret
        return Response(s.WebhookEndpointWithSecretSerializer(row).data, status=code)

    @extend_schema(
        summary="Add an endpoint (its secret is in this answer only)",
        request=s.WebhookEndpointInputSerializer,
        responses={201: s.WebhookEndpointWithSecretSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.WebhookEndpointInputSerializer)
        endpoint, secret = services.create_endpoint(actor=request.user, **data)
        return self._render(endpoint.pk, status.HTTP_201_CREATED, secret)

    @extend_schema(
        summary="Change the URL, event types, description or enabled",
        request=s.WebhookEndpointUpdateSerializer,
        responses={200: s.WebhookEndpointSerializer, **ERRORS},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        data = self._input(s.WebhookEndpointUpdateSerializer)
        services.update_endpoint(actor=request.user, endpoint_id=endpoint.pk, **data)
        return self._render(endpoint.pk)

    @extend_schema(
        summary="Rotate the signing secret (the old one is valid 24 h more)",
        request=None,
        responses={200: s.WebhookEndpointWithSecretSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        _, secret = services.rotate_secret(actor=request.user, endpoint_id=endpoint.pk)
        return self._render(endpoint.pk, secret=secret)

    @extend_schema(
        summary="Send a test event (webhook.test) to this endpoint",
        request=None,
        responses={202: s.DeliverySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="send-test")
    def send_test(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        delivery = services.send_test_event(actor=request.user, endpoint_id=endpoint.pk)
        row = selectors.delivery_list().get(pk=delivery.pk)
        return Response(s.DeliverySerializer(row).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Send the failed deliveries since a moment again, in order",
        request=s.RedeliverSerializer,
        responses={200: s.RedeliveredSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="redeliver-failed")
    def redeliver_failed(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        data = self._input(s.RedeliverSerializer)
        count = services.redeliver_failed_since(
            actor=request.user, endpoint_id=endpoint.pk, since=data["since"], reason=data["reason"]
        )
        return Response({"redelivered": count})


@extend_schema(tags=["webhooks"])
class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """The delivery log: one row per event and endpoint, with every attempt."""

    operations = {
        "list": "events.view_delivery",
        "retrieve": "events.view_delivery",
        "retry": MANAGE,
    }
    queryset = Delivery.objects.none()
    filter_backends = [ListFilterBackend]
    filterset_class = DeliveryFilter

    def get_queryset(self) -> QuerySet:
        qs = selectors.delivery_list()
        return qs.prefetch_related("tries") if self.action == "retrieve" else qs

    def get_serializer_class(self):
        return s.DeliveryDetailSerializer if self.action != "list" else s.DeliverySerializer

    @extend_schema(
        summary="Retry now (same webhook-id)",
        request=None,
        responses={200: s.DeliveryDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        delivery = self.get_object()
        services.retry_now(actor=request.user, delivery_id=delivery.pk)
        row = self.get_queryset().prefetch_related("tries").get(pk=delivery.pk)
        return Response(s.DeliveryDetailSerializer(row).data)
