"""API views of the SOP flows: list a case's flows, run one, its decision history, follow-up
calls, revisits and out-of-scope tickets. Thin: validate, call cases.flows, render."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import bookings_visible_to, cases_visible_to
from core.api.base import AUTHENTICATION, CONFLICT, ERRORS, ErrorSerializer
from core.api.permissions import MatrixPermission, may_work_cases
from core.api.throttles import ThrottleFirst
from core.roles import is_back_office

from .. import calls, intake, loading, runner
from .. import selectors as flow_selectors
from ..table import FLOWS
from . import serializers as s

REFUSAL = {
    422: OpenApiResponse(
        ErrorSerializer,
        description="The SOP refuses: code is the decision's outcome, detail its reason. "
        "Nothing was written.",
    )
}


class FlowPermission(BasePermission):
    """The back office reads a case's flows and decisions (they cite what the records say,
    the customer's fraud score included: never a partner login's); case workers run flows."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            self.message = "SOP flows and decisions are the back office's: you need a role."
            return is_back_office(request.user)
        self.message = "Only agents, partner support and supervisors may run SOP flows."
        return may_work_cases(request.user)


class _CaseView(ThrottleFirst, APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [MatrixPermission, FlowPermission]
    operations = {"get": "cases.view_case", "post": "cases.work_case"}

    def visible_case_id(self, request: Request, case_id: int) -> int:
        if not cases_visible_to(request.user).filter(pk=case_id).exists():
            raise NotFound(f"Case {case_id} does not exist.")
        return case_id


@extend_schema(tags=["flows"])
class CaseFlowsView(_CaseView):
    @extend_schema(
        summary="The SOP flows of a case, with what each asks and what the records fill",
        responses={200: s.FlowSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request: Request, case_id: int) -> Response:
        self.visible_case_id(request, case_id)
        case = loading.case_with_records(case_id)
        data = [flow.to_dict(ctx) for flow, ctx in flow_selectors.flows_offered(case)]
        return Response(data)


@extend_schema(tags=["flows"])
class RunFlowView(_CaseView):
    @extend_schema(
        summary="Run a flow: decide with the SOP and apply the decision",
        description=(
            "The body holds the flow's inputs (GET the case's flows for their schema), flat "
            'or under "inputs". 400: field errors. 409: the case is resolved or closed. '
            "422: a gate flow (revisit.create, oos.eligibility) is refused by the SOP; nothing "
            "is written. Other refusals (e.g. a genuine PAF cannot be reversed) are the answer "
            'given and are recorded: 200 with "refused": true in the decision.'
        ),
        parameters=[
            OpenApiParameter("flow", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(FLOWS))
        ],
        request=OpenApiTypes.OBJECT,
        responses={200: s.FlowRunSerializer, **ERRORS, **CONFLICT, **REFUSAL},
    )
    def post(self, request: Request, case_id: int, flow: str) -> Response:
        self.visible_case_id(request, case_id)
        body = request.data
        inputs = body.get("inputs") if set(body) == {"inputs"} else body
        if not isinstance(inputs, dict):
            inputs = {}
        run = runner.decide_case(
            case_id=case_id, flow=flow, inputs=dict(inputs), actor=request.user
        )
        return Response(s.FlowRunSerializer(run).data)


@extend_schema(tags=["flows"])
class DecisionHistoryView(_CaseView):
    @extend_schema(
        summary="The decisions recorded on a case, oldest first",
        responses={200: s.DecisionEventSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request: Request, case_id: int) -> Response:
        self.visible_case_id(request, case_id)
        events = flow_selectors.decision_history(case_id=case_id)
        return Response(s.DecisionEventSerializer(events, many=True).data)


@extend_schema(tags=["flows"])
class CallAttemptView(_CaseView):
    @extend_schema(
        summary="Log a follow-up call and apply the pending-customer-action SOP",
        request=s.CallAttemptSerializer,
        responses={200: s.DecisionSerializer, **ERRORS, **CONFLICT, **REFUSAL},
    )
    def post(self, request: Request, case_id: int) -> Response:
        self.visible_case_id(request, case_id)
        incoming = s.CallAttemptSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        decision = calls.record_call_attempt(
            case_id=case_id,
            actor=request.user,
            outcome=data["outcome"],
            at=data.get("at") or timezone.now(),
            material_needed=data.get("material_needed"),
            operations_note_days=data.get("operations_note_days"),
            new_appointment_at=data.get("new_appointment_at"),
            script=data.get("script", ()),
        )
        return Response(s.DecisionSerializer(decision).data)


@extend_schema(tags=["flows"])
class RevisitView(ThrottleFirst, APIView):
    """The customer app or an agent asks for a revisit of a job."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, MatrixPermission]
    operations = {"post": "cases.work_case"}

    @extend_schema(
        summary="Create a revisit of a job, inside the warranty",
        description="422 revisit_refused_outside_warranty outside the warranty; 409 when the "
        "job is not completed. The second revisit on the same job is an SME revisit; one after "
        "it is not made: 202 with the supervisor's escalation case and no booking.",
        request=s.RevisitRequestSerializer,
        responses={
            201: s.RevisitResultSerializer,
            202: s.RevisitResultSerializer,
            **ERRORS,
            **CONFLICT,
            **REFUSAL,
        },
    )
    def post(self, request: Request, booking_id: int) -> Response:
        if not bookings_visible_to(request.user).filter(pk=booking_id).exists():
            raise NotFound(f"Booking {booking_id} does not exist.")
        incoming = s.RevisitRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = intake.create_revisit(
            booking_id=booking_id,
            actor=request.user,
            requested_on=incoming.validated_data.get("requested_on"),
            issue_note=incoming.validated_data.get("issue_note", ""),
        )
        # 202: a revisit after the SME one is not made; a supervisor's case is opened instead.
        code = status.HTTP_201_CREATED if result.booking is not None else status.HTTP_202_ACCEPTED
        return Response(s.RevisitResultSerializer(result).data, status=code)


@extend_schema(tags=["flows"])
class OosTicketView(ThrottleFirst, APIView):
    """A partner at the job raises an out-of-scope ticket (partner support on his behalf)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated, MatrixPermission]
    operations = {"post": "payouts.log_reversal"}

    @extend_schema(
        summary="Raise an out-of-scope ticket from the job site",
        description=(
            "422 with code oos_refused_rwm_partner, oos_refused_too_far or "
            "oos_images_required when the SOP refuses; nothing is written. 201 with the new "
            "parked case, 200 with the open ticket when one exists."
        ),
        request=s.OosTicketRequestSerializer,
        responses={
            201: s.OosTicketResultSerializer,
            200: s.OosTicketResultSerializer,
            **ERRORS,
            **CONFLICT,
            **REFUSAL,
        },
    )
    def post(self, request: Request) -> Response:
        incoming = s.OosTicketRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if not bookings_visible_to(request.user).filter(pk=data["booking"]).exists():
            raise NotFound(f"Booking {data['booking']} does not exist.")
        result = intake.raise_oos_ticket(
            booking_id=data["booking"],
            partner_actor_or_partner=request.user,
            latitude=data["latitude"],
            longitude=data["longitude"],
            images=data["images"],
            note=data.get("note", ""),
        )
        return Response(
            s.OosTicketResultSerializer(result).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
