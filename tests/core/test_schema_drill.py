"""The schema drill: schemathesis sends generated requests to every API operation over real
HTTP (the live server, the real database) as an agent and as finance, and checks every
answer against the OpenAPI schema: no server error, a documented status code, content type
and body. A fixed seed and a small example count keep it to a couple of minutes; every
failure of every operation is collected and listed."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from demo.loader import load_demo
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.schema_drill,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25
DRILL = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


def drill(base_url: str, role: str) -> list[str]:
    # The demo world: every kind of record, in every state, so lists and details answer
    # with real rows (a PAF nobody reviewed, a refund nobody approved, a customer with no
    # e-mail...) and not only with empty pages.
    load_demo(history_days=0)
    user = UserFactory(username=f"drill-{role.replace(' ', '-')}", role=role)
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    # The schema is staff-only outside DEBUG (API_DOCS_PUBLIC): read with the role's token.
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/", headers=headers)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operations += 1
        _drill_operation(result.ok(), base_url, headers, failures)
    assert operations > 40  # the whole schema was walked
    return failures


def _drill_operation(operation, base_url: str, headers: dict, failures: list[str]) -> None:
    seen: set[str] = set()

    @DRILL
    @given(case=operation.as_strategy())
    def run(case):
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # every check failure, collected
            text, curl = _describe(exc)
            if text not in seen:  # once per kind of failure and operation
                seen.add(text)
                failures.append(f"{operation.label}: {text} | {curl}")

    run()


def _describe(exc: BaseException) -> tuple[str, str]:
    """The failures found and the request that reproduces them, on one line."""
    text = str(exc)
    parts = [" ".join(str(inner).split())[:300] for inner in getattr(exc, "exceptions", ())]
    curl = next((line.strip() for line in text.splitlines() if "curl " in line), "")
    return " | ".join(parts or [text.splitlines()[0] if text else type(exc).__name__]), curl


def test_every_operation_answers_an_agent_as_its_schema_says(live_server):
    failures = drill(live_server.url, "agent")
    assert failures == [], "\n".join(failures)


def test_every_operation_answers_finance_as_its_schema_says(live_server):
    failures = drill(live_server.url, "finance")
    assert failures == [], "\n".join(failures)
