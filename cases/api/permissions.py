"""Who may call the API: back-office roles, partner logins, the booking platform's user.

Row visibility (a partner sees only its own records) is the selectors' job; these classes
decide only whether the caller may read or write a kind of resource at all.
"""

from __future__ import annotations

from django.db.models import Model
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from .. import roles
from ..selectors import is_active_partner_user, is_back_office

CASE_WORKERS = (roles.AGENT, roles.PARTNER_SUPPORT, roles.SUPERVISOR)


def may_read(user) -> bool:
    """Staff in a role group, superusers, and logins linked to an active partner."""
    return is_back_office(user) or is_active_partner_user(user)


def may_work_cases(user) -> bool:
    return roles.has_role(user, *CASE_WORKERS)


def may_upsert(user, model: type[Model]) -> bool:
    """Supervisors, and users given the model's add permission (the booking platform)."""
    if roles.has_role(user, roles.SUPERVISOR):
        return True
    opts = model._meta
    return bool(
        user and user.is_active and user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
    )


class ReadOnly(BasePermission):
    """Reference data: readers may look, nobody writes through the API."""

    message = "You need a back-office role or a partner login to read this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS and may_read(request.user)


class CasePermission(BasePermission):
    """Readers read; agents, partner support and supervisors write."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            self.message = "You need a back-office role or a partner login to read cases."
            return may_read(request.user)
        self.message = "Only agents, partner support and supervisors may change cases."
        return may_work_cases(request.user)


class UpsertPermission(BasePermission):
    """Records the booking platform pushes (partners, customers, bookings).

    Readers read; supervisors and holders of the model's add permission write, and may also
    read back what they pushed. The view names the model in `upsert_model`.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        model = view.upsert_model  # type: ignore[attr-defined]
        if request.method in SAFE_METHODS:
            self.message = "You need a back-office role or a partner login to read this."
            return may_read(request.user) or may_upsert(request.user, model)
        plural = model._meta.verbose_name_plural
        self.message = f"Only supervisors and the booking platform may write {plural}."
        return may_upsert(request.user, model)
