"""Fixtures of the events tests: a local receiver, an administrator and an endpoint."""

from __future__ import annotations

import pytest

from events import services
from tests.events.receiver import Receiver
from tests.factories import UserFactory


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root-1", is_superuser=True, is_staff=True)


@pytest.fixture
def endpoint(receiver, admin_user):
    endpoint, secret = services.create_endpoint(
        actor=admin_user, url=receiver.url, event_types=[], description="Booking platform"
    )
    endpoint.plain_secret = secret
    return endpoint
