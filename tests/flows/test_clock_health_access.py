"""/health/clocks/ by caller: a load balancer (anyone) gets the bare status with 200 or 503;
back-office staff, by console session or API token, also get the queues and the problems."""

import pytest
from django.test import Client

from flows import clocks
from tests.factories import PartnerFactory, UserFactory
from tests.helpers import client_for, logged_in

pytestmark = pytest.mark.django_db

URL = "/health/clocks/"
DETAILS = {"status", "at", "problems", "queues"}


@pytest.fixture
def swept(db):
    clocks.sweep_all()


def test_anyone_gets_only_the_bare_status_when_healthy(swept):
    response = Client().get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_anyone_gets_only_the_bare_status_when_a_sweep_never_ran(db):
    response = Client().get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}


def test_a_partner_login_a_roleless_user_and_a_bad_token_get_the_bare_status(swept):
    partner = PartnerFactory(user=UserFactory(username="health-partner", is_staff=False))
    callers = [
        client_for(partner.user),
        logged_in(partner.user),
        logged_in(UserFactory(username="health-roleless")),
        Client(HTTP_AUTHORIZATION="Token not-a-real-token"),
    ]
    for caller in callers:
        response = caller.get(URL)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_staff_signed_in_to_the_console_get_the_details(swept, agent):
    response = logged_in(agent).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAILS and body["status"] == "ok" and body["problems"] == []
    assert "sla" in {q["name"] for q in body["queues"]}


def test_staff_calling_with_their_api_token_get_the_details_of_a_problem(db, finance_user):
    response = client_for(finance_user).get(URL)
    assert response.status_code == 503
    body = response.json()
    assert set(body) == DETAILS and body["status"] == "degraded"
    assert "sla: never ran" in body["problems"]
