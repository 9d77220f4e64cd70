"""core.roles.read_access: a user's role names and permissions in one query, the same answers
Django's ModelBackend gives."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User

from core import roles

pytestmark = pytest.mark.django_db


def _user(*groups: str, **fields) -> User:
    user = User.objects.create_user(username=fields.pop("username", "pat"), **fields)
    user.groups.set(Group.objects.filter(name__in=groups))
    return User.objects.get(pk=user.pk)  # fresh: nothing cached on it


def test_roles_and_every_permission_check_of_a_request_cost_one_query(
    django_assert_num_queries,
):
    user = _user("agent", "finance")
    user.user_permissions.add(Permission.objects.get(codename="add_booking"))
    user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert roles.role_names(user) == {"agent", "finance"}
        assert user.has_perm("cases.view_case")
        assert user.has_perm("cases.add_booking")  # the user's own, not a group's
        assert not user.has_perm("auth.delete_user")
        assert roles.has_role(user, roles.FINANCE)


@pytest.mark.parametrize("groups", [(), ("agent",), ("partner support", "supervisor")])
def test_the_permissions_are_the_model_backends(groups):
    user = _user(*groups)
    user.user_permissions.add(Permission.objects.get(codename="add_booking"))
    ours = User.objects.get(pk=user.pk)
    theirs = User.objects.get(pk=user.pk)
    backend = ModelBackend()
    assert ours.get_all_permissions() == backend.get_all_permissions(theirs)
    assert (
        ours.get_user_permissions() == backend.get_user_permissions(theirs) == {"cases.add_booking"}
    )
    assert ours.get_group_permissions() == backend.get_group_permissions(theirs)
    assert roles.role_names(ours) == set(groups)


def test_the_permissions_asked_first_then_the_roles_are_still_one_query(
    django_assert_num_queries,
):
    user = _user("supervisor")
    with django_assert_num_queries(1):
        assert user.has_perm("cases.change_case")
        assert roles.role_names(user) == {"supervisor"}


def test_a_superuser_keeps_every_permission_and_an_inactive_user_has_none():
    boss = _user("agent", username="boss", is_superuser=True)
    assert boss.has_perm("auth.delete_user") and roles.has_role(boss, roles.FINANCE)
    assert roles.role_names(boss) == {"agent"}
    gone = _user("agent", username="gone", is_active=False)
    assert not gone.has_perm("cases.view_case") and roles.role_names(gone) == frozenset()
