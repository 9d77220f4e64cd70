"""Who may call the API at all: back-office roles, partner logins, the booking platform's user.

Row visibility (a partner sees only its own records) is the selectors' job; these classes
decide only whether the caller may read or write a kind of resource.
"""

from __future__ import annotations

from django.db.models import Model
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from core import access, roles


def may_read(user) -> bool:
    """Staff in a role group, superusers, and logins linked to an active partner."""
    return roles.is_back_office(user) or roles.is_active_partner_user(user)


def may_work_cases(user) -> bool:
    """Agents, partner support and supervisors."""
    return roles.has_role(user, roles.CASE_WORKERS)


def may_upsert(user, model: type[Model]) -> bool:
    """Supervisors, and users given the model's add permission (the booking platform)."""
    return roles.has_role(user, roles.SUPERVISOR) or roles.may_add(user, model)


class ReadOnly(BasePermission):
    """Reference data: readers may look, nobody writes through the API."""

    message = "You need a back-office role or a partner login to read this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS and may_read(request.user)


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


class MatrixPermission(BasePermission):
    """The role matrix (core.access) for the back office: the view names, per action (or per
    HTTP method for plain views), the permission the operation needs in `operations`; a
    back-office role without it gets a 403 before anything in the body is read. Staff
    without a role are refused; partner logins and the booking platform's login are left to
    the view's other classes (they open only their own records and operations)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        operations: dict[str, str] = getattr(view, "operations", {})
        needed = operations.get(getattr(view, "action", None) or "") or operations.get(
            request.method.lower()
        )
        user = request.user
        if needed is None or not user.is_authenticated:
            return True  # unauthenticated callers get the 401 of the view's other classes
        if roles.is_back_office(user):
            self.message = f"Your role may not do this ({needed.split('.', 1)[1]})."
            return access.may(user, needed)
        self.message = "You need a back-office role or a partner login."
        return not user.is_staff


class RefusedToPartners(BasePermission):
    """Actions the view names in `refused_to_partners` are the back office's: a partner login
    gets a 403 (allocation candidates would show it other partners)."""

    message = "A partner login may not do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        refused = getattr(view, "action", None) in getattr(view, "refused_to_partners", ())
        return not (refused and roles.sees_as_partner(request.user))
