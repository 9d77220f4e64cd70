"""Shared fixtures: role users, an API client per role."""

import importlib

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def agent(db):
    return UserFactory(username="agent-1", role="agent")


@pytest.fixture
def agent2(db):
    return UserFactory(username="agent-2", role="agent")


@pytest.fixture
def supervisor(db):
    return UserFactory(username="super-1", role="supervisor")


@pytest.fixture
def finance_user(db):
    return UserFactory(username="finance-1", role="finance")


@pytest.fixture
def partner_support(db):
    return UserFactory(username="ps-1", role="partner support")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def agent_client(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


@pytest.fixture
def supervisor_client(supervisor):
    client = APIClient()
    client.force_authenticate(supervisor)
    return client


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """Each test sees the policy versions of its own database state (a rolled-back test may
    have cached a version that no longer exists)."""
    from policies.selectors import clear_policy_cache

    clear_policy_cache()
    yield
    clear_policy_cache()


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Transactional tests (live server, two-connection races) flush every table afterwards;
    asking for serialized rollback everywhere puts the seeded cities, tags and role groups
    back, so later tests never depend on the order they ran in. Tests that use the
    django_db marker with transaction=True must also pass serialized_rollback=True."""
    return None


SEED_MIGRATIONS = [
    ("partners.migrations.0002_seed_regions", "seed"),
    ("cases.migrations.0002_seed_taxonomy", "load"),
    ("cases.migrations.0003_role_groups", "create_groups"),
    ("policies.migrations.0002_default_version", "create"),
    ("payouts.migrations.0002_role_permissions", "grant"),
    ("cases.migrations.0006_booking_event_permissions", "grant"),
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With --reuse-db a transactional test of an earlier run may have flushed the seeded
    reference data; run the (idempotent) seed migrations' functions again if so. At the end,
    end stray sessions on the test database before it is dropped."""
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.db import connection

    with django_db_blocker.unblock():
        if not Group.objects.exists():
            for module, func in SEED_MIGRATIONS:
                getattr(importlib.import_module(module), func)(apps, None)
            # The snapshot serialized rollback restores was taken before this re-seed.
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    yield
    # A live-server thread may still hold its connection on a browser's keep-alive socket;
    # end such sessions so the test database can be dropped cleanly.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
