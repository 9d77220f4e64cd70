"""Who may read and write cases through the API (the rules themselves are core.roles')."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from core.api.permissions import may_read, may_work_cases


class CasePermission(BasePermission):
    """Readers read; agents, partner support and supervisors write."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            self.message = "You need a back-office role or a partner login to read cases."
            return may_read(request.user)
        self.message = "Only agents, partner support and supervisors may change cases."
        return may_work_cases(request.user)
