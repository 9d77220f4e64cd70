"""core.api.checks: every API operation MatrixPermission guards names a permission the role
matrix knows; a typo or a forgotten action is a system-check error, so the server does not
start with an operation every back-office role could call."""

from django.core import checks
from django.urls import path
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from core.access import MATRIX, OPERATIONS
from core.api.checks import check_api_operations, known_permissions, operation_problems
from core.api.permissions import MatrixPermission


class _Things(viewsets.ViewSet):
    permission_classes = [MatrixPermission]
    operations = {"list": "cases.view_case", "retrieve": "cases.veiw_case"}  # a typo

    def list(self, request):
        return Response([])

    def retrieve(self, request, pk=None):
        return Response({})

    @action(detail=True, methods=["post"])
    def shred(self, request, pk=None):  # added without its permission
        return Response({})


class _Plain(APIView):
    permission_classes = [MatrixPermission]
    operations = {"get": "payouts.view_ledgerentry"}

    def get(self, request):
        return Response({})

    def post(self, request):
        return Response({})


class _Open(APIView):
    permission_classes: list = []  # not guarded by the matrix: not the check's business

    def get(self, request):
        return Response({})


def _patterns():
    router = SimpleRouter()
    router.register("things", _Things, basename="thing")
    return [
        *router.urls,
        path("plain/", _Plain.as_view()),
        path("open/", _Open.as_view()),
    ]


def test_every_operation_of_our_api_names_a_permission_of_the_matrix():
    assert operation_problems() == []
    assert check_api_operations() == []


def test_the_known_names_are_the_matrixs():
    known = known_permissions()
    assert set(OPERATIONS) <= known
    assert "events.manage_webhooks" in known  # granted to no role, still a name
    assert known == set().union(*MATRIX.values()) | set(OPERATIONS)
    assert "cases.veiw_case" not in known


def test_a_typo_and_a_forgotten_action_and_method_are_each_reported():
    problems = operation_problems(_patterns())
    assert len(problems) == 3, problems
    assert any("_Things.retrieve" in p and "'cases.veiw_case'" in p for p in problems)
    assert any("_Things.shred" in p and "names no permission" in p for p in problems)
    assert any("_Plain.post" in p and "names no permission" in p for p in problems)
    assert not any("_Open" in p or "_Things.list" in p or "_Plain.get" in p for p in problems)


def test_the_problems_are_errors_of_the_system_check(monkeypatch):
    import core.api.checks as module

    monkeypatch.setattr(module, "operation_problems", lambda: ["X.y (z/) names no permission"])
    errors = check_api_operations()
    assert [(e.level, e.id, e.msg) for e in errors] == [
        (checks.ERROR, "casework.E001", "X.y (z/) names no permission")
    ]
