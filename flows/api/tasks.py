"""The task queue API: list and filter tasks, close one with its outcome, reassign it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from cases import services as case_services
from cases.catalog import Team
from cases.models import Task, TaskState
from core.api.base import AUTHENTICATION, CONFLICT, ERRORS, ID_PATTERN, ErrorSerializer
from core.api.filters import ListFilterBackend, MomentFilter, id_filter
from core.api.pagination import DefaultCursorPagination
from core.api.permissions import MatrixPermission
from core.api.throttles import ThrottleFirst
from core.errors import InvalidInput
from core.roles import is_back_office

from .. import task_outcomes
from . import serializers as s


class BackOffice(BasePermission):
    message = "Tasks are the back office's: you need a back-office role."

    def has_permission(self, request, view) -> bool:
        return is_back_office(request.user)


class TaskFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=TaskState.choices)
    owner_team = filters.ChoiceFilter(choices=Team.choices)
    owner = filters.CharFilter(method="filter_owner", label="Owner username, or 'me'")
    kind = filters.CharFilter()
    case = id_filter("case_id", "Case id")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Open and past its due time")
    due_before = MomentFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_owner(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "me":
            return queryset.filter(owner_id=self.request.user.pk)
        return queryset.filter(owner__username=value)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = {"state": TaskState.OPEN, "due_at__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class DuePagination(DefaultCursorPagination):
    page_size = 25
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = ("due_at", "id")


@extend_schema(tags=["tasks"])
class TaskViewSet(
    ThrottleFirst, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """What decisions asked people to do: open work by due time, per owner and team."""

    authentication_classes = AUTHENTICATION
    permission_classes = [BackOffice, MatrixPermission]
    operations = {
        "list": "cases.view_task",
        "retrieve": "cases.view_task",
        "close": "cases.change_task",
        "reassign": "cases.reassign_task",
    }
    serializer_class = s.TaskSerializer
    filterset_class = TaskFilter
    pagination_class = DuePagination
    filter_backends = [ListFilterBackend]
    lookup_value_regex = ID_PATTERN
    queryset = Task.objects.none()

    def get_queryset(self) -> QuerySet[Task]:
        return Task.objects.select_related("owner", "closed_by").order_by("due_at", "id")

    def _render(self, pk: int) -> Response:
        return Response(s.TaskSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        summary="Close a task with its outcome",
        request=s.TaskCloseSerializer,
        responses={200: s.TaskSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        incoming = s.TaskCloseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        task_outcomes.close_task(
            task_id=task.pk,
            actor=request.user,
            outcome=data["outcome"],
            done=data["done"],
            partner_at_fault=data.get("partner_at_fault"),
        )
        return self._render(task.pk)

    @extend_schema(
        summary="Give an open task to someone else (or back to its team's queue)",
        request=s.TaskReassignSerializer,
        responses={
            200: s.TaskSerializer,
            400: OpenApiResponse(ErrorSerializer),
            **ERRORS,
            **CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        incoming = s.TaskReassignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        username = incoming.validated_data["owner"]
        owner = None
        if username:
            owner = get_user_model().objects.filter(username=username, is_active=True).first()
            if owner is None or not is_back_office(owner):
                raise InvalidInput({"owner": f"No back-office user {username!r}."})
        case_services.reassign_task(
            task_id=task.pk,
            actor=request.user,
            owner=owner,
            reason=incoming.validated_data.get("reason", ""),
        )
        return self._render(task.pk)
