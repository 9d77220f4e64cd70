"""Fixtures of the API tests: clients per role, partner logins, the booking platform's user."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PartnerFactory, UserFactory


def client_for(user) -> APIClient:
    """A client authenticating with the user's API token, as the apps and integrations do."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def finance_client(finance_user):
    return client_for(finance_user)


@pytest.fixture
def partner_support_client(partner_support):
    return client_for(partner_support)


@pytest.fixture
def partner(db):
    """A partner with a partner-app login (not staff, no role)."""
    return PartnerFactory(user=UserFactory(username="partner-app-1", is_staff=False))


@pytest.fixture
def partner_client(partner):
    return client_for(partner.user)


@pytest.fixture
def platform_user(db):
    """The booking platform's integration user: no role, only the add permissions."""
    user = UserFactory(username="booking-platform", is_staff=False)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_partner", "add_customer", "add_booking"])
    )
    return user


@pytest.fixture
def platform_client(platform_user):
    return client_for(platform_user)
