"""What the payouts API views share: the documented errors and parameters, the permission
classes that follow the role matrix, and the base viewset (scopes, inputs, filters, render)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors as case_selectors
from core.api.base import AUTHENTICATION, ErrorSerializer
from core.api.filters import id_param
from core.api.throttles import ThrottleFirst
from core.roles import is_back_office

from ... import selectors

ID = r"\d+"


def err(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    400: err("Field errors: {code: invalid, detail, errors: {field: [message, ...]}}."),
    403: err("Your role may not do this (nobody decides their own request)."),
    404: err("No such record, or not yours to see."),
    409: err("The record's state does not allow it (e.g. decided already)."),
    422: err("Refused by the SOP, e.g. a genuine PAF cannot be reversed."),
}


def state_param(choices) -> OpenApiParameter:
    return OpenApiParameter("state", OpenApiTypes.STR, enum=list(choices.values))


PARTNER_PARAM = OpenApiParameter("partner", OpenApiTypes.INT, description="Partner id.")


# Permissions: who may call at all. Rows are scoped by the selectors, roles by the services.


class PartnerMoneyPermission(BasePermission):
    """After the role matrix (MatrixPermission): the back office goes on to the services
    (which check the role again); a partner login reads its own rows and may only create
    what the view allows (reversal requests for its own PAFs)."""

    message = "You need a back-office role or a partner login."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not selectors.may_read_partner_money(user):
            return False
        if is_back_office(user) or request.method in SAFE_METHODS:
            return True
        self.message = "A partner login may only ask for reversals of its own records."
        return view.action in getattr(view, "partner_actions", ())


class BackOfficePermission(BasePermission):
    """Refunds are customer money: the back office only (what each role may do is the
    matrix's, MatrixPermission)."""

    message = "Only the back office handles refunds."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_back_office(request.user)


class RunPermission(BasePermission):
    message = "Only finance and supervisors work payout runs."

    def has_permission(self, request: Request, view: Any) -> bool:
        return selectors.may_read_runs(request.user)


class MoneyViewSet(
    ThrottleFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    authentication_classes = AUTHENTICATION
    lookup_value_regex = ID
    filter_backends: list = []
    filter_params: tuple[str, ...] = ("state", "partner")

    def _scopes(self) -> dict[str, QuerySet]:
        user = self.request.user
        return {
            "bookings": case_selectors.bookings_visible_to(user),
            "cases": case_selectors.cases_visible_to(user),
            "pafs": selectors.paf_list(user=user),
        }

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        incoming = serializer_class(data=self.request.data, context={"scopes": self._scopes()})
        incoming.is_valid(raise_exception=True)
        return dict(incoming.validated_data)

    def _filtered(self, qs: QuerySet) -> QuerySet:
        """The list's query-string filters, for the list only: a detail or an action finds
        (and answers from) its row whatever the query string says."""
        if self.action != "list":
            return qs
        params = self.request.query_params
        if "state" in self.filter_params and params.get("state"):
            qs = qs.filter(state=params["state"])
        if "partner" in self.filter_params and params.get("partner", "").strip():
            number = id_param(params["partner"], "partner")
            if number is None:
                raise ValidationError({"partner": ["Give the partner's id: the digits 0-9."]})
            qs = qs.filter(partner_id=number)
        return qs

    def _render(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        """The row the write changed, as the caller may see it (never through list filters:
        the write is committed, so this must not fail)."""
        row = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(row).data, status=code)
