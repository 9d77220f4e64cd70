"""The transition confirmation page: success writes one audit event; every refusal writes nothing
and says why."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, DispositionTag, EventType
from tests.factories import CaseFactory, tag_for
from tests.helpers import case_in

pytestmark = pytest.mark.django_db


def transition_url(case: Case, name: str) -> str:
    return reverse("admin:cases_case_transition", args=[case.pk, name])


def local_input(dt) -> str:
    """A datetime as a datetime-local input sends it."""
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def transitions_of(case: Case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case, type=EventType.TRANSITION)
        .order_by("id")
        .values_list("transition", flat=True)
    )


def test_confirmation_page_shows_the_reason_and_the_current_status(agent_console):
    case = CaseFactory()
    response = agent_console.get(transition_url(case, "open"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields) == {"expected_status", "reason"}
    assert form["expected_status"].value() == "new"
    html = response.content.decode()
    assert "Confirm: Open" in html
    assert 'id="shown-status">New<' in html


def test_open_writes_the_transition_and_its_audit_event(agent_console, agent):
    case = CaseFactory()
    response = agent_console.post(
        transition_url(case, "open"),
        {"expected_status": "new", "reason": "Picked up from the queue"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("admin:cases_case_change", args=[case.pk])
    assert Case.objects.get(pk=case.pk).status == "open"
    event = CaseEvent.objects.get(case=case, type=EventType.TRANSITION)
    assert (event.transition, event.from_state, event.to_state) == ("open", "new", "open")
    assert event.actor == agent
    assert event.reason == "Picked up from the queue"
    assert event.policy_version
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"Open: case #{case.pk} is now Open." in texts


def test_park_page_asks_for_a_time_and_parks(agent_console):
    case = case_in("open")
    page = agent_console.get(transition_url(case, "park"))
    assert 'type="datetime-local"' in page.content.decode()
    until = timezone.now() + timedelta(days=1)
    response = agent_console.post(
        transition_url(case, "park"),
        {
            "expected_status": "open",
            "reason": "OOS: call partner in 3 h",
            "parked_until": local_input(until),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.status == "parked"
    assert abs(case.parked_until - until) < timedelta(minutes=1)
    assert transitions_of(case) == ["park"]


def test_park_in_the_past_shows_the_field_error_and_writes_nothing(agent_console):
    case = case_in("open")
    response = agent_console.post(
        transition_url(case, "park"),
        {
            "expected_status": "open",
            "parked_until": local_input(timezone.now() - timedelta(hours=1)),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["parked_until"] == [
        "The park time must be in the future."
    ]
    assert Case.objects.get(pk=case.pk).status == "open"
    assert transitions_of(case) == []


def test_resolve_page_lists_only_the_tags_for_this_kind(agent_console):
    case = case_in("open", kind="out_of_scope")
    choices = (
        agent_console.get(transition_url(case, "resolve"))
        .context["form"]
        .fields["disposition"]
        .queryset
    )
    expected = DispositionTag.objects.filter(is_selectable=True, kinds__contains=["out_of_scope"])
    assert set(choices) == set(expected)
    assert expected.exists()
    assert not choices.filter(path__startswith="Inbound").exists()


def test_resolve_without_a_tag_shows_the_field_error(agent_console):
    case = case_in("open")
    response = agent_console.post(
        transition_url(case, "resolve"),
        {"expected_status": "open", "disposition": "", "confirm": "on"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["disposition"] == ["Choose the tag (disposition) to resolve with."]
    assert "Choose the tag (disposition) to resolve with." in response.content.decode()
    case = Case.objects.get(pk=case.pk)
    assert case.status == "open" and case.disposition is None
    assert transitions_of(case) == []


def test_resolve_with_a_tag_for_another_kind_is_refused(agent_console):
    case = case_in("open", kind="status_check")
    other = tag_for("out_of_scope")
    response = agent_console.post(
        transition_url(case, "resolve"),
        {"expected_status": "open", "disposition": other.path, "confirm": "on"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["disposition"] == [
        "Choose one of the tags listed for this kind of case."
    ]
    assert Case.objects.get(pk=case.pk).status == "open"


def test_resolve_with_a_tag(agent_console):
    case = case_in("open")
    tag = tag_for(case.kind)
    response = agent_console.post(
        transition_url(case, "resolve"),
        {
            "expected_status": "open",
            "disposition": tag.path,
            "reason": "Told the ETA",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.status == "resolved"
    assert case.disposition == tag
    assert case.resolved_at is not None
    event = CaseEvent.objects.get(case=case, type=EventType.TRANSITION)
    assert event.payload == {"disposition": tag.path}


def test_stale_page_gets_a_conflict_and_writes_nothing(agent_console, agent2):
    case = CaseFactory()
    page = agent_console.get(transition_url(case, "park"))
    shown = page.context["form"]["expected_status"].value()
    # Someone else opens the case while the first agent's page is still up.
    services.transition_case(case_id=case.pk, name="open", actor=agent2)
    response = agent_console.post(
        transition_url(case, "park"),
        {
            "expected_status": shown,
            "parked_until": local_input(timezone.now() + timedelta(hours=3)),
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "someone changed it first" in html
    case = Case.objects.get(pk=case.pk)
    assert case.status == "open"
    assert case.parked_until is None
    assert transitions_of(case) == ["open"]  # only the other agent's


def test_transition_not_allowed_from_the_state_is_a_conflict(agent_console):
    case = case_in("resolved")
    response = agent_console.post(transition_url(case, "open"), {"expected_status": "resolved"})
    assert response.status_code == 409
    assert "Cannot open case" in response.content.decode()
    assert transitions_of(case) == []


def test_agent_may_not_reopen(agent_console):
    case = case_in("closed")
    response = agent_console.post(
        transition_url(case, "reopen"), {"expected_status": "closed", "confirm": "on"}
    )
    assert response.status_code == 403
    assert "Your role may not reopen a case." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "closed"
    assert transitions_of(case) == []


def test_supervisor_reopens_a_closed_case(supervisor_console):
    case = case_in("closed")
    page = supervisor_console.get(transition_url(case, "reopen"))
    assert "only a supervisor" not in page.content.decode()
    assert "Reopening clears the tag" in page.content.decode()
    response = supervisor_console.post(
        transition_url(case, "reopen"),
        {"expected_status": "closed", "reason": "Customer called back", "confirm": "on"},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.status == "open" and case.disposition is None
    assert transitions_of(case) == ["reopen"]


def test_close_page_warns_that_it_is_final_for_agents(agent_console):
    case = case_in("resolved")
    html = agent_console.get(transition_url(case, "close")).content.decode()
    assert "only a supervisor can reopen" in html


def test_get_for_a_transition_not_offered_goes_back_with_a_message(agent_console):
    case = case_in("closed")
    response = agent_console.get(transition_url(case, "reopen"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:cases_case_change", args=[case.pk])
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Reopen is not possible" in t for t in texts)


def test_finance_gets_403_on_the_transition_page(finance_console):
    case = CaseFactory()
    assert finance_console.get(transition_url(case, "open")).status_code == 403
    assert (
        finance_console.post(transition_url(case, "open"), {"expected_status": "new"}).status_code
        == 403
    )
    assert Case.objects.get(pk=case.pk).status == "new"


def test_unknown_transition_or_case_is_404(agent_console):
    case = CaseFactory()
    assert agent_console.get(transition_url(case, "teleport")).status_code == 404
    missing = reverse("admin:cases_case_transition", args=[case.pk + 1000, "open"])
    assert agent_console.get(missing).status_code == 404


@pytest.mark.parametrize("name, status", [("resolve", "open"), ("close", "resolved")])
def test_what_is_not_simply_undone_needs_the_box_ticked(agent_console, name, status):
    case = case_in(status)
    data = {"expected_status": status, "reason": "Done"}
    if name == "resolve":
        data["disposition"] = tag_for(case.kind).path
    response = agent_console.post(transition_url(case, name), data)
    assert response.status_code == 400
    assert response.context["form"].errors["confirm"] == [
        "Tick the box to confirm; this is not undone."
    ]
    assert Case.objects.get(pk=case.pk).status == status
    assert transitions_of(case) == []
    response = agent_console.post(transition_url(case, name), {**data, "confirm": "on"})
    assert response.status_code == 302
    assert transitions_of(case) == [name]


def test_reversible_moves_ask_no_confirmation(agent_console):
    form = agent_console.get(transition_url(case_in("open"), "park")).context["form"]
    assert "confirm" not in form.fields
