"""Console pages of the SOP flows: the flows of a case, a form per flow built from its input
schema, a decision preview that writes nothing, then Apply."""

from decimal import Decimal

import pytest
from django.test import Client

from cases.models import CaseEvent, Task
from flows import runner
from flows.console import inputs_digest
from payouts.models import Penalty
from tests.factories import UserFactory
from tests.helpers import case_on, decided_with_a_task, job, last_decision, revisit_of

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sop_url(case, flow=""):
    return f"/admin/cases/case/{case.pk}/sop/" + (f"{flow}/" if flow else "")


@pytest.fixture
def scenario_4_case():
    original = job(status="completed", invoice_amount=Decimal("1000.00"))
    return case_on("revisit_partner_fault", revisit_of(original))


def test_the_flow_list_of_a_case(agent, scenario_4_case, django_assert_max_num_queries):
    client = logged_in(agent)
    with django_assert_max_num_queries(12):
        response = client.get(sop_url(scenario_4_case))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("revisit.scenario_1", "revisit.scenario_4", "revisit.create"):
        assert f'data-flow="{name}"' in html
    assert "Original invoice amount: 1000.00" in html


def test_the_form_asks_exactly_what_the_sop_needs(agent, scenario_4_case):
    response = logged_in(agent).get(sop_url(scenario_4_case, "revisit.scenario_4"))
    assert response.status_code == 200
    form = response.context["form"]
    assert [name for name in form.fields if name != "digest"] == ["partner_failure"]
    assert "no show" in response.content.decode()
    assert 'name="_apply"' not in response.content.decode()


def test_form_field_types_follow_the_schema(agent):
    case = case_on("status_check")
    form = logged_in(agent).get(sop_url(case, "l1.status_check_open")).context["form"]
    assert type(form.fields["open_status"]).__name__ == "ChoiceField"
    assert type(form.fields["customer_response"]).__name__ == "ChoiceField"
    assert type(form.fields["preferred_date"]).__name__ == "DateField"
    assert type(form.fields["customer_wants_to_cancel"]).__name__ == "BooleanField"
    assert "spd_breached" in form.fields  # no SPD on the booking: asked
    revisit = case_on("revisit_new_work_denied")
    form = logged_in(agent).get(sop_url(revisit, "revisit.scenario_3")).context["form"]
    assert type(form.fields["customer_accepts_new_sku"]).__name__ == "NullBooleanField"
    painting = case_on("follow_up_painting")
    form = logged_in(agent).get(sop_url(painting, "painting.quotation")).context["form"]
    assert type(form.fields["material_cost"]).__name__ == "DecimalField"
    assert type(form.fields["days"]).__name__ == "IntegerField"


def test_preview_then_apply(agent, scenario_4_case):
    client = logged_in(agent)
    url = sop_url(scenario_4_case, "revisit.scenario_4")
    events = CaseEvent.objects.count()
    preview = client.post(url, {"partner_failure": "no_show", "_preview": "1"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "paf_and_penalty_marked" in html and "create_penalty" in html
    assert 'name="_apply"' in html
    assert CaseEvent.objects.count() == events and not Penalty.objects.exists()

    digest = preview.context["form"]["digest"].value()
    assert digest == inputs_digest({"partner_failure": "no_show"})
    applied = client.post(url, {"partner_failure": "no_show", "digest": digest, "_apply": "1"})
    assert applied.status_code == 302
    assert applied["Location"] == f"/admin/cases/case/{scenario_4_case.pk}/change/"
    assert Penalty.objects.get().amount == Decimal("600.00")
    assert last_decision(scenario_4_case).actor == agent


def test_apply_with_changed_answers_previews_again(agent, scenario_4_case):
    client = logged_in(agent)
    url = sop_url(scenario_4_case, "revisit.scenario_4")
    digest = inputs_digest({"partner_failure": "no_show"})
    response = client.post(url, {"partner_failure": "denied_job", "digest": digest, "_apply": "1"})
    assert response.status_code == 200
    assert response.context["decision"].input("partner_failure") == "denied_job"
    assert not Penalty.objects.exists()


def test_a_refusal_is_previewed_and_recorded_as_the_answer(agent):
    case = case_on("revisit_customer_cancelled")
    data = {
        "pro_discussed_and_denied": "on",
        "paf_marked": "on",
        "penalty_marked": "on",
        "_preview": "1",
    }
    response = logged_in(agent).post(sop_url(case, "revisit.scenario_1"), data)
    html = response.content.decode()
    assert "refused" in html and "paf_genuine_not_reversed" in html
    assert "Record the refusal" in html
    data = {k: v for k, v in data.items() if k != "_preview"}
    inputs = {
        "pro_discussed_and_denied": True,
        "pro_shared_personal_number": False,
        "paf_marked": True,
        "penalty_marked": True,
        "paf_genuine": False,
    }
    forced = logged_in(agent).post(
        sop_url(case, "revisit.scenario_1"),
        {**data, "digest": inputs_digest(inputs), "_apply": "1"},
    )
    assert forced.status_code == 302
    event = CaseEvent.objects.get(case=case, type="decision")
    assert event.payload["refused"] is True and "cannot be reversed" in event.reason


def test_a_gate_refusal_cannot_be_applied(agent):
    from tests.helpers import job

    case = case_on("post_service_complaint", job(days_ago=31, status="completed"))
    url = sop_url(case, "revisit.create")
    preview = logged_in(agent).post(url, {"_preview": "1"})
    html = preview.content.decode()
    assert "revisit_refused_outside_warranty" in html
    assert 'name="_apply"' not in html
    forced = logged_in(agent).post(url, {"digest": inputs_digest({}), "_apply": "1"})
    assert forced.status_code == 422
    assert "Nothing was written" in forced.content.decode()
    assert not CaseEvent.objects.filter(case=case, type="decision").exists()


def test_field_errors_are_shown(agent):
    case = case_on("pre_service_cancellation")
    response = logged_in(agent).post(
        sop_url(case, "pre_services.goodwill_refund"), {"_preview": "1"}
    )
    # The booking is not cancelled: the cause is asked, and missing.
    assert response.status_code == 400
    assert "cancellation_cause" in response.context["form"].errors


def test_roles(finance_user, scenario_4_case):
    assert logged_in(finance_user).get(sop_url(scenario_4_case)).status_code == 403
    stranger = logged_in(UserFactory(username="not-staff", is_staff=False))
    assert stranger.get(sop_url(scenario_4_case)).status_code == 302  # to the login page


def test_flows_of_another_kind_are_404(agent, scenario_4_case):
    response = logged_in(agent).get(sop_url(scenario_4_case, "l1.safety_case"))
    assert response.status_code == 404


def test_case_page_links_the_flows_and_lists_decisions(agent, scenario_4_case):
    client = logged_in(agent)
    page = client.get(f"/admin/cases/case/{scenario_4_case.pk}/change/")
    html = page.content.decode()
    assert f"/admin/cases/case/{scenario_4_case.pk}/sop/" in html
    assert page.context["decisions"] == []
    runner.decide_case(
        case_id=scenario_4_case.pk,
        flow="revisit.scenario_4",
        inputs={"partner_failure": "no_show"},
        actor=agent,
    )
    page = client.get(f"/admin/cases/case/{scenario_4_case.pk}/change/")
    decisions = page.context["decisions"]
    assert len(decisions) == 1
    decision = decisions[0]
    assert decision["who"] == agent
    assert decision["flow"] == "Scenario 4: partner denied / no show / poor service"
    assert "sop-2026.1" in decision["policy"]
    assert decision["tasks"] == []  # scenario 4 creates no task
    assert "decision-history" in page.content.decode()
    (said,) = [e.sentence for e in page.context["timeline"] if e.kind == "decision"]
    assert said.startswith("decided with the SOP (Scenario 4: partner denied / no show")
    assert "revisit.scenario_4" not in said


def test_a_decision_on_the_case_page_lists_the_tasks_it_created(agent):
    case = decided_with_a_task(agent)
    page = logged_in(agent).get(f"/admin/cases/case/{case.pk}/change/")
    (decision,) = page.context["decisions"]
    task = Task.objects.get(case=case)
    assert decision["tasks"] == [task]
    assert decision["flow"] == "Scenario 1: revisit created but the customer cancelled"
    html = page.content.decode()
    assert "Tasks it created:" in html
    assert f'href="/admin/cases/task/{task.pk}/change/">{task.title}</a>' in html


def test_a_follow_up_call_shows_the_sops_script_and_saves_the_ticked_steps(agent):
    from flows.call_script import script_for as call_script_for
    from policies.sop import followups

    case = case_on("follow_up_first_visit", job(days_ago=-1))
    client = logged_in(agent)
    url = sop_url(case, "follow_up.call_attempt")
    page = client.get(url)
    html = page.content.decode()
    script = call_script_for(case)
    assert script == followups.FIRST_VISIT_CALL_SCRIPT
    assert 'id="call-script"' in html and all(step in html for step in script)

    asked = {name for name in page.context["form"].fields if name != "digest"}
    answers = {"outcome": "no_answer"}
    assert set(answers) <= asked
    preview = client.post(url, {**answers, "_preview": "1"})
    assert preview.status_code == 200, preview.context["form"].errors
    digest = preview.context["form"]["digest"].value()
    ticked = [script[0], script[1]]
    applied = client.post(
        url, {**answers, "digest": digest, "_apply": "1", "script_step": [*ticked, "made up"]}
    )
    assert applied.status_code == 302
    call = CaseEvent.objects.get(case=case, type="call_attempt")
    assert call.payload["script"] == ticked  # only the SOP's steps, in its order


def test_decisions_from_what_the_page_read_equal_those_read_on_their_own(agent):
    from cases.admin.page import TASKS_SHOWN
    from cases.timeline import recent_events
    from flows.case_panel import _decisions_with_tasks

    case = decided_with_a_task(agent)
    page = {
        "events": recent_events(case),
        "tasks": list(case.tasks.order_by("-state", "due_at", "id")[:TASKS_SHOWN]),
    }
    reused = _decisions_with_tasks(case, page)
    read = _decisions_with_tasks(case, {})  # nothing read: its own two queries
    assert [e.pk for e in reused] == [e.pk for e in read] and reused
    assert [e.tasks_made for e in reused] == [e.tasks_made for e in read]
    assert reused[0].tasks_made == [Task.objects.get(case=case)]
