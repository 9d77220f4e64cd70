"""Policy versions: drafted with validation, activated by a supervisor who did not write them,
in force from their effective time only; decisions keep the version they were made under."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import CaseEvent
from core.errors import InvalidInput, NotPermitted, PolicyRefusal, TransitionConflict
from flows import intake, runner
from policies.models import PolicyVersion
from policies.parameters import DEFAULT_POLICY
from policies.selectors import policy_in_force
from policies.services import activate_policy_version, draft_policy_version
from tests.factories import UserFactory
from tests.helpers import case_on, job, last_decision

pytestmark = pytest.mark.django_db

# A fixed "today" (Asia/Kolkata, the settings' zone), so the calendar arithmetic is exact.
TODAY = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.get_default_timezone())
TOMORROW = datetime.combine(TODAY.date() + timedelta(days=1), time.min, tzinfo=TODAY.tzinfo)


@pytest.fixture
def supervisor2(db):
    return UserFactory(username="super-2", role="supervisor")


def warranty_45(author, *, effective_from=TOMORROW, version="sop-2026.2"):
    return draft_policy_version(
        actor=author,
        version=version,
        parameters={**DEFAULT_POLICY.params.to_dict(), "warranty_days": 45},
        effective_from=effective_from,
        change_note="Warranty extended to 45 days.",
    )


# --- drafting ----------------------------------------------------------------------------------


def test_a_draft_stores_every_parameter_canonically(supervisor):
    row = draft_policy_version(
        actor=supervisor,
        version="sop-2026.2",
        parameters={"warranty_days": 45, "revisit_penalty_rate": "0.5"},
        effective_from=TOMORROW,
        change_note="Longer warranty, lighter penalty.",
    )
    assert row.status == "draft" and row.author == supervisor
    assert row.parameters["warranty_days"] == 45
    assert row.parameters["revisit_penalty_rate"] == "0.5"
    assert row.parameters["goodwill_below_threshold"] == "100"  # defaults filled in
    assert row.activated_at is None


def test_bad_parameters_are_field_errors(supervisor):
    with pytest.raises(InvalidInput) as bad:
        draft_policy_version(
            actor=supervisor,
            version="Bad Version!",
            parameters={"warranty_days": -1, "revisit_penalty_rate": 0.6, "colour": "red"},
            effective_from=TOMORROW,
            change_note="",
        )
    fields = bad.value.fields
    assert set(fields) == {
        "parameters.warranty_days",
        "parameters.revisit_penalty_rate",
        "parameters.colour",
        "version",
        "change_note",
    }
    assert fields["parameters.colour"] == ["unknown parameter"]
    assert "float" in fields["parameters.revisit_penalty_rate"][0]
    assert not PolicyVersion.objects.filter(status="draft").exists()


def test_a_version_name_is_used_once(supervisor):
    with pytest.raises(InvalidInput) as bad:
        draft_policy_version(
            actor=supervisor,
            version=DEFAULT_POLICY.version,
            parameters={},
            effective_from=TOMORROW,
            change_note="Again.",
        )
    assert "version" in bad.value.fields


def test_agents_do_not_draft_policies(agent):
    with pytest.raises(NotPermitted):
        warranty_45(agent)


# --- activation: four eyes ---------------------------------------------------------------------


def test_only_a_supervisor_other_than_the_author_activates(supervisor, supervisor2, agent):
    row = warranty_45(supervisor)
    with pytest.raises(NotPermitted):
        activate_policy_version(version_id=row.pk, actor=agent)
    with pytest.raises(NotPermitted) as own:
        activate_policy_version(version_id=row.pk, actor=supervisor)
    assert "wrote themselves" in own.value.message
    row.refresh_from_db()
    assert row.status == "draft"

    active = activate_policy_version(version_id=row.pk, actor=supervisor2)
    assert (active.status, active.activated_by) == ("active", supervisor2)
    assert active.activated_at is not None
    with pytest.raises(TransitionConflict):
        activate_policy_version(version_id=row.pk, actor=supervisor2)


def test_two_versions_cannot_start_at_the_same_moment(supervisor, supervisor2):
    activate_policy_version(version_id=warranty_45(supervisor).pk, actor=supervisor2)
    twin = warranty_45(supervisor, version="sop-2026.3")
    with pytest.raises(TransitionConflict):
        activate_policy_version(version_id=twin.pk, actor=supervisor2)


# --- in force from the effective time only -----------------------------------------------------


def test_a_new_warranty_applies_only_from_its_effective_time(agent, supervisor, supervisor2):
    with time_machine.travel(TODAY, tick=False):
        served_40_days_ago = job(days_ago=40, status="completed")
        activate_policy_version(version_id=warranty_45(supervisor).pk, actor=supervisor2)
        assert policy_in_force(timezone.now()).version == DEFAULT_POLICY.version
        # Today nothing changes: still the 30-day warranty.
        with pytest.raises(PolicyRefusal) as refused:
            intake.create_revisit(booking_id=served_40_days_ago.pk, actor=agent)
        assert "30-day warranty" in refused.value.message

    later = TOMORROW + timedelta(days=41, hours=10)
    with time_machine.travel(later, tick=False):
        assert policy_in_force(timezone.now()).version == "sop-2026.2"
        # A job served after the effective time gets the 45-day warranty...
        served_after = job(days_ago=40, status="completed")
        result = intake.create_revisit(booking_id=served_after.pk, actor=agent)
        assert result.decision.policy_version == "sop-2026.2"
        assert "45-day warranty" in result.decision.reason
        event = result.case.events.get(type="decision")
        assert event.policy_version == "sop-2026.2"
        # ... a job served before it keeps the warranty it was sold with.
        with pytest.raises(PolicyRefusal):
            intake.create_revisit(booking_id=served_40_days_ago.pk, actor=agent)


def test_decisions_keep_the_version_they_were_made_under(agent, supervisor, supervisor2):
    with time_machine.travel(TODAY, tick=False):
        old_case = case_on("property_damage")
        runner.decide_case(
            case_id=old_case.pk,
            flow="l1.property_damage",
            inputs={"observation": "immediate"},
            actor=agent,
        )
        before = last_decision(old_case)
        assert before.policy_version == DEFAULT_POLICY.version
        activate_policy_version(version_id=warranty_45(supervisor).pk, actor=supervisor2)

    with time_machine.travel(TOMORROW + timedelta(hours=3), tick=False):
        # A case opened before the version took effect is still decided under its rules.
        runner.decide_case(
            case_id=old_case.pk,
            flow="l1.property_damage",
            inputs={"observation": "late"},
            actor=agent,
        )
        assert last_decision(old_case).policy_version == DEFAULT_POLICY.version
        new_case = case_on("property_damage")
        decision = runner.decide_case(
            case_id=new_case.pk,
            flow="l1.property_damage",
            inputs={"observation": "late"},
            actor=agent,
        ).decision
        assert decision.policy_version == "sop-2026.2"
        assert "(policy sop-2026.2)" in decision.reason
    # The stored decision is never rewritten.
    assert CaseEvent.objects.get(pk=before.pk).policy_version == DEFAULT_POLICY.version
    assert CaseEvent.objects.get(pk=before.pk).payload == before.payload


def test_warranty_flows_on_cases_use_the_version_of_the_service_day(agent, supervisor, supervisor2):
    with time_machine.travel(TODAY, tick=False):
        activate_policy_version(version_id=warranty_45(supervisor).pk, actor=supervisor2)
    with time_machine.travel(TOMORROW + timedelta(days=41, hours=10), tick=False):
        case = case_on("post_service_complaint", job(days_ago=40, status="completed"))
        decision = runner.decide_case(
            case_id=case.pk,
            flow="l1.status_check_closed",
            inputs={"complaint": "product_issue", "customer_agrees": True},
            actor=agent,
        ).decision
        assert decision.outcome == "ticket_reopened"
        assert decision.policy_version == "sop-2026.2"
