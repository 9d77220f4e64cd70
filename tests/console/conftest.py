"""Console fixtures: logged-in test clients per role and cases put into a given state."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import Case
from tests.factories import CaseFactory, UserFactory, tag_for


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Role users are created in almost every test; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def case_in(status: str, **kwargs) -> Case:
    """A case already in `status` (set with an UPDATE, as a fixture, not through the FSM)."""
    case = CaseFactory(**kwargs)
    extra: dict = {"status": status}
    if status == "parked":
        extra["parked_until"] = timezone.now() + timedelta(hours=3)
    if status in ("resolved", "closed"):
        extra["disposition"] = tag_for(case.kind)
        extra["resolved_at"] = timezone.now()
    if status == "closed":
        extra["closed_at"] = timezone.now()
    Case.objects.filter(pk=case.pk).update(**extra)
    return Case.objects.get(pk=case.pk)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent_console(agent):
    return logged_in(agent)


@pytest.fixture
def supervisor_console(supervisor):
    return logged_in(supervisor)


@pytest.fixture
def finance_console(finance_user):
    return logged_in(finance_user)


@pytest.fixture
def partner_support_console(partner_support):
    return logged_in(partner_support)


@pytest.fixture
def consoles(agent, partner_support, finance_user, supervisor):
    """One logged-in client per role, keyed by the role group's name."""
    return {
        "agent": logged_in(agent),
        "partner support": logged_in(partner_support),
        "finance": logged_in(finance_user),
        "supervisor": logged_in(supervisor),
    }


@pytest.fixture
def roleless_console(db):
    """Staff, but in no role group: the console shows it nothing."""
    return logged_in(UserFactory(username="nobody"))
