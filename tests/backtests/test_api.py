"""The backtests API through the real URL stack: ask (202, or 200 with the earlier run of the
same inputs), read, cancel, export; field errors are 400 with the one error body; agents and
partner logins are refused."""

import pytest

from backtests import services
from backtests.models import Backtest, BacktestState
from tests.backtests.test_backtests import scenario_4
from tests.factories import PartnerFactory, UserFactory
from tests.helpers import client_for, logged_in

pytestmark = pytest.mark.django_db
URL = "/api/v1/backtests/"


def test_finance_asks_reads_and_exports_a_backtest(agent, finance_user):
    scenario_4(agent, "799.00")
    api = client_for(finance_user)
    response = api.post(URL, {"parameters": {"revisit_penalty_rate": "0.50"}}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["state"] == "queued" and body["parameters"]["revisit_penalty_rate"] == "0.50"
    services.run_backtest(backtest_id=body["id"])  # what the worker does
    detail = api.get(f"{URL}{body['id']}/").json()
    assert detail["state"] == "done" and detail["result"]["counts"]["changed"] == 1
    again = api.post(URL, {"parameters": {"revisit_penalty_rate": "0.50"}}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    export = api.get(f"{URL}{body['id']}/changed.csv")
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0].startswith("case,decided_at,flow") and len(lines) == 2
    listed = api.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_bad_input_is_a_400_with_field_errors(supervisor):
    api = client_for(supervisor)
    empty = api.post(URL, {}, format="json")
    assert empty.status_code == 400 and "parameters" in empty.json()["errors"]
    bad = api.post(URL, {"parameters": {"warranty_days": -1}}, format="json")
    assert bad.status_code == 400 and "parameters.warranty_days" in bad.json()["errors"]
    backwards = api.post(
        URL,
        {"parameters": {"warranty_days": 20}, "first_day": "2026-12-05", "last_day": "2026-12-01"},
        format="json",
    )
    assert backwards.status_code == 400 and "period_start" in backwards.json()["errors"]
    unknown = api.post(URL, {"version": 999999}, format="json")
    assert unknown.status_code == 400 and "version" in unknown.json()["errors"]
    assert not Backtest.objects.exists()


def test_cancel_through_the_api(supervisor):
    backtest, _ = services.request_backtest(actor=supervisor, parameters={"warranty_days": 25})
    response = client_for(supervisor).post(f"{URL}{backtest.pk}/cancel/")
    assert response.status_code == 200 and response.json()["state"] == BacktestState.CANCELLED


def test_agents_and_partner_logins_are_refused(agent, supervisor):
    backtest, _ = services.request_backtest(actor=supervisor, parameters={"warranty_days": 25})
    partner = PartnerFactory(user=UserFactory(username="bt-partner", is_staff=False))
    for user in (agent, partner.user):
        api = client_for(user)
        assert api.get(URL).status_code == 403
        assert (
            api.post(URL, {"parameters": {"warranty_days": 20}}, format="json").status_code == 403
        )
        assert api.get(f"{URL}{backtest.pk}/").status_code == 403
    assert Backtest.objects.count() == 1


def test_the_one_case_what_if_answers_both_results(agent, supervisor):
    from policies.models import PolicyStatus, PolicyVersion
    from policies.parameters import DEFAULT_POLICY
    from tests.backtests.test_backtests import scenario_4

    case = scenario_4(agent, "1234.50")
    half = PolicyVersion.objects.create(
        version="sop-half",
        parameters={**DEFAULT_POLICY.params.to_dict(), "revisit_penalty_rate": "0.50"},
        effective_from="2030-01-01T00:00:00Z",
        status=PolicyStatus.DRAFT,
        change_note="half",
    )
    api = client_for(supervisor)
    body = api.get(f"{URL}what-if/", {"case": case.pk, "version": half.pk}).json()
    [row] = body["decisions"]
    assert (row["flow"], row["status"]) == ("revisit.scenario_4", "changed")
    assert "740.70" in row["stored_reason"] and "617.25" in row["candidate_reason"]
    assert api.get(f"{URL}what-if/", {"case": "x", "version": half.pk}).status_code == 400
    assert api.get(f"{URL}what-if/", {"case": 99999999, "version": half.pk}).status_code == 404
    assert client_for(agent).get(f"{URL}what-if/", {"case": case.pk}).status_code == 403

    page = logged_in(supervisor).get(
        f"/admin/backtests/backtest/what-if/{case.pk}/", {"version": half.pk}
    )
    assert page.status_code == 200 and "617.25" in page.content.decode()
    case_page = logged_in(supervisor).get(f"/admin/cases/case/{case.pk}/change/")
    assert 'id="what-if"' in case_page.content.decode()
    assert (
        'id="what-if"'
        not in logged_in(agent).get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    )
