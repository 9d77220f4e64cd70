"""What a new user reads in the console (issue 22, section 5): the SOP's words, not codes or
JSON; every page on the console's styled base (flows, decision preview, confirmation, errors);
tasks that say only what is true; lists titled by what they list."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Task
from core.admin.export import visible_text
from policies.actions import ActionKind
from policies.words import (
    ACTION_WORDS,
    action_in_words,
    code_words,
    outcome_in_words,
    params_in_words,
)
from tests.factories import CaseFactory, CustomerFactory, UserFactory
from tests.helpers import case_in, case_on, job, logged_in, revisit_of

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case words a person should not read


def codes_in(html: str) -> set[str]:
    return set(CODE.findall(visible_text(html)))


# --- words -------------------------------------------------------------------------------------


def test_every_step_a_decision_can_name_has_words():
    missing = [kind for kind in ActionKind if kind not in ACTION_WORDS]
    assert missing == []
    assert all(not CODE.search(ACTION_WORDS[kind]) for kind in ActionKind)


def test_codes_read_as_words_and_sentences_stay_as_they_are():
    assert code_words("no_show") == "No show: the partner did not come"
    assert code_words("deliver_to_required_address") == "Deliver to required address"
    assert outcome_in_words("paf_reversal_refused") == "PAF reversal refused"
    assert code_words("cx_not_reachable") == "Customer not reachable"
    assert (
        code_words("Already a sentence, with_underscore") == "Already a sentence, with_underscore"
    )
    assert code_words(True) == "yes" and code_words(None) == "–"


def test_a_step_with_its_parameters_in_words():
    assert action_in_words(ActionKind.CALL_CUSTOMER, {"purpose": "confirm_address"}) == (
        "Call the customer (why: confirm address)"
    )
    assert params_in_words({"rate": "0.60", "path": "revisit_scenario_4"}) == (
        "rate: 60%; SOP path: revisit scenario 4"
    )
    assert action_in_words(ActionKind.UNPARK) == "Take the case out of parking"


# --- the SOP flows -----------------------------------------------------------------------------


@pytest.fixture
def scenario_4_case(db):
    original = job(status="completed", invoice_amount=Decimal("1000.00"))
    return case_on("revisit_partner_fault", revisit_of(original))


def test_the_flow_preview_shows_words_on_the_styled_page(agent, scenario_4_case):
    console = logged_in(agent)
    url = reverse(
        "case_flows:run", kwargs={"case_id": scenario_4_case.pk, "flow": "revisit.scenario_4"}
    )
    page = console.get(url)
    html = page.content.decode()
    assert 'class="cw-form"' in html and "cw-page" in html
    assert '<option value="no_show">No show: the partner did not come</option>' in html

    preview = console.post(url, {"partner_failure": "no_show", "_preview": "1"})
    html = preview.content.decode()
    steps = [s["words"] for s in preview.context["decision_actions"]]
    assert steps[0] == "Mark the partner at fault (PAF) (reason: no show: the partner did not come)"
    assert steps[1].startswith(
        "Put the revisit penalty on the partner (SOP path: revisit scenario 4"
    )
    assert "rate: 60%" in steps[1]
    assert preview.context["outcome_words"] == "PAF and penalty marked"
    preview_text = html[html.index('id="decision-preview"') : html.index('id="flow-form"')]
    assert codes_in(preview_text) == set()  # no mark_paf, no revisit_scenario_4
    assert 'name="_apply"' in html


def test_the_flow_list_is_on_the_styled_page(agent, scenario_4_case):
    html = (
        logged_in(agent)
        .get(reverse("case_flows:list", kwargs={"case_id": scenario_4_case.pk}))
        .content.decode()
    )
    assert 'id="flow-list" class="cw-table"' in html
    assert "Original invoice amount" in html and "original_invoice_amount" not in html


# --- confirmations and errors ------------------------------------------------------------------


def test_resolve_with_the_box_unticked_is_a_styled_page_with_the_errors(agent_console):
    case = case_in("open")
    response = agent_console.post(
        reverse("admin:cases_case_transition", args=[case.pk, "resolve"]),
        {"expected_status": "open", "reason": "done"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="transition-form"' in html and 'class="cw-form"' in html
    assert "cw-notice cw-danger" in html and "cw-has-errors" in html
    assert 'name="_confirm"' in html and "Confirm: Resolve" in html


def test_console_errors_are_styled_pages(agent_console, client):
    missing = agent_console.get("/admin/no-such-page/")
    assert missing.status_code == 404
    assert 'id="cw-error" data-status="404"' in missing.content.decode()
    anonymous = client.get("/no-such-page/")
    assert anonymous.status_code == 404 and "Not found" in anonymous.content.decode()


def test_the_favicon_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("console/favicon.svg")


# --- tasks -------------------------------------------------------------------------------------


def a_task(case: Case, *, due_in: timedelta, **fields) -> Task:
    defaults = {
        "kind": ActionKind.CALL_CUSTOMER,
        "title": "Call the customer back",
        "owner_team": "customer_care",
        "params": {"purpose": "confirm_address"},
    }
    return Task.objects.create(case=case, due_at=timezone.now() + due_in, **defaults | fields)


def test_tasks_mark_only_the_late_ones_and_read_their_kind_in_words(agent_console):
    case = CaseFactory()
    later = a_task(case, due_in=timedelta(hours=2), title="Later task")
    late = a_task(case, due_in=-timedelta(minutes=5), title="Late task")
    response = agent_console.get(reverse("admin:cases_task_changelist"))
    html = response.content.decode()
    assert "icon-no" not in html and 'alt="False"' not in html  # no red cross

    def row(task) -> str:  # the task's row, from its link to the row's end
        start = html.index(f"/{task.pk}/change/")
        return visible_text(html[html.index(">", start) + 1 : html.index("</tr>", start)])

    rows = {task.title: row(task) for task in (later, late)}
    assert "overdue" not in rows["Later task"] and "overdue" in rows["Late task"]
    assert html.count('cw-badge cw-danger">overdue') == 1
    assert "Call the customer" in html
    filters = [
        choice["display"]
        for spec in response.context["cl"].filter_specs
        if spec.title == "kind"
        for choice in spec.choices(response.context["cl"])
    ]
    assert "Call the customer" in filters and "call_customer" not in filters


def test_a_task_page_has_done_and_shows_its_details_in_words(agent_console):
    task = a_task(CaseFactory(), due_in=timedelta(hours=1))
    page = agent_console.get(reverse("admin:cases_task_change", args=[task.pk]))
    buttons = {b["name"]: b["label"] for b in page.context["record_buttons"]}
    assert buttons == {"mark_done": "Done", "cancel": "Cancel this task"}
    html = page.content.decode()
    assert "why: confirm address" in html and '{"purpose"' not in html
    assert "call_customer" not in visible_text(html)

    Task.objects.filter(pk=task.pk).update(state="done", closed_at=timezone.now())
    page = agent_console.get(reverse("admin:cases_task_change", args=[task.pk]))
    assert page.context["record_buttons"] == []


def test_an_empty_list_offers_no_add_where_nothing_can_be_added(agent_console):
    html = agent_console.get(reverse("admin:cases_notification_changelist")).content.decode()
    assert "Create a new item" not in html and "Add notification" not in html
    assert 'id="cw-empty-results"' in html


# --- lists and the case page -------------------------------------------------------------------


def test_lists_are_titled_by_what_they_list(agent_console):
    html = agent_console.get(reverse("admin:cases_case_changelist")).content.decode()
    assert "Select case to change" not in html
    assert re.search(r"<title>\s*Cases \| Casework</title>", html)
    assert 'id="cw-pagination"' in html


def test_other_cases_count_and_list_leave_out_the_case_you_are_on(agent_console):
    customer = CustomerFactory(phone="+919800000101")
    this, *others = [CaseFactory(customer=customer) for _ in range(3)]
    CaseFactory()  # someone else's
    page = agent_console.get(reverse("admin:cases_case_change", args=[this.pk]))
    header = page.context["header"]
    assert header["other_cases"] == "2"
    listed = agent_console.get(header["other_cases_url"])
    shown = {case.pk for case in listed.context["cl"].result_list}
    assert shown == {case.pk for case in others}


@pytest.mark.parametrize("value", ["²", "١٢", "x", "-1", "9" * 30, ""])
def test_an_other_than_value_that_is_no_id_filters_nothing(agent_console, value):
    cases = {CaseFactory().pk for _ in range(2)}
    listed = agent_console.get(
        reverse("admin:cases_case_changelist"), {"work": "all", "other_than": value}
    )
    assert listed.status_code == 200
    assert {case.pk for case in listed.context["cl"].result_list} == cases


def test_id_or_none_reads_ids_as_parse_id_does():
    from core.inputs import MAX_ID, id_or_none

    assert [id_or_none(v) for v in ("0", "12", 12, str(MAX_ID))] == [0, 12, 12, MAX_ID]
    assert [id_or_none(v) for v in (str(MAX_ID + 1), "²", "1.0", None, True, [1])] == [None] * 6


def test_a_roleless_user_still_reads_words(db):
    # The words do not depend on the role: a supervisor reading a task sees the same.
    supervisor = logged_in(UserFactory(username="sup-words", role="supervisor"))
    task = a_task(CaseFactory(), due_in=timedelta(hours=1), kind="review_paf", params={})
    html = supervisor.get(reverse("admin:cases_task_change", args=[task.pk])).content.decode()
    assert "Review the PAF (trainer)" in html
