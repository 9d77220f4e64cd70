"""Working a case from its page: the SOP's guidance for its kind, each action a form on the
page (the tag picker limited to the kind's tags), the assignee searched as one types, and a
query count that does not grow with the case's history."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.guidance import guidance_for
from cases.models import Case, CaseEvent, DispositionTag, EventType
from tests.factories import CaseFactory, UserFactory, tag_for
from tests.helpers import case_in

pytestmark = pytest.mark.django_db


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


@pytest.mark.parametrize("kind", ["status_check", "revisit_partner_fault", "out_of_scope"])
def test_the_page_shows_the_sops_scenario_and_checks_for_the_kind(agent_console, kind):
    case = CaseFactory(kind=kind)
    html = agent_console.get(change_url(case)).content.decode()
    guidance = guidance_for(kind)
    section = html[
        html.index('id="sop-guidance"') : html.index("</section>", html.index('id="sop-guidance"'))
    ]
    assert escape(guidance.sop_section) in section
    assert escape(guidance.scenario) in section
    checks = re.findall(r"<li>(.*?)</li>", section[section.index('class="cw-checks"') :])
    assert len(checks) >= len(guidance.checks)


def test_the_guidance_lists_the_flows_that_decide_the_kind(agent_console):
    case = CaseFactory(kind="revisit_customer_cancelled")
    html = agent_console.get(change_url(case)).content.decode()
    flows = re.findall(r'data-flow="([a-z_.0-9]+)"', html)
    assert "revisit.scenario_1" in flows and "revisit.scenario_4" in flows
    assert f"/admin/cases/case/{case.pk}/sop/revisit.scenario_1/" in html


def test_an_action_posted_from_the_page_form_is_carried_out(agent_console, agent):
    case = CaseFactory()
    response = agent_console.post(
        reverse("admin:cases_case_transition", args=[case.pk, "open"]),
        {"open-expected_status": "new", "open-reason": "Picked up"},
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, type=EventType.TRANSITION)
    assert (event.transition, event.reason, event.actor) == ("open", "Picked up", agent)


def test_a_page_form_with_a_mistake_comes_back_with_the_error(agent_console):
    case = case_in("open")
    response = agent_console.post(
        reverse("admin:cases_case_transition", args=[case.pk, "resolve"]),
        {"resolve-expected_status": "open", "resolve-disposition": "no/such/tag"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["disposition"] == ["Choose one of the tags listed for this kind of case."]
    assert "confirm" in errors
    assert Case.objects.get(pk=case.pk).status == "open"


def test_the_tag_picker_offers_only_the_kinds_tags_and_is_searchable(agent_console):
    case = case_in("open", kind="status_check")
    html = agent_console.get(change_url(case)).content.decode()
    datalist = re.search(r'<datalist id="resolve-tags">(.*?)</datalist>', html, re.S).group(1)
    offered = [unescape(v) for v in re.findall(r'<option value="([^"]+)">', datalist)]
    expected = DispositionTag.objects.filter(
        is_selectable=True, kinds__contains=["status_check"]
    ).values_list("path", flat=True)
    assert offered == sorted(expected) and offered
    assert tag_for("out_of_scope").path not in offered
    assert 'list="resolve-tags"' in html  # the tag box searches that list as one types
    assert "I understand: resolving records the tag" in html


def test_the_assignee_box_renders_only_the_chosen_person(agent_console, agent):
    for n in range(5):
        UserFactory(username=f"worker-{n}", role="agent")
    case = CaseFactory(assignee=agent)
    html = agent_console.get(change_url(case)).content.decode()
    select = re.search(r'<select name="assignee".*?</select>', html, re.S).group(0)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert [o for o in options if o] == [str(agent)]  # and the empty one that clears it
    assert reverse("admin:cases_case_people") in select


def test_the_assignee_search_finds_case_workers_only(agent_console, agent, finance_user):
    UserFactory(username="asha-agent", first_name="Asha", last_name="Rao", role="agent")
    UserFactory(username="asha-finance", role="finance")
    url = reverse("admin:cases_case_people")
    found = agent_console.get(url, {"term": "asha"}).json()
    assert found == {
        "results": [{"id": found["results"][0]["id"], "text": "asha-agent (Asha Rao)"}],
        "pagination": {"more": False},
    }
    by_name = agent_console.get(url, {"term": "Rao"}).json()
    assert [r["text"] for r in by_name["results"]] == ["asha-agent (Asha Rao)"]


def test_the_assignee_search_pages_by_twenty(agent_console, agent):
    for n in range(25):
        UserFactory(username=f"pool-{n:02d}", role="agent")
    url = reverse("admin:cases_case_people")
    first = agent_console.get(url, {"term": "pool-"}).json()
    second = agent_console.get(url, {"term": "pool-", "page": "2"}).json()
    assert len(first["results"]) == 20 and first["pagination"]["more"] is True
    assert len(second["results"]) == 5 and second["pagination"]["more"] is False


def test_the_assignee_search_needs_the_case_console(client, partner):
    client.force_login(partner.user)
    response = client.get(reverse("admin:cases_case_people"), {"term": "a"})
    assert response.status_code == 302  # not staff: sent to the login page
    assert "results" not in response.content.decode()


def test_assigning_from_the_page_goes_through_the_service(agent_console, agent):
    case = case_in("open")
    response = agent_console.post(
        change_url(case),
        {
            "subject": case.subject,
            "description": "",
            "team": case.team,
            "assignee": agent.pk,
            "priority": "high",
            "due_at_0": "",
            "due_at_1": "",
            "_continue": "",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assignee, case.priority) == (agent, "high")
    changed = CaseEvent.objects.filter(case=case, type=EventType.FIELD_CHANGE)
    assert sorted(e.payload["field"] for e in changed) == ["assignee", "priority"]


def test_the_partner_filter_searches_partners_instead_of_listing_them(agent_console):
    html = agent_console.get(reverse("admin:cases_case_changelist")).content.decode()
    assert 'data-model-name="case"' in html and 'data-field-name="partner"' in html
    assert reverse("admin:autocomplete") in html


def test_the_case_page_makes_the_same_queries_whatever_its_history(agent_console, agent):
    case = case_in("open", kind="status_check")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert agent_console.get(change_url(case)).status_code == 200
        return len(ctx.captured_queries)

    services.add_note(case_id=case.pk, actor=agent, text="first")
    queries()  # the first page also reads the reply templates (kept 30 s per process)
    few = queries()
    for n in range(15):
        services.add_note(case_id=case.pk, actor=agent, text=f"note {n}")
        services.update_case(
            case_id=case.pk, actor=agent, changes={"priority": "high" if n % 2 else "low"}
        )
    assert queries() == few


@pytest.mark.parametrize("status", ["new", "open", "resolved"])
def test_the_page_forms_send_exactly_what_the_transition_form_reads(agent_console, status):
    from cases.admin.forms import TransitionForm
    from cases.admin.views import CONFIRM_NOTES, transition_named

    case = case_in(status)
    html = agent_console.get(change_url(case)).content.decode()
    forms = re.findall(r'<form class="cw-act-form".*?action="([^"]+)".*?</form>', html, re.S)
    assert forms
    for block in re.findall(r'<form class="cw-act-form".*?</form>', html, re.S):
        name = re.search(r"/transition/([a-z_]+)/", block).group(1)
        sent = set(re.findall(r'name="([^"]+)"', block)) - {"csrfmiddlewaretoken", "_confirm"}
        form = TransitionForm(
            case=case,
            transition=transition_named(case, name),
            prefix=name,
            confirm_note=CONFIRM_NOTES.get(name, ""),
        )
        assert sent == {form[field].html_name for field in form.fields}, name


def _posted_back(html: str) -> dict[str, str]:
    """What a browser sends for the page's details form as rendered."""
    block = re.search(r'<form method="post" action="[^"]+" id="case_form".*?</form>', html, re.S)
    block = block.group(0)
    data = {}
    for tag in re.findall(r"<input[^>]*>", block):
        name = re.search(r'name="([^"]+)"', tag)
        if name and 'type="checkbox"' not in tag:
            value = re.search(r'value="([^"]*)"', tag)
            data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', block, re.S):
        data[name] = unescape(text.removeprefix("\n"))  # a browser drops the first newline
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', block, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = unescape(chosen[0]) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    data["_continue"] = ""
    return data


def test_the_details_form_posts_back_unchanged_as_rendered(agent_console, agent):
    from datetime import timedelta

    from django.utils import timezone

    case = case_in("open", kind="status_check")
    Case.objects.filter(pk=case.pk).update(
        assignee=agent,
        priority="high",
        team="partner_support",
        description='Line one\nwith "quotes" & <b>',
        due_at=timezone.now() + timedelta(days=2),
    )
    data = _posted_back(agent_console.get(change_url(case)).content.decode())
    assert data["priority"] == "high" and data["team"] == "partner_support"
    assert data["assignee"] == str(agent.pk)
    response = agent_console.post(change_url(case), data)
    assert response.status_code == 302
    assert not CaseEvent.objects.filter(case=case, type=EventType.FIELD_CHANGE).exists()

    data["priority"] = "urgent"
    agent_console.post(change_url(case), data)
    changed = CaseEvent.objects.get(case=case, type=EventType.FIELD_CHANGE)
    assert changed.payload["field"] == "priority"
