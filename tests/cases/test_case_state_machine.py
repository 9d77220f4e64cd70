"""Every case transition, legal and illegal, through the service layer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, CaseStatus, EventType
from core.errors import InvalidInput, NotPermitted, TransitionConflict
from tests.factories import tag_for
from tests.helpers import case_in

pytestmark = pytest.mark.django_db

ALL_STATES = [s.value for s in CaseStatus]

# (transition, {source: target}) — the whole machine, from the SOP-derived design in
# cases/models.py. Anything not listed is illegal and must be refused with a conflict.
LEGAL = {
    "open": {"new": "open"},
    "mark_pending": {"open": "pending", "parked": "pending", "waiting_on_third_party": "pending"},
    "park": {"new": "parked", "open": "parked", "pending": "parked"},
    "unpark": {"parked": "open"},
    "wait_on_customer": {
        "open": "waiting_on_customer",
        "pending": "waiting_on_customer",
        "parked": "waiting_on_customer",
    },
    "wait_on_third_party": {
        "open": "waiting_on_third_party",
        "pending": "waiting_on_third_party",
        "parked": "waiting_on_third_party",
    },
    "resume": {"pending": "open", "waiting_on_customer": "open", "waiting_on_third_party": "open"},
    "resolve": {
        s: "resolved"
        for s in ["open", "pending", "parked", "waiting_on_customer", "waiting_on_third_party"]
    },
    "close": {"resolved": "closed"},
    "reopen": {"resolved": "open", "closed": "open"},
}


def _data_for(name: str, case) -> dict:
    if name == "park":
        return {"parked_until": timezone.now() + timedelta(hours=3)}
    if name == "resolve":
        return {"disposition": tag_for(case.kind).path}
    return {}


def test_machine_lists_exactly_these_transitions():
    assert set(services.transition_names()) == set(LEGAL)


LEGAL_ROWS = [(name, src, dst) for name, moves in LEGAL.items() for src, dst in moves.items()]
ILLEGAL_ROWS = [
    (name, src) for name, moves in LEGAL.items() for src in ALL_STATES if src not in moves
]


@pytest.mark.parametrize("name, source, target", LEGAL_ROWS)
def test_legal_transition_moves_case_and_audits(name, source, target, agent, supervisor):
    case = case_in(source)
    actor = supervisor if name == "reopen" else agent
    moved = services.transition_case(
        case_id=case.pk, name=name, actor=actor, reason="test", data=_data_for(name, case)
    )
    assert moved.status == target
    moved.refresh_from_db()
    assert moved.status == target
    event = CaseEvent.objects.get(case=case, type=EventType.TRANSITION)
    assert (event.transition, event.from_state, event.to_state) == (name, source, target)
    assert event.actor == actor
    assert event.reason == "test"
    assert event.policy_version


@pytest.mark.parametrize("name, source", ILLEGAL_ROWS)
def test_illegal_transition_is_a_conflict_and_writes_nothing(name, source, supervisor):
    case = case_in(source)
    with pytest.raises(TransitionConflict) as exc:
        services.transition_case(
            case_id=case.pk, name=name, actor=supervisor, data=_data_for(name, case)
        )
    assert "allowed only from" in exc.value.message
    case.refresh_from_db()
    assert case.status == source
    assert not CaseEvent.objects.filter(case=case).exists()


def test_finance_may_not_work_cases(finance_user):
    case = case_in("new")
    with pytest.raises(NotPermitted):
        services.transition_case(case_id=case.pk, name="open", actor=finance_user)
    case.refresh_from_db()
    assert case.status == "new"


def test_agent_may_not_reopen_but_supervisor_may(agent, supervisor):
    case = case_in("resolved")
    with pytest.raises(NotPermitted):
        services.transition_case(case_id=case.pk, name="reopen", actor=agent)
    reopened = services.transition_case(case_id=case.pk, name="reopen", actor=supervisor)
    assert reopened.status == "open"
    assert reopened.disposition is None


def test_park_needs_a_future_time(agent):
    case = case_in("open")
    with pytest.raises(InvalidInput) as missing:
        services.transition_case(case_id=case.pk, name="park", actor=agent)
    assert "parked_until" in missing.value.fields
    with pytest.raises(InvalidInput) as past:
        services.transition_case(
            case_id=case.pk,
            name="park",
            actor=agent,
            data={"parked_until": timezone.now() - timedelta(minutes=1)},
        )
    assert "future" in past.value.fields["parked_until"][0]
    case.refresh_from_db()
    assert case.status == "open" and case.parked_until is None


def test_resolve_needs_a_tag_that_applies_to_the_kind(agent):
    case = case_in("open", kind="missing_invoice")
    with pytest.raises(InvalidInput) as missing:
        services.transition_case(case_id=case.pk, name="resolve", actor=agent)
    assert "disposition" in missing.value.fields
    other_kind_tag = tag_for("out_of_scope")
    with pytest.raises(InvalidInput) as wrong:
        services.transition_case(
            case_id=case.pk, name="resolve", actor=agent, data={"disposition": other_kind_tag.pk}
        )
    assert "does not apply" in wrong.value.fields["disposition"][0]
    resolved = services.transition_case(
        case_id=case.pk,
        name="resolve",
        actor=agent,
        data={"disposition": "Inbound >> Complaint >> Bill Not Given By Technician >> Unresolved"},
    )
    assert resolved.status == "resolved"
    assert resolved.resolved_at is not None


def test_stale_expected_status_is_a_conflict(agent):
    case = case_in("open")
    with pytest.raises(TransitionConflict) as exc:
        services.transition_case(
            case_id=case.pk, name="mark_pending", actor=agent, expected_status="new"
        )
    assert exc.value.code == "stale_state"


def test_unknown_transition_is_bad_input(agent):
    case = case_in("open")
    with pytest.raises(InvalidInput):
        services.transition_case(case_id=case.pk, name="delete", actor=agent)


def test_update_case_audits_each_changed_field(agent, agent2):
    case = case_in("open")
    services.update_case(
        case_id=case.pk, actor=agent, changes={"assignee": agent2, "priority": "urgent"}
    )
    changes = CaseEvent.objects.filter(case=case, type=EventType.FIELD_CHANGE)
    assert {e.payload["field"] for e in changes} == {"assignee", "priority"}
    priority = changes.get(payload__field="priority")
    assert (priority.payload["from"], priority.payload["to"]) == ("low", "urgent")


def test_update_case_refuses_status_and_closed_cases(agent):
    case = case_in("open")
    with pytest.raises(InvalidInput):
        services.update_case(case_id=case.pk, actor=agent, changes={"status": "closed"})
    closed = case_in("closed")
    with pytest.raises(TransitionConflict):
        services.update_case(case_id=closed.pk, actor=agent, changes={"priority": "high"})


def test_create_case_takes_links_from_booking_and_logs_creation(agent):
    from tests.factories import BookingFactory

    booking = BookingFactory()
    case = services.create_case(
        actor=agent,
        kind="wrong_job_started",
        channel="inbound_call",
        reporter="customer",
        subject="Wrong job",
        booking=booking,
    )
    assert (case.customer, case.partner, case.city) == (
        booking.customer,
        booking.partner,
        booking.city,
    )
    assert case.team == "customer_care"
    assert case.status == "new"
    assert CaseEvent.objects.filter(case=case, type=EventType.CREATED).count() == 1


def test_create_case_refuses_unknown_kind(agent):
    with pytest.raises(InvalidInput):
        services.create_case(
            actor=agent, kind="nope", channel="chat", reporter="customer", subject="x"
        )


def test_unpark_due_cases_at_the_boundary():
    case = case_in("parked")
    until = case.parked_until
    assert services.unpark_due_cases(now=until - timedelta(seconds=1)) == 0
    assert services.unpark_due_cases(now=until) == 1
    case.refresh_from_db()
    assert case.status == "open"
    event = CaseEvent.objects.get(case=case)
    assert event.transition == "unpark" and event.actor is None
    assert services.unpark_due_cases(now=until) == 0
