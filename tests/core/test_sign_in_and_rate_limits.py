"""Brute-force protection and rate limits: five wrong passwords lock a username out from
that address (console and token endpoint alike, 429 with Retry-After), a supervisor unlocks
it; the API's per-user and per-address limits answer 429 in the one error body."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory
from tests.helpers import client_for, logged_in

pytestmark = pytest.mark.django_db
PASSWORD = "right-horse-battery"


@pytest.fixture
def person(db):
    user = UserFactory(username="sign-in-agent", role="agent")
    user.set_password(PASSWORD)
    user.save()
    return user


def admin_login(client, password):
    return client.post(
        "/admin/login/?next=/admin/", {"username": "sign-in-agent", "password": password}
    )


def token(client, password):
    return client.post(
        "/api/v1/auth/token/",
        {"username": "sign-in-agent", "password": password},
        content_type="application/json",
    )


def test_the_console_locks_a_username_out_after_five_failures(person):
    client = Client()
    for _ in range(4):
        assert admin_login(client, "wrong").status_code == 200  # the form again
    locked = admin_login(client, "wrong")
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    # The right password does not get in while locked out.
    assert admin_login(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_locks_out_too_and_a_supervisor_unlocks(person, supervisor):
    client = Client()
    for _ in range(5):
        assert token(client, "wrong").status_code == 400
    locked = token(client, PASSWORD)
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    assert locked.json()["code"] == "locked_out"
    # A supervisor unlocks it in the console (deleting the access attempts).
    attempt = AccessAttempt.objects.get(username="sign-in-agent")
    console = logged_in(supervisor)
    assert console.get("/admin/axes/accessattempt/").status_code == 200
    confirm = console.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert confirm.status_code == 302
    assert token(client, PASSWORD).status_code == 200


def test_an_agent_cannot_unlock_accounts(agent):
    assert logged_in(agent).get("/admin/axes/accessattempt/").status_code == 403


def test_a_success_before_the_limit_resets_the_count(person):
    client = Client()
    for _ in range(4):
        token(client, "wrong")
    assert token(client, PASSWORD).status_code == 200
    for _ in range(4):
        assert token(client, "wrong").status_code == 400
    assert token(client, PASSWORD).status_code == 200


def test_the_api_limits_each_user_and_answers_429_with_retry_after(agent, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": "5/minute"}
    client = client_for(agent)
    answers = [client.get("/api/v1/cases/").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    limited = client.get("/api/v1/cases/")
    assert limited.json()["code"] == "throttled"
    assert 0 < int(limited["Retry-After"]) <= 60
    # Another user has a counter of their own.
    assert (
        client_for(UserFactory(username="agent-x", role="agent")).get("/api/v1/cases/").status_code
        == 200
    )


def test_the_token_endpoint_is_limited_per_address(person, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "sign_in": "3/minute"}
    client = Client()
    answers = [token(client, PASSWORD).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
