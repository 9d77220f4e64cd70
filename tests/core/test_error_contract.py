"""Every error under /api/ answers the one body {code, detail, errors?}: DRF's own errors,
the URL resolver's 404, 405, 415, 429, 500 and a database outage (503 with Retry-After)."""

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def body(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) <= {"code", "detail", "errors"} and data["code"] and data["detail"]
    return data


def test_a_url_that_matches_nothing_is_a_json_404(agent):
    assert body(client_for(agent).get("/api/v1/no-such-thing/"), 404)["code"] == "not_found"
    assert body(Client().get("/api/nothing"), 404)["code"] == "not_found"


def test_drf_errors_carry_a_code(agent, partner_support):
    anonymous = Client()
    assert body(anonymous.get("/api/v1/cases/"), 401)["code"] == "not_authenticated"
    bad = Client(HTTP_AUTHORIZATION="Token nope")
    assert body(bad.get("/api/v1/cases/"), 401)["code"] == "authentication_failed"
    client = client_for(agent)
    assert body(client.get("/api/v1/cases/999999999/"), 404)["code"] == "not_found"
    assert body(client.delete("/api/v1/cases/"), 405)["code"] == "method_not_allowed"
    assert body(client_for(partner_support).get("/api/v1/payout-runs/"), 403)["code"] == (
        "permission_denied"
    )


def test_bad_bodies_are_400_and_415_in_the_one_shape(agent):
    client = client_for(agent)
    parse = client.post("/api/v1/cases/", data="{not json", content_type="application/json")
    assert body(parse, 400)["code"] == "parse_error"
    media = client.post("/api/v1/cases/", data="kind=x", content_type="text/plain")
    assert body(media, 415)["code"] == "unsupported_media_type"


def test_list_item_errors_are_messages_on_the_field(partner_support):
    response = client_for(partner_support).post(
        "/api/v1/oos-tickets/",
        {"booking": 1, "latitude": "1", "longitude": "1", "images": ["ok", "x" * 501]},
        format="json",
    )
    errors = body(response, 400)["errors"]
    assert isinstance(errors["images"], list)
    assert errors["images"][0].startswith("item 2: ")


@pytest.mark.urls("tests.core.error_urls")
def test_a_bug_answers_a_json_500_and_the_console_keeps_its_page(agent):
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    assert body(client.get("/api/v1/test-boom/"), 500)["code"] == "server_error"
    assert body(client.get("/api/v1/test-plain-boom/"), 500)["code"] == "server_error"
    page = client.get("/test-console-boom/")
    assert page.status_code == 500 and not page["Content-Type"].startswith("application/json")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_outage_is_a_503_with_retry_after(agent):
    client = client_for(agent)
    assert client.get("/api/v1/cases/").status_code == 200
    console_client = Client(raise_request_exception=False)
    console_client.force_login(agent)
    settings = connection.settings_dict
    port = settings["PORT"]
    connection.close()
    settings["PORT"] = "1"  # nothing listens there: every connection attempt is refused
    try:
        response = client.get("/api/v1/cases/")
        data = body(response, 503)
        assert data["code"] == "unavailable" and response["Retry-After"] == "5"
        console = console_client.get("/admin/")
        assert console.status_code == 503 and console["Retry-After"] == "5"
    finally:
        connection.close()
        settings["PORT"] = port
    assert client.get("/api/v1/cases/").status_code == 200  # back with a fresh connection


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restarted_server_leaves_no_stale_connection(agent):
    client = client_for(agent)
    assert client.get("/api/v1/cases/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    from django.db import connections

    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()
    # The pooled connection is dead. At the start of the next request (the WSGI handler
    # calls close_old_connections; the test client leaves that out) the health check finds
    # it unusable and the request gets a fresh one.
    close_old_connections()
    assert client.get("/api/v1/cases/").status_code == 200
