"""The backtests' console: supervisors and finance ask for one from a version's page, read
its result (counts, matrix, money, sample), export the changed decisions, cancel one; the
version's and the activation page show the latest backtest; agents see none of it."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backtests import services
from backtests.models import Backtest, BacktestState
from policies.models import PolicyStatus, PolicyVersion
from policies.parameters import DEFAULT_POLICY
from tests.backtests.test_backtests import goodwill, scenario_4
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(supervisor):
    return PolicyVersion.objects.create(
        version="sop-2027.1",
        parameters={**DEFAULT_POLICY.params.to_dict(), "revisit_penalty_rate": "0.50"},
        effective_from=timezone.now() + timedelta(days=7),
        status=PolicyStatus.DRAFT,
        change_note="Penalty at half the invoice.",
        author=supervisor,
    )


def test_a_supervisor_backtests_a_draft_from_its_page_and_reads_the_result(
    agent, supervisor, draft
):
    scenario_4(agent, "799.00")
    console = logged_in(supervisor)
    version_page = console.get(reverse("admin:policies_policyversion_change", args=[draft.pk]))
    html = version_page.content.decode()
    assert "No backtest of this version yet" in html
    new_url = reverse("admin:backtests_backtest_add") + f"?version={draft.pk}"
    assert new_url in html.replace("&amp;", "&")

    form = console.get(new_url)
    assert form.status_code == 200
    response = console.post(
        reverse("admin:backtests_backtest_add"), {"version": draft.pk, "changes": ""}
    )
    backtest = Backtest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:backtests_backtest_change", args=[backtest.pk])
    assert (backtest.version, backtest.state) == (draft, BacktestState.QUEUED)

    queued = console.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in queued and "Cancel the backtest" in queued
    services.run_backtest(backtest_id=backtest.pk)  # what the worker does
    page = console.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "paf_and_penalty_marked -&gt; paf_and_penalty_marked" in page
    assert "-79.90" in page  # 479.40 -> 399.50
    assert "(policy sop-2027.1)" in page  # the candidate's reason, beside the stored one

    export = console.get(reverse("admin:backtests_backtest_changed_csv", args=[backtest.pk]))
    rows = list(csv.reader(io.StringIO(export.getvalue().decode())))
    assert rows[0][:3] == ["case", "decided_at", "flow"]
    assert [row[2] for row in rows[1:]] == ["revisit.scenario_4"]

    again = console.get(reverse("admin:policies_policyversion_change", args=[draft.pk]))
    assert f"#{backtest.pk} Version sop-2027.1" in again.content.decode()


def test_the_activation_page_warns_when_the_draft_was_edited_after_its_backtest(
    agent, supervisor, draft
):
    scenario_4(agent, "799.00")
    backtest, _ = services.request_backtest(actor=supervisor, version_id=draft.pk)
    services.run_backtest(backtest_id=backtest.pk)
    url = reverse("admin:policies_policyversion_activate", args=[draft.pk])
    checker = logged_in(supervisor)
    page = checker.get(url).content.decode()
    assert "1 changed" in page and "edited after" not in page
    PolicyVersion.objects.filter(pk=draft.pk).update(updated_at=timezone.now() + timedelta(1))
    assert "edited after this backtest" in checker.get(url).content.decode()


def test_bad_changes_are_field_errors_and_nothing_is_queued(supervisor, draft):
    console = logged_in(supervisor)
    url = reverse("admin:backtests_backtest_add")
    page = console.post(url, {"version": draft.pk, "changes": "{not json"})
    assert page.status_code == 200 and "Not JSON" in page.content.decode()
    page = console.post(url, {"version": draft.pk, "changes": '{"warranty_days": -3}'})
    assert page.status_code == 200
    assert "parameters.warranty_days: " in page.content.decode()  # the field's own error
    assert not Backtest.objects.exists()


def test_a_running_backtest_is_cancelled_after_confirmation(supervisor, draft):
    backtest, _ = services.request_backtest(actor=supervisor, version_id=draft.pk)
    console = logged_in(supervisor)
    url = reverse("admin:backtests_backtest_cancel", args=[backtest.pk])
    console.get(url)  # a GET only shows the page: nothing cancelled
    assert Backtest.objects.get().state == BacktestState.QUEUED
    console.post(url)
    assert Backtest.objects.get().state == BacktestState.CANCELLED


def test_agents_see_no_backtests(agent, supervisor, draft):
    backtest, _ = services.request_backtest(actor=supervisor, version_id=draft.pk)
    console = logged_in(agent)
    assert console.get(reverse("admin:backtests_backtest_changelist")).status_code == 403
    assert console.get(reverse("admin:backtests_backtest_add")).status_code == 403
    page = console.get(reverse("admin:backtests_backtest_change", args=[backtest.pk]))
    assert page.status_code in (403, 404)
    version_page = console.get(reverse("admin:policies_policyversion_change", args=[draft.pk]))
    assert "latest-backtest" not in version_page.content.decode()


def test_finance_may_backtest(finance_user, draft):
    console = logged_in(finance_user)
    assert console.get(reverse("admin:backtests_backtest_changelist")).status_code == 200
    response = console.post(reverse("admin:backtests_backtest_add"), {"version": draft.pk})
    assert response.status_code == 302 and Backtest.objects.count() == 1


def test_two_versions_compare_over_one_period(agent, supervisor):
    scenario_4(agent, "1000.00")
    base = DEFAULT_POLICY.params.to_dict()
    runs = []
    for rate in ("0.50", "0.40"):
        backtest, _ = services.request_backtest(
            actor=supervisor, parameters={**base, "revisit_penalty_rate": rate}
        )
        runs.append(services.run_backtest(backtest_id=backtest.pk))
    other, _ = services.request_backtest(
        actor=supervisor, parameters={**base, "warranty_days": 20}, filters={"flow": "x"}
    )
    services.run_backtest(backtest_id=other.pk)
    console = logged_in(supervisor)
    url = reverse("admin:backtests_backtest_compare")
    page = console.get(url, {"a": runs[0].pk, "b": runs[1].pk}).content.decode()
    assert "penalties (INR), candidate" in page
    assert "<td>600.00</td><td>500.00</td><td>400.00</td>" in page.replace("\n", "")
    refused = console.get(url, {"a": runs[0].pk, "b": other.pk}).content.decode()
    assert "do not compare" in refused
    assert logged_in(agent).get(url).status_code == 403


def test_odd_ids_in_the_console_query_strings_are_no_server_error(agent, supervisor):
    case = scenario_4(agent, "799.00")
    console = logged_in(supervisor)
    for odd in ("²", "٣", "9" * 30, "x"):
        compare = console.get(reverse("admin:backtests_backtest_compare"), {"a": odd, "b": odd})
        assert compare.status_code == 200 and "Choose two finished backtests" in compare.text
        what_if = console.get(
            reverse("admin:backtests_backtest_what_if", args=[case.pk]), {"version": odd}
        )
        assert what_if.status_code == 200


def test_a_matrix_cell_opens_the_list_of_its_cases(agent, supervisor):
    changed = [scenario_4(agent, invoice) for invoice in ("100.00", "200.00")]
    other = scenario_4(agent, "300.00")
    unchanged = goodwill(agent, "700.00")
    backtest, _ = services.request_backtest(
        actor=supervisor,
        parameters={**DEFAULT_POLICY.params.to_dict(), "revisit_penalty_rate": "0.50"},
        filters={},
    )
    services.run_backtest(backtest_id=backtest.pk)
    page = logged_in(supervisor).get(reverse("admin:backtests_backtest_change", args=[backtest.pk]))
    links = re.findall(r'href="([^"]*id__in=[^"]*)"', page.content.decode())
    assert links, "the cell links to its cases"
    listed = logged_in(supervisor).get(links[0].replace("&amp;", "&"))
    assert listed.status_code == 200
    html = listed.content.decode()
    for case in [*changed, other]:  # all three changed (every penalty moves)
        assert reverse("admin:cases_case_change", args=[case.pk]) in html
    assert reverse("admin:cases_case_change", args=[unchanged.pk]) not in html
