"""Shared fixtures: role users, API and console clients per role, partner and platform logins,
and the reference data every test database must hold."""

import importlib
import os
import random

import factory.random
import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from tests.factories import PartnerFactory, UserFactory
from tests.helpers import client_for, logged_in

# Generated data (Faker names, fuzzy dates) comes from one seed, printed in the header: a
# failure replays with CASEWORK_TEST_SEED=<seed>, and other seeds hunt for tests that lean
# on the luck of the data (CASEWORK_TEST_SEED=random draws one).
DEFAULT_SEED = 20261207


def _seed() -> int:
    raw = os.environ.get("CASEWORK_TEST_SEED", "")
    if raw == "random":
        return random.SystemRandom().randrange(1, 2**31)
    return int(raw) if raw else DEFAULT_SEED


TEST_SEED = _seed()


def pytest_report_header(config):
    return f"generated data seed: CASEWORK_TEST_SEED={TEST_SEED}"


@pytest.fixture(autouse=True)
def _seeded_data(request):
    """Each test draws its data from the run's seed and its own name, so a test's data does
    not depend on which tests ran before it (or on -k)."""
    seed = f"{TEST_SEED}:{request.node.nodeid}"
    factory.random.reseed_random(seed)
    random.seed(seed)


@pytest.fixture(autouse=True)
def _fresh_template_picker():
    """The reply-template picker keeps its rows for 30 s per process; a test's rows (rolled
    back after it) must not show in the next test's pages."""
    from conversations.selectors import forget_templates

    forget_templates()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Role users are made in almost every test; the production hasher is slow on purpose.
    Passwords hashed before (a module-scoped demo load) still verify."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


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
def finance_user2(db):
    return UserFactory(username="finance-2", role="finance")


@pytest.fixture
def partner_support(db):
    return UserFactory(username="ps-1", role="partner support")


@pytest.fixture
def partner(db):
    """A partner with a partner-app login (not staff, no role)."""
    return PartnerFactory(user=UserFactory(username="partner-app-1", is_staff=False))


@pytest.fixture
def partner_user(partner):
    """The partner login, for tests that name it as a user."""
    return partner


@pytest.fixture
def platform_user(db):
    """The booking platform's integration user: no role, only the add permissions."""
    user = UserFactory(username="booking-platform", is_staff=False)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_partner", "add_customer", "add_booking"])
    )
    return user


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


@pytest.fixture
def finance_client(finance_user):
    return client_for(finance_user)


@pytest.fixture
def partner_support_client(partner_support):
    return client_for(partner_support)


@pytest.fixture
def partner_client(partner):
    return client_for(partner.user)


@pytest.fixture
def platform_client(platform_user):
    return client_for(platform_user)


# Console clients (session login, as a browser)


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


@pytest.fixture(autouse=True)
def _roomy_rate_limits(settings):
    """Tests send many requests from one address: the API's rate limits are raised for them
    (the throttle tests set their own), and the counters start from zero each test."""
    from django.core.cache import cache

    settings.API_THROTTLE_RATES = {
        "user": "100000/minute",
        "anon": "100000/minute",
        "sign_in": "100000/minute",
    }
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """Each test sees the policy versions of its own database state (a rolled-back test may
    have cached a version that no longer exists)."""
    from partners.selectors import clear_calendar_cache
    from policies.selectors import clear_policy_cache

    clear_policy_cache()
    clear_calendar_cache()
    yield
    clear_policy_cache()
    clear_calendar_cache()


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Transactional tests (live server, two-connection races) flush every table afterwards;
    asking for serialized rollback everywhere puts the seeded cities, tags and role groups
    back, so later tests never depend on the order they ran in. Tests that use the
    django_db marker with transaction=True must also pass serialized_rollback=True."""
    return None


SEED_MIGRATIONS = [
    ("partners.migrations.0002_seed_regions", "seed"),
    ("partners.migrations.0004_seed_region_calendars", "seed"),
    ("cases.migrations.0002_seed_taxonomy", "load"),
    ("cases.migrations.0003_role_groups", "create_groups"),
    ("policies.migrations.0002_default_version", "create"),
    ("payouts.migrations.0002_role_permissions", "grant"),
    ("cases.migrations.0006_booking_event_permissions", "grant"),
    ("cases.migrations.0008_seed_teams_tags_task_permissions", "seed"),
    ("payouts.migrations.0005_mg_plan_permissions", "grant"),
    ("cases.migrations.0012_seed_clock_tags_permissions", "seed"),
    ("partners.migrations.0005_calendar_permissions", "grant"),
    ("cases.migrations.0014_sign_in_lockout_permissions", "grant"),
    ("core.access", "sync_role_permissions"),  # last: the groups are exactly the matrix
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With --reuse-db a transactional test of an earlier run may have flushed the seeded
    reference data (groups, or the groups' payouts permissions); run the (idempotent) seed
    migrations' functions again if so. At the end,
    end stray sessions on the test database before it is dropped."""
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.db import connection

    with django_db_blocker.unblock():
        from partners.models import City

        finance = Group.objects.filter(name="finance").first()
        # A flush that emitted post_migrate recreates the role groups (core.apps) but not
        # the seeded cities, so look at both.
        reseed = (
            finance is None
            or not finance.permissions.filter(content_type__app_label="payouts").exists()
            or not City.objects.exists()
        )
        if reseed:
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
            " AND usename = current_user AND backend_type = 'client backend'"
        )
