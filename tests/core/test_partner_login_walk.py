"""A partner login walked over every operation of the OpenAPI schema, once with its own ids
and once with another partner's, over pinned data: no answer holds a private event of a
case, a `fraud_score` key, a customer's e-mail, or anything of the other partner; every
refusal is a 403 or a 404 in the one error body, and nothing is a server error
(docs/decisions.md, "What a partner sees").

The operations come from the schema, so a new endpoint is walked without a line here; the
path parameters are filled from the resource the path names.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backtests.models import Backtest
from cases import services
from cases.models import CaseEvent, EventType
from conversations.models import ReplyTemplate
from events.models import Delivery, OutboxEvent, WebhookEndpoint
from tests.factories import (
    CalendarSlotFactory,
    CaseFactory,
    CustomerFactory,
    LedgerEntryFactory,
    NotificationFactory,
    PafFactory,
    PartnerFactory,
    PayoutRunFactory,
    PenaltyFactory,
    RefundFactory,
    ReversalRequestFactory,
    TaskFactory,
    UserFactory,
    city,
)
from tests.helpers import api_operations, job

pytestmark = pytest.mark.django_db

OWN_NAME = "Kapoor Cooling Services"
RIVAL_NAME = "Rival Home Fixers"
PRIVATE_NOTE = "INTERNAL: partner suspected of fraud"
PUBLIC_NOTE = "Your technician is on the way."
CUSTOMER_EMAIL = "asha.verma@example.com"
FRAUD_SCORE = Decimal("0.870")
REFUSALS = {403, 404}
# Answers to the partner's own ids that are not refusals: done, or the empty body's errors
# (400), a state that does not allow it (409), an SOP refusal (422).
ANSWERS = {200, 201, 202, 204, 400, 409, 422}


@pytest.fixture
def world(agent, partner_support):
    """Pinned rows: the partner's own job with a case (an internal and a public note, a
    decision citing the fraud score), its PAF, penalty, reversal request, slots, ledger and
    notification; the same for a rival partner of the same city and trade (a candidate for
    the partner's booking); the back office's run, refund and task."""
    delhi = city("Delhi")
    login = UserFactory(username="walk-partner", is_staff=False)
    own = PartnerFactory(
        external_id="PX-OWN", name=OWN_NAME, phone="+919700000001", city=delhi, user=login
    )
    rival = PartnerFactory(
        external_id="PX-RIVAL", name=RIVAL_NAME, phone="+919700000002", city=delhi
    )
    customer = CustomerFactory(
        external_id="CX-OWN",
        name="Asha Verma",
        phone="+919800000001",
        email=CUSTOMER_EMAIL,
        city=delhi,
        fraud_score=FRAUD_SCORE,
    )
    rival_customer = CustomerFactory(
        external_id="CX-RIVAL",
        name="Rohan Mehta",
        phone="+919800000002",
        email="rohan.mehta@example.com",
        city=delhi,
        fraud_score=FRAUD_SCORE,
    )
    booking = job(external_id="BK-OWN", partner=own, customer=customer, status="allocated")
    rival_booking = job(
        external_id="BK-RIVAL", partner=rival, customer=rival_customer, status="completed"
    )
    case = CaseFactory(booking=booking, subject="AC not cooling after service")
    rival_case = CaseFactory(booking=rival_booking, subject="Rival job complaint")
    for on in (case, rival_case):
        services.add_note(case_id=on.pk, actor=agent, text=PRIVATE_NOTE, public=False)
        services.add_note(case_id=on.pk, actor=agent, text=PUBLIC_NOTE, public=True)
        CaseEvent.objects.create(
            case=on,
            type=EventType.DECISION,
            actor=agent,
            reason=f"{PRIVATE_NOTE}: fraud score 0.870",
            payload={"flow": "pre.wrong_job", "inputs": {"fraud_score": "0.870"}},
        )
    paf = PafFactory(booking=booking, reason="Partner did not turn up")
    rival_paf = PafFactory(booking=rival_booking, reason="Rival did not turn up")

    def records_of(partner, booking, case, customer, paf, recipient) -> dict[str, int]:
        return {
            "bookings": booking.pk,
            "calendar-slots": CalendarSlotFactory(partner=partner, status="on_leave").pk,
            "cases": case.pk,
            "customers": customer.pk,
            "notifications": NotificationFactory(recipient=recipient, case=case).pk,
            "pafs": paf.pk,
            "partners": partner.pk,
            "penalties": PenaltyFactory(paf=paf).pk,
            "reversal-requests": ReversalRequestFactory(paf=paf, requested_by=partner_support).pk,
        }

    ids = {
        "own": records_of(own, booking, case, customer, paf, login),
        "rival": records_of(rival, rival_booking, rival_case, rival_customer, rival_paf, agent),
    }
    endpoint = WebhookEndpoint.objects.create(url="https://platform.example/h", secret="whsec_x")
    back_office = {
        "backtests": Backtest.objects.create(
            label="walk",
            parameters={},
            period_start=timezone.now() - timedelta(days=1),
            period_end=timezone.now(),
            inputs_key="walk",
        ).pk,
        "payout-runs": PayoutRunFactory().pk,
        "refunds": RefundFactory(booking=booking).pk,
        "reply-templates": ReplyTemplate.objects.order_by("pk").first().pk,
        "tasks": TaskFactory(case=case).pk,
        "webhook-endpoints": endpoint.pk,
        "webhook-deliveries": Delivery.objects.create(
            event=OutboxEvent.objects.create(
                type="webhook.test", subject=f"webhook_endpoint:{endpoint.pk}", payload={}
            ),
            endpoint=endpoint,
            subject=f"webhook_endpoint:{endpoint.pk}",
        ).pk,
    }
    for whose in ("own", "rival"):
        ids[whose].update(back_office)
    for partner in (own, rival):
        LedgerEntryFactory(partner=partner, memo=f"Earning of {partner.name}")
    client = APIClient()
    client.force_authenticate(login)
    return {"client": client, "own": own, "rival": rival, "ids": ids}


def concrete(path: str, world: dict, whose: str) -> str:
    """The path with its parameters filled: ids of the resource the path names (own or the
    rival's), the partner's or the rival's id, a transition and a flow that exist."""
    ids = world["ids"][whose]
    resource = path.split("/")[3]
    fill = {
        "booking_id": ids["bookings"],
        "case_id": ids["cases"],
        "partner_id": ids["partners"],
        "name": "start_progress" if resource == "cases" else "complete",
        "flow": "l1.status_check",
    }

    def value(match: re.Match) -> str:
        name = match.group(1)
        return str(ids[resource] if name == "id" else fill[name])

    return re.sub(r"\{(\w+)\}", value, path)


def call(client: APIClient, method: str, url: str):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, {}, format="json")


def keys_and_values(body: Any):
    """Every (key, value) pair of a JSON body, however deep."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield key, value
            yield from keys_and_values(value)
    elif isinstance(body, list):
        for item in body:
            yield from keys_and_values(item)


def leaks(response, world: dict) -> list[str]:
    """What the answer shows that a partner login must not see."""
    text = response.content.decode("utf-8", "replace")
    found = [
        f"text {secret!r}"
        for secret in (
            PRIVATE_NOTE,
            CUSTOMER_EMAIL,
            RIVAL_NAME,
            "PX-RIVAL",
            "BK-RIVAL",
            "CX-RIVAL",
            "Rohan Mehta",
            "Rival job complaint",
        )
        if secret in text
    ]
    if "json" not in response.get("Content-Type", ""):
        return found
    body = json.loads(text) if text else None
    for key, value in keys_and_values(body):
        if key == "fraud_score":
            found.append("a fraud_score key")
        if key in ("partner", "partner_id") and value == world["rival"].pk:
            found.append(f"the rival's id under {key!r}")
    return found


def test_the_walk_finds_every_operation_of_the_schema():
    operations = api_operations()
    assert len(operations) > 60
    resources = {path.split("/")[3] for _, path in operations}
    assert {"cases", "customers", "bookings", "partners", "pafs", "tasks"} <= resources


def test_a_partner_login_over_every_operation_sees_nothing_it_must_not(world):
    client = world["client"]
    wrong: dict[str, Any] = {}
    answered: dict[tuple[str, str], int] = {}
    for method, path in api_operations():
        url = concrete(path, world, "own")
        response = call(client, method, url)
        answered[method, path] = response.status_code
        if response.status_code not in ANSWERS | REFUSALS:
            wrong[f"{method} {url}"] = response.status_code
        if found := leaks(response, world):
            wrong[f"{method} {url}"] = found
        if method == "get" and "{" not in path:
            # A list narrowed to the rival: still only the partner's own rows (or a refusal).
            narrowed = client.get(url, {"partner": world["rival"].pk})
            if narrowed.status_code >= 500 or (found := leaks(narrowed, world)):
                wrong[f"get {url}?partner=rival"] = (narrowed.status_code, found)
        refused = response.status_code in REFUSALS
        if refused and not {"code", "detail"} <= set(response.json()):
            wrong[f"{method} {url} body"] = response.json()
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items()))
    # Not an empty walk: the partner's own records answered.
    own_reads = [
        "/api/v1/bookings/{id}/",
        "/api/v1/calendar-slots/{id}/",
        "/api/v1/cases/{id}/",
        "/api/v1/customers/{id}/",
        "/api/v1/pafs/{id}/",
        "/api/v1/partners/{id}/",
        "/api/v1/partners/{partner_id}/ledger/",
        "/api/v1/partners/{partner_id}/mg-plan/",
        "/api/v1/penalties/{id}/",
        "/api/v1/reversal-requests/{id}/",
    ]
    assert {path: answered["get", path] for path in own_reads} == dict.fromkeys(own_reads, 200)


def test_a_partner_login_is_refused_every_operation_on_another_partners_records(world):
    client = world["client"]
    wrong: dict[str, Any] = {}
    walked = 0
    for method, path in api_operations():
        if "{" not in path:
            continue
        walked += 1
        url = concrete(path, world, "rival")
        response = call(client, method, url)
        if response.status_code not in REFUSALS:
            wrong[f"{method} {url}"] = response.status_code
        elif not {"code", "detail"} <= set(response.json()):
            wrong[f"{method} {url} body"] = response.json()
        if found := leaks(response, world):
            wrong[f"{method} {url}"] = found
    assert walked > 40
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items()))


def test_the_partners_own_case_shows_its_public_note_and_nothing_else(world):
    case_id = world["ids"]["own"]["cases"]
    body = world["client"].get(f"/api/v1/cases/{case_id}/").json()
    assert [event["reason"] for event in body["events"]] == [PUBLIC_NOTE]
