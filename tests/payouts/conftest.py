"""Fixtures for the payouts tests: partner users and API clients per role."""

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def finance_user2(db):
    return UserFactory(username="finance-2", role="finance")


@pytest.fixture
def finance_client(finance_user):
    return client_for(finance_user)


@pytest.fixture
def ps_client(partner_support):
    return client_for(partner_support)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Role users are made per test; a real PBKDF2 hash costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the project-wide re-seed (tests/conftest.py), make sure the role groups also hold
    their payouts permissions (a flushed, reused test database loses them)."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    grant = importlib.import_module("payouts.migrations.0002_role_permissions").grant
    with django_db_blocker.unblock():
        finance = Group.objects.filter(name="finance").first()
        if (
            finance is None
            or not finance.permissions.filter(content_type__app_label="payouts").exists()
        ):
            grant(apps, None)
