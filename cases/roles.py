"""The back-office roles, as auth groups, and checks on them."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

AGENT = "agent"
PARTNER_SUPPORT = "partner support"
FINANCE = "finance"
SUPERVISOR = "supervisor"
ALL_ROLES = (AGENT, PARTNER_SUPPORT, FINANCE, SUPERVISOR)


def has_role(user: AbstractBaseUser | AnonymousUser | None, *roles: str) -> bool:
    """True when the user is active and in one of the roles (superusers hold every role)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names  # cached per request: transitions ask several times
    return bool(names.intersection(roles))
