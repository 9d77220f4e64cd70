"""Refused callers are throttled too: DRF checks permissions before throttles, so without
core.api.throttles.ThrottleFirst a request without credentials (401), with a bad token (401)
or from a role without the permission (403) was never counted. Every operation of the schema
is walked anonymously past a low rate: the answer is the 429 in the one error body, with
Retry-After."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from core.api.throttles import ThrottleFirst
from tests.factories import UserFactory
from tests.helpers import api_operations, client_for

pytestmark = pytest.mark.django_db
RATE = 2  # requests a minute, for every scope


@pytest.fixture
def low_rates(settings):
    settings.API_THROTTLE_RATES = {
        "user": f"{RATE}/minute",
        "anon": f"{RATE}/minute",
        "sign_in": f"{RATE}/minute",
    }
    cache.clear()
    yield
    cache.clear()


def api_views(patterns=None, prefix: str = "") -> dict[str, type]:
    """Every URL under /api/ and the view class that answers it."""
    found: dict[str, type] = {}
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.update(api_views(entry.url_patterns, route))
        elif isinstance(entry, URLPattern) and route.startswith("api/"):
            callback = entry.callback
            found[route] = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return found


def test_every_api_view_counts_requests_before_its_permissions():
    views = api_views()
    assert len(views) > 30 and "api/schema/" in views
    assert {
        route: view for route, view in views.items() if not issubclass(view, ThrottleFirst)
    } == {}


def past_the_rate(client: APIClient, method: str, url: str) -> list:
    cache.clear()  # each operation starts from a fresh counter
    call = getattr(client, method)
    return [call(url) if method == "get" else call(url, {}, format="json") for _ in range(RATE + 1)]


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert set(response.json()) == {"code", "detail"}
    assert 0 < int(response["Retry-After"]) <= 60


def test_anonymous_callers_are_throttled_on_every_operation(low_rates):
    wrong = {}
    for method, path in api_operations():
        url = re.sub(r"\{(\w+)\}", lambda m: "1" if m[1].endswith("id") else "start", path)
        *before, last = past_the_rate(APIClient(), method, url)
        if any(r.status_code == 429 for r in before) or last.status_code != 429:
            wrong[method, url] = [r.status_code for r in [*before, last]]
            continue
        assert_throttled(last)
    assert wrong == {}


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_anonymous_callers_are_throttled_on_the_docs(low_rates, settings, url):
    settings.API_DOCS_PUBLIC = False
    *before, last = past_the_rate(APIClient(), "get", url)
    assert [r.status_code for r in before] == [401 if url == "/api/schema/" else 302] * RATE
    assert last.status_code == 429


def test_a_bad_token_is_throttled_before_its_401(low_rates):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    *before, last = past_the_rate(client, "get", "/api/v1/cases/")
    assert [r.status_code for r in before] == [401] * RATE
    assert_throttled(last)


def test_a_role_refused_by_the_matrix_is_throttled_before_its_403(low_rates):
    finance = client_for(UserFactory(username="throttle-finance", role="finance"))
    *before, last = past_the_rate(finance, "post", "/api/v1/cases/")
    assert [r.status_code for r in before] == [403] * RATE
    assert_throttled(last)


def test_a_throttled_address_leaves_signed_in_users_their_own_counter(low_rates):
    for _ in range(RATE + 1):
        APIClient().get("/api/v1/cases/")
    agent = client_for(UserFactory(username="throttle-agent", role="agent"))
    assert agent.get("/api/v1/cases/").status_code == 200
