"""The payouts API through the URL stack: scoping, errors, money round trips, query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from payouts import services
from payouts.models import LedgerEntry, PayoutRun, Refund, ReversalRequest
from tests.factories import (
    BookingFactory,
    CaseFactory,
    LedgerEntryFactory,
    PafFactory,
    PartnerFactory,
    PayoutRunFactory,
    UserFactory,
)
from tests.helpers import client_for, revisit_job, revisit_penalty, set_state

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _partner_with_login(username="px-login"):
    user = UserFactory(username=username, is_staff=False)
    partner = PartnerFactory(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return partner, client


def _paf(partner=None, state="not_genuine", invoice="1000.00"):
    booking = revisit_job(invoice, **({"partner": partner} if partner else {}))
    paf = PafFactory(booking=booking, partner=booking.partner)
    revisit_penalty(paf)
    if state != "pending_review":
        set_state(paf, state)
    return paf


# Lists: scoping and constant query counts


@pytest.mark.parametrize("path", ["pafs", "penalties", "reversal-requests", "refunds"])
def test_back_office_lists_cost_a_constant_number_of_queries(
    path, supervisor_client, partner_support, agent, django_assert_max_num_queries
):
    for _ in range(6):
        paf = _paf()
        services.submit_reversal_request(kind="paf_penalty", actor=partner_support, paf=paf)
        services.request_refund(
            booking=paf.booking.revisit_of, reason="other", amount=Decimal("1.00"), actor=agent
        )
    with django_assert_max_num_queries(6):
        response = supervisor_client.get(f"{API}/{path}/")
    assert response.status_code == 200 and len(response.json()["results"]) == 6


def test_run_list_and_lines_cost_a_constant_number_of_queries(
    finance_user, django_assert_max_num_queries
):
    for _ in range(8):
        LedgerEntryFactory()
    run = services.compute_payout_run(run_id=PayoutRunFactory().pk)
    client = client_for(finance_user)
    with django_assert_max_num_queries(5):
        assert client.get(f"{API}/payout-runs/").json()["results"][0]["line_count"] == 8
    with django_assert_max_num_queries(6):
        lines = client.get(f"{API}/payout-runs/{run.pk}/lines/").json()["results"]
    assert len(lines) == 8 and lines[0]["net"] == "100.00"


def test_partner_login_sees_only_its_own_pafs_and_penalties():
    partner, client = _partner_with_login()
    mine = _paf(partner)
    _paf()  # someone else's
    assert [p["id"] for p in client.get(f"{API}/pafs/").json()["results"]] == [mine.pk]
    penalties = client.get(f"{API}/penalties/").json()["results"]
    assert [(p["paf"], p["amount"]) for p in penalties] == [(mine.pk, "600.00")]


def test_partner_login_cannot_read_another_partners_ledger():
    partner, client = _partner_with_login()
    other = PartnerFactory()
    LedgerEntryFactory(partner=other)
    assert client.get(f"{API}/partners/{other.pk}/ledger/").status_code == 404
    assert client.get(f"{API}/partners/{partner.pk}/ledger/").status_code == 200


def test_strangers_and_unauthenticated_callers_are_refused():
    partner = PartnerFactory()
    stranger = client_for(UserFactory(username="nobody", is_staff=False))
    assert stranger.get(f"{API}/pafs/").status_code == 403
    assert APIClient().get(f"{API}/partners/{partner.pk}/ledger/").status_code == 401


def test_partner_login_may_not_read_refunds_or_runs():
    _, client = _partner_with_login()
    assert client.get(f"{API}/refunds/").status_code == 403
    assert client.get(f"{API}/payout-runs/").status_code == 403


# Ledger


def test_ledger_has_a_running_balance_that_holds_on_every_page(supervisor_client):
    partner = PartnerFactory()
    start = timezone.now() - timedelta(days=10)
    for i, amount in enumerate(["100.00", "-30.25", "0.01", "200.00", "-69.76"]):
        kind = "earning" if amount[0] != "-" else "penalty_deduction"
        LedgerEntryFactory(
            partner=partner, kind=kind, amount=Decimal(amount), occurred_at=start + timedelta(i)
        )
    url = f"{API}/partners/{partner.pk}/ledger/"
    first = supervisor_client.get(url, {"limit": 2}).json()
    second = supervisor_client.get(url, {"limit": 2, "offset": 2}).json()
    rows = first["results"] + second["results"]
    assert [(r["amount"], r["running_balance"]) for r in rows] == [
        ("-69.76", "200.00"),
        ("200.00", "269.76"),
        ("0.01", "69.76"),
        ("-30.25", "69.75"),
    ]
    assert first["balances"] == {"INR": "200.00"} and first["count"] == 5


def test_ledger_query_count_is_constant(supervisor_client, django_assert_max_num_queries):
    partner = PartnerFactory()
    LedgerEntryFactory.create_batch(20, partner=partner)
    with django_assert_max_num_queries(6):
        response = supervisor_client.get(f"{API}/partners/{partner.pk}/ledger/")
    assert len(response.json()["results"]) == 20


# Reversal requests


def test_partner_logs_a_reversal_request_for_its_own_paf_only():
    partner, client = _partner_with_login()
    mine = _paf(partner)
    theirs = _paf()
    created = client.post(
        f"{API}/reversal-requests/",
        {
            "kind": "paf_penalty",
            "paf": mine.pk,
            "notes": "I reached on time",
            "evidence": ["https://img.example/gate.jpg"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["on_behalf_of_partner"], body["evidence"], body["state"]) == (
        False,
        ["https://img.example/gate.jpg"],
        "submitted",
    )
    refused = client.post(
        f"{API}/reversal-requests/", {"kind": "paf_penalty", "paf": theirs.pk}, format="json"
    )
    assert refused.status_code == 400 and "paf" in refused.json()["errors"]
    approve = client.post(
        f"{API}/reversal-requests/{body['id']}/approve/", {"reason": "me"}, format="json"
    )
    assert approve.status_code == 403


def test_genuine_paf_reversal_is_refused_with_422(partner_support):
    paf = _paf(state="genuine")
    response = client_for(partner_support).post(
        f"{API}/reversal-requests/", {"kind": "paf_penalty", "paf": paf.pk}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "genuine_paf"
    assert "bad experience due to the partner" in response.json()["detail"]


def test_decisions_through_the_api(partner_support, finance_user, supervisor):
    paf = _paf()
    ps = client_for(partner_support)
    request_id = ps.post(
        f"{API}/reversal-requests/", {"kind": "paf_penalty", "paf": paf.pk}, format="json"
    ).json()["id"]
    url = f"{API}/reversal-requests/{request_id}"
    finance = client_for(finance_user)
    assert finance.post(f"{url}/approve/", {}, format="json").status_code == 400
    assert ps.post(f"{url}/approve/", {"reason": "x"}, format="json").status_code == 403
    ok = finance.post(f"{url}/approve/", {"reason": "recording ok"}, format="json")
    assert ok.status_code == 200 and ok.json()["decided_by"] == "finance-1"
    again = client_for(supervisor).post(f"{url}/reject/", {"reason": "late"}, format="json")
    assert again.status_code == 409
    assert ReversalRequest.objects.get().state == "approved"


# Refunds


def test_refund_amount_round_trips_to_the_paisa(agent, finance_user):
    booking = BookingFactory()
    created = client_for(agent).post(
        f"{API}/refunds/",
        {
            "booking": booking.pk,
            "reason": "wrong_job",
            "amount": "123.45",
            "deduct_from_partner": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["amount"] == "123.45"
    assert Refund.objects.get().amount == Decimal("123.45")
    refund_id = created.json()["id"]
    assert client_for(agent).post(f"{API}/refunds/{refund_id}/approve/").status_code == 403
    approved = client_for(finance_user).post(f"{API}/refunds/{refund_id}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert LedgerEntry.objects.get().amount == Decimal("-123.45")
    statement = client_for(finance_user).get(f"{API}/partners/{booking.partner_id}/ledger/").json()
    assert statement["results"][0]["amount"] == "-123.45"
    assert statement["balances"] == {"INR": "-123.45"}


@pytest.mark.parametrize("amount", ["123.456", "-1.00", "0", "abc"])
def test_bad_refund_amounts_are_field_errors(agent, amount):
    response = client_for(agent).post(
        f"{API}/refunds/",
        {"booking": BookingFactory().pk, "reason": "other", "amount": amount},
        format="json",
    )
    assert response.status_code == 400 and "amount" in response.json()["errors"]


def test_refund_requester_cannot_approve_it(finance_user):
    refund = (
        client_for(finance_user)
        .post(
            f"{API}/refunds/",
            {"booking": BookingFactory().pk, "reason": "other", "amount": "10.00"},
            format="json",
        )
        .json()
    )
    response = client_for(finance_user).post(f"{API}/refunds/{refund['id']}/approve/")
    assert response.status_code == 403


# Payout runs


def test_payout_run_lifecycle_through_the_api(
    finance_user, finance_user2, monkeypatch, django_capture_on_commit_callbacks
):
    from payouts import tasks

    monkeypatch.setattr(
        tasks.compute_payout_run_task,
        "apply_async",
        lambda args, task_id: services.compute_payout_run(run_id=args[0], task_id=task_id),
    )
    LedgerEntryFactory(
        partner=PartnerFactory(
            external_id="PX-API",
            name="Ravi",
            phone="+919700000009",
            payout_account_number="001234567890",
            payout_ifsc="HDFC0001234",
        ),
        amount=Decimal("250.75"),
    )
    computer, approver = client_for(finance_user), client_for(finance_user2)
    today = timezone.localdate()
    created = computer.post(
        f"{API}/payout-runs/",
        {"region": "IN", "period_start": str(today - timedelta(days=6)), "period_end": str(today)},
        format="json",
    )
    assert created.status_code == 201, created.json()
    run_id = created.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        queued = computer.post(f"{API}/payout-runs/{run_id}/compute/")
    assert queued.status_code == 202
    assert PayoutRun.objects.get(pk=run_id).state == "computed"
    assert computer.post(f"{API}/payout-runs/{run_id}/approve/").status_code == 403
    assert approver.post(f"{API}/payout-runs/{run_id}/approve/").status_code == 200
    csv_response = computer.get(f"{API}/payout-runs/{run_id}/export.csv")
    body = b"".join(csv_response.streaming_content).decode().splitlines()
    assert body == [
        "partner_external_id,name,phone,account_holder,account_number,ifsc,iban,currency,net",
        "PX-API,Ravi,+919700000009,Ravi,001234567890,HDFC0001234,,INR,250.75",
    ]
    paid = approver.post(f"{API}/payout-runs/{run_id}/mark-paid/")
    assert paid.status_code == 200 and paid.json()["state"] == "paid"


def test_agents_may_not_touch_payout_runs(agent_client):
    assert agent_client.get(f"{API}/payout-runs/").status_code == 403
    response = agent_client.post(
        f"{API}/payout-runs/",
        {"region": "IN", "period_start": "2026-01-01", "period_end": "2026-01-07"},
        format="json",
    )
    assert response.status_code == 403


def test_second_open_run_is_a_conflict(finance_user):
    client = client_for(finance_user)
    payload = {"region": "IN", "period_start": "2026-01-01", "period_end": "2026-01-07"}
    assert client.post(f"{API}/payout-runs/", payload, format="json").status_code == 201
    payload = {"region": "IN", "period_start": "2026-01-08", "period_end": "2026-01-14"}
    response = client.post(f"{API}/payout-runs/", payload, format="json")
    assert response.status_code == 409 and response.json()["code"] == "open_run_exists"


def test_marking_a_paf_with_penalty_through_the_api(agent):
    revisit = revisit_job("833.33")
    case = CaseFactory(kind="revisit_partner_fault", booking=revisit)
    response = client_for(agent).post(
        f"{API}/pafs/",
        {
            "booking": revisit.pk,
            "case": case.pk,
            "reason": "no show on revisit",
            "penalty": "revisit_scenario_4",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["penalty"]["amount"] == "500.00"
    assert response.json()["state"] == "pending_review"
