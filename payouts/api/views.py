"""Payouts API views: validate, call a service or a selector, render. Nothing else.

Errors: 400 field errors, 403 role, 404 not yours or absent, 409 illegal state (e.g. approving
twice), 422 refused by the SOP (a genuine PAF cannot be reversed).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors as case_selectors
from core.api.base import AUTHENTICATION, ErrorSerializer
from core.api.filters import id_param
from core.api.permissions import MatrixPermission
from core.api.throttles import ThrottleFirst
from core.errors import InvalidInput
from core.inputs import BadInput, parse_day
from core.roles import is_back_office
from partners.models import Partner

from .. import selectors, services
from ..exports import stream_bank_file
from ..models import (
    LedgerEntry,
    MgPlanExclusion,
    PafState,
    PartnerAtFault,
    PayoutRun,
    Penalty,
    PenaltyState,
    Refund,
    RefundState,
    ReversalRequest,
    ReversalState,
    RunState,
)
from . import serializers as s

ID = r"\d+"


def _err(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    400: _err("Field errors: {code: invalid, detail, errors: {field: [message, ...]}}."),
    403: _err("Your role may not do this (nobody decides their own request)."),
    404: _err("No such record, or not yours to see."),
    409: _err("The record's state does not allow it (e.g. decided already)."),
    422: _err("Refused by the SOP, e.g. a genuine PAF cannot be reversed."),
}


def _state_param(choices) -> OpenApiParameter:
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


class _Base(
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


@extend_schema(tags=["payouts"], parameters=[_state_param(PafState), PARTNER_PARAM])
class PafViewSet(_Base):
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


@extend_schema(tags=["payouts"], parameters=[_state_param(PenaltyState), PARTNER_PARAM])
class PenaltyViewSet(_Base):
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


@extend_schema(tags=["payouts"], parameters=[_state_param(ReversalState), PARTNER_PARAM])
class ReversalRequestViewSet(_Base):
    """PAF-and-penalty reversal forms and rating reversals.

    Partner support logs them for the partner; a partner login may log one for its own PAF.
    Finance or a supervisor decides, never the person who logged it.
    """

    permission_classes = [MatrixPermission, PartnerMoneyPermission]
    operations = {
        "list": "payouts.view_reversalrequest",
        "retrieve": "payouts.view_reversalrequest",
        "create": "payouts.log_reversal",
        "approve": "payouts.decide_reversal",
        "reject": "payouts.decide_reversal",
        "start_review": "payouts.decide_reversal",
    }
    partner_actions = ("create",)
    serializer_class = s.ReversalRequestSerializer
    queryset = ReversalRequest.objects.none()

    def get_queryset(self) -> QuerySet[ReversalRequest]:
        return self._filtered(selectors.reversal_request_list(user=self.request.user))

    @extend_schema(
        summary="Log a reversal request",
        request=s.ReversalRequestCreateSerializer,
        responses={201: s.ReversalRequestSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.ReversalRequestCreateSerializer)
        created = services.submit_reversal_request(
            kind=data["kind"],
            actor=request.user,
            paf=data.get("paf"),
            booking=data.get("booking"),
            case=data.get("case"),
            call_recording_ref=data["call_recording_ref"],
            notes=data["notes"],
            evidence=data["evidence"],
        )
        return self._render(created.pk, status.HTTP_201_CREATED)

    def _decide(self, decide, pk: str) -> Response:
        request_row = self.get_object()
        data = self._input(s.ReasonSerializer)
        decide(request_id=request_row.pk, actor=self.request.user, reason=data["reason"])
        return self._render(request_row.pk)

    @extend_schema(
        summary="Approve: reverses the PAF and its penalty",
        request=s.ReasonSerializer,
        responses={200: s.ReversalRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(services.approve_reversal_request, pk)

    @extend_schema(
        summary="Reject: the PAF and penalty stand",
        request=s.ReasonSerializer,
        responses={200: s.ReversalRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._decide(services.reject_reversal_request, pk)

    @extend_schema(
        summary="Start reviewing a submitted request",
        request=None,
        responses={200: s.ReversalRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request: Request, pk: str) -> Response:
        row = self.get_object()
        services.start_reversal_review(request_id=row.pk, actor=request.user)
        return self._render(row.pk)


@extend_schema(tags=["payouts"], parameters=[_state_param(RefundState)])
class RefundViewSet(_Base):
    """Customer refunds: agents request, finance or a supervisor (not the requester) approves."""

    permission_classes = [MatrixPermission, BackOfficePermission]
    operations = {
        "list": "payouts.view_refund",
        "retrieve": "payouts.view_refund",
        "create": "payouts.request_refund",
        "approve": "payouts.decide_refund",
        "reject": "payouts.decide_refund",
        "mark_paid": "payouts.decide_refund",
        "mark_failed": "payouts.decide_refund",
    }
    serializer_class = s.RefundSerializer
    queryset = Refund.objects.none()
    filter_params = ("state",)

    def get_queryset(self) -> QuerySet[Refund]:
        return self._filtered(selectors.refund_list(user=self.request.user))

    @extend_schema(
        summary="Request a refund",
        request=s.RefundCreateSerializer,
        responses={201: s.RefundSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.RefundCreateSerializer)
        refund = services.request_refund(
            booking=data["booking"],
            case=data.get("case"),
            reason=data["reason"],
            amount=data["amount"],
            currency=data.get("currency"),
            note=data["note"],
            deduct_from_partner=data["deduct_from_partner"],
            actor=request.user,
        )
        return self._render(refund.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve (recovers from the partner once if asked)",
        request=s.OptionalReasonSerializer,
        responses={200: s.RefundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        refund = self.get_object()
        data = self._input(s.OptionalReasonSerializer)
        services.approve_refund(refund_id=refund.pk, actor=request.user, reason=data["reason"])
        return self._render(refund.pk)

    @extend_schema(
        summary="Reject",
        request=s.ReasonSerializer,
        responses={200: s.RefundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        refund = self.get_object()
        data = self._input(s.ReasonSerializer)
        services.reject_refund(refund_id=refund.pk, actor=request.user, reason=data["reason"])
        return self._render(refund.pk)

    @extend_schema(
        summary="Mark paid to the customer",
        request=s.PaymentReferenceSerializer,
        responses={200: s.RefundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: Request, pk: str) -> Response:
        refund = self.get_object()
        data = self._input(s.PaymentReferenceSerializer)
        services.mark_refund_paid(
            refund_id=refund.pk, actor=request.user, payment_reference=data["payment_reference"]
        )
        return self._render(refund.pk)

    @extend_schema(
        summary="Mark the payment failed",
        request=s.ReasonSerializer,
        responses={200: s.RefundSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="mark-failed")
    def mark_failed(self, request: Request, pk: str) -> Response:
        refund = self.get_object()
        data = self._input(s.ReasonSerializer)
        services.mark_refund_failed(refund_id=refund.pk, actor=request.user, reason=data["reason"])
        return self._render(refund.pk)


@extend_schema(tags=["payouts"], parameters=[_state_param(RunState)])
class PayoutRunViewSet(_Base):
    """Payout runs of a region: create, compute (a Celery task), approve (finance, not the
    person who computed it), bank file, mark paid."""

    permission_classes = [MatrixPermission, RunPermission]
    operations = {
        "list": "payouts.view_payoutrun",
        "retrieve": "payouts.view_payoutrun",
        "create": "payouts.operate_run",
        "compute": "payouts.operate_run",
        "export": "payouts.operate_run",
        "lines": "payouts.view_payoutline",
        "approve": "payouts.approve_run",
        "mark_paid": "payouts.approve_run",
    }
    serializer_class = s.PayoutRunSerializer
    queryset = PayoutRun.objects.none()
    filter_params = ("state",)

    def get_queryset(self) -> QuerySet[PayoutRun]:
        return self._filtered(selectors.run_list(user=self.request.user))

    @extend_schema(
        summary="Open a run for a region and period",
        request=s.PayoutRunCreateSerializer,
        responses={201: s.PayoutRunSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = self._input(s.PayoutRunCreateSerializer)
        run = services.create_payout_run(actor=request.user, **data)
        return self._render(run.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Queue the computation; poll the run for state and progress",
        request=None,
        responses={202: s.PayoutRunSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def compute(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        services.request_compute(run_id=run.pk, actor=request.user)
        return self._render(run.pk, status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Approve a computed run",
        request=None,
        responses={200: s.PayoutRunSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        services.approve_run(run_id=run.pk, actor=request.user)
        return self._render(run.pk)

    @extend_schema(
        summary="The bank paid the file: write the payout entries",
        request=None,
        responses={200: s.PayoutRunSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        services.mark_run_paid(run_id=run.pk, actor=request.user)
        return self._render(run.pk)

    @extend_schema(
        summary="The run's lines, one per partner",
        responses={200: s.PayoutLineSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], serializer_class=s.PayoutLineSerializer)
    def lines(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        page = self.paginate_queryset(selectors.run_lines(run=run))
        return self.get_paginated_response(s.PayoutLineSerializer(page, many=True).data)

    @extend_schema(
        summary="Bank file (CSV): partner external id, name, phone, currency, net",
        responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS},
    )
    def export(self, request: Request, pk: str):
        run = self.get_object()
        run, rows = services.export_run(run_id=run.pk, actor=request.user)
        return stream_bank_file(run, rows)


class LedgerPagination(LimitOffsetPagination):
    """Offset pages: the running balance is a window over the whole statement, so it stays
    right on every page (cursor filters would cut the window)."""

    default_limit = 50
    max_limit = 500
    balances: dict[str, Any] = {}

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["balances"] = {k: f"{v:.2f}" for k, v in self.balances.items()}
        return response

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["balances"] = {
            "type": "object",
            "additionalProperties": {"type": "string", "format": "decimal"},
            "example": {"INR": "123.45"},
        }
        return paged


@extend_schema(
    tags=["payouts"],
    summary="A partner's ledger, newest first, with the balance after each entry",
    parameters=[
        OpenApiParameter("currency", OpenApiTypes.STR, description="INR or EGP: one currency.")
    ],
    responses={200: s.LedgerEntrySerializer(many=True), **ERRORS},
)
class PartnerLedgerView(ThrottleFirst, GenericAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, PartnerMoneyPermission]
    operations = {"get": "payouts.view_ledgerentry"}
    serializer_class = s.LedgerEntrySerializer
    pagination_class = LedgerPagination
    queryset = LedgerEntry.objects.none()
    action = "ledger"

    def get(self, request: Request, partner_id: int) -> Response:
        if not selectors.may_read_partner_page(request.user, partner_id, self.operations["get"]):
            raise NotFound("No such partner, or not yours to see.")
        get_object_or_404(Partner, pk=partner_id)
        statement = selectors.ledger_statement(
            partner_id=partner_id, currency=request.query_params.get("currency") or None
        )
        paginator = self.paginator
        paginator.balances = selectors.partner_balances(partner_id=partner_id)
        page = paginator.paginate_queryset(statement, request, view=self)
        return paginator.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    tags=["payouts"],
    summary="A partner's MG plan: jobs, exclusions, count for a month",
    parameters=[
        OpenApiParameter(
            "month", OpenApiTypes.DATE, description="Any day of the month (default: this month)."
        )
    ],
    responses={200: s.MgPlanSerializer, **ERRORS},
)
class PartnerMgPlanView(ThrottleFirst, GenericAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, PartnerMoneyPermission]
    operations = {"get": "payouts.view_mgplanexclusion"}
    serializer_class = s.MgPlanSerializer
    queryset = MgPlanExclusion.objects.none()
    action = "mg_plan"

    def get(self, request: Request, partner_id: int) -> Response:
        if not selectors.may_read_partner_page(request.user, partner_id, self.operations["get"]):
            raise NotFound("No such partner, or not yours to see.")
        partner = get_object_or_404(Partner.objects.select_related("city__region"), pk=partner_id)
        raw = request.query_params.get("month")
        try:
            month = parse_day(raw) if raw else None
        except BadInput as exc:  # 2026-02-30, 9999-12-15: no such day, or none we plan for
            raise InvalidInput({"month": exc.message}) from None
        return Response(s.MgPlanSerializer(selectors.mg_plan_summary(partner, month=month)).data)
