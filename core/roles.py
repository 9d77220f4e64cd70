"""The back-office roles (auth groups), the named role sets that say who may do what, and the
checks on them. One place: services, API permissions and the console all ask here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model

from .errors import NotPermitted

User = AbstractBaseUser | AnonymousUser

AGENT = "agent"
PARTNER_SUPPORT = "partner support"
FINANCE = "finance"
SUPERVISOR = "supervisor"
ALL_ROLES = frozenset({AGENT, PARTNER_SUPPORT, FINANCE, SUPERVISOR})

# Named role sets. Superusers hold every role.
CASE_WORKERS = frozenset({AGENT, PARTNER_SUPPORT, SUPERVISOR})  # work cases, run SOP flows
CASE_REOPENERS = frozenset({SUPERVISOR})
PAF_MARKERS = CASE_WORKERS
PAF_REVIEWERS = frozenset({SUPERVISOR})
REVERSAL_LOGGERS = frozenset({PARTNER_SUPPORT, SUPERVISOR})  # log reversal forms, OOS tickets
MONEY_DECIDERS = frozenset({FINANCE, SUPERVISOR})  # decide reversals and refunds
REFUND_REQUESTERS = frozenset({AGENT, FINANCE, SUPERVISOR})
RUN_OPERATORS = MONEY_DECIDERS  # create, compute, export payout runs
RUN_READERS = MONEY_DECIDERS
RUN_APPROVERS = frozenset({FINANCE})
BONUS_GRANTERS = CASE_WORKERS
POLICY_EDITORS = frozenset({SUPERVISOR})


def role_names(user: User | None) -> frozenset[str]:
    """The role groups a user is in (cached on the user object: one query per request, the
    same that reads the user's permissions, see read_access)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    names = getattr(user, "_role_names", None)
    if names is None:
        read_access(user)
        names = user._role_names
    return names


def read_access(user: Any) -> None:
    """Read in one query what every page asks of a signed-in user: the names of their groups
    (role_names) and their permissions, direct and through the groups, kept on the user
    object as Django's ModelBackend keeps them (`_user_perm_cache`, `_group_perm_cache`,
    `_perm_cache`), so `has_perm` asks nothing more. The backend made two queries for the
    permissions and role_names a third. A superuser's permissions (all of them) are left to
    the backend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_ACCESS, [user.pk, user.pk, user.pk])
        rows = cursor.fetchall()
    user._role_names = frozenset(value for kind, value in rows if kind == "r")
    if user.is_superuser:
        return
    user._user_perm_cache = {value for kind, value in rows if kind == "u"}
    user._group_perm_cache = {value for kind, value in rows if kind == "g"}
    user._perm_cache = user._user_perm_cache | user._group_perm_cache


def _permissions(kind: str) -> str:
    """The permissions' names as `app_label.codename`, each row marked `kind`."""
    return (
        f"SELECT '{kind}', ct.app_label || '.' || p.codename FROM auth_permission p"
        " JOIN django_content_type ct ON ct.id = p.content_type_id"
    )


_ACCESS = (
    _permissions("u")
    + " JOIN auth_user_user_permissions up ON up.permission_id = p.id WHERE up.user_id = %s"
    " UNION ALL " + _permissions("g") + " JOIN auth_group_permissions gp ON gp.permission_id = p.id"
    " JOIN auth_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s"
    " UNION ALL SELECT 'r', g.name FROM auth_group g"
    " JOIN auth_user_groups ug ON ug.group_id = g.id WHERE ug.user_id = %s"
)


def has_role(user: User | None, *roles: str | Iterable[str]) -> bool:
    """True when the user is active and in one of the roles (role names or role sets);
    superusers hold every role."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    wanted: set[str] = set()
    for role in roles:
        wanted.update((role,) if isinstance(role, str) else role)
    return bool(role_names(user) & wanted)


def require_role(user: User | None, allowed: Iterable[str], *, doing: str) -> None:
    """Raise NotPermitted (403) unless the user holds one of the allowed roles."""
    if not has_role(user, allowed):
        raise NotPermitted(f"Your role may not {doing}.")


def partner_of(user: User | None) -> Any | None:
    """The partner record a partner-app login belongs to, or None for staff and strangers.

    Django caches the reverse one-to-one on the user object (a miss included), so asking
    twice in one request costs one query.
    """
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.partner  # type: ignore[union-attr]
    except (ObjectDoesNotExist, AttributeError):
        return None


def is_back_office(user: User | None) -> bool:
    """Staff in one of the role groups, or a superuser."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff) and has_role(user, ALL_ROLES)


def is_active_partner_user(user: User | None) -> bool:
    """A login linked to an active partner (the partner app)."""
    partner = partner_of(user)
    return partner is not None and partner.is_active and bool(user and user.is_active)


def sees_as_partner(user: User | None) -> bool:
    """A partner-app login (not the back office): the API answers it in the partner-facing
    shapes (public events only, no fraud score, contact details only while it holds a job)."""
    return not is_back_office(user) and partner_of(user) is not None


def may_add(user: User | None, model: type[Model]) -> bool:
    """The integration permission: a user given the model's add permission (the booking
    platform's login) may push rows of it and read back what it pushed."""
    opts = model._meta
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
    )


def actor_or_none(user: User | None) -> AbstractBaseUser | None:
    """The actor as a foreign-key value: None for system calls and anonymous users."""
    if user is None or not user.is_authenticated:
        return None
    return user  # type: ignore[return-value]


def row_scope(user: User | None, model: type[Model]) -> tuple[bool, Any | None]:
    """(sees every row, partner to restrict the rows to) for the API's lists.

    The back office sees everything; a partner login its own rows; a user allowed to add
    the model (the booking platform's) reads back everything of that model it pushes.
    """
    if is_back_office(user):
        return True, None
    partner = partner_of(user)
    if partner is not None:
        return False, partner
    return may_add(user, model), None
