"""Follow-up calls (pending-customer-action SOP): the earlier calls come from the case's
CALL_ATTEMPT events, business days from the region's calendar, and each call sets the
ticket view the SOP shows (status, priority, team)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.models import Booking, CaseEvent, EventType
from core.errors import InvalidInput
from flows import calls
from tests.factories import CustomerFactory, PartnerFactory, city
from tests.helpers import case_on, job

pytestmark = pytest.mark.django_db

DELHI = ZoneInfo("Asia/Kolkata")
CAIRO = ZoneInfo("Africa/Cairo")


def call(case, actor, outcome, at, **kwargs):
    decision = calls.record_call_attempt(
        case_id=case.pk, actor=actor, outcome=outcome, at=at, **kwargs
    )
    case.refresh_from_db()
    return decision


def attempts_logged(case):
    return list(
        CaseEvent.objects.filter(case=case, type=EventType.CALL_ATTEMPT)
        .order_by("id")
        .values_list("payload", flat=True)
    )


def test_two_no_answers_on_following_days_wait_on_the_customer(agent):
    booking = job(days_ago=-1)
    case = case_on("follow_up_first_visit", booking)

    first = call(case, agent, "no_answer", datetime(2026, 3, 16, 11, 0, tzinfo=DELHI))
    assert first.outcome == "next_attempt_scheduled"
    assert first.input("attempts") == ()  # earlier calls only
    # "The view of ticket when CC put first action": pending, low, customer care.
    assert (case.status, case.priority, case.team) == ("pending", "low", "customer_care")
    assert case.due_at == datetime(2026, 3, 17, 23, 59, 59, tzinfo=DELHI)

    second = call(case, agent, "no_answer", datetime(2026, 3, 17, 10, 30, tzinfo=DELHI))
    assert second.outcome == "waiting_on_customer"
    assert second.input("attempts") == ((datetime(2026, 3, 16).date(), "no_answer"),)
    # "The view of ticket when CC not reaches to CST again": waiting on customer, medium.
    assert (case.status, case.priority, case.team) == (
        "waiting_on_customer",
        "medium",
        "customer_care",
    )
    assert case.disposition.path == "Follow up >> Customer care >> No answer twice"
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_code) == ("cancelled", "no_response")
    assert [p["attempt"] for p in attempts_logged(case)] == [1, 2]
    assert [p["outcome"] for p in attempts_logged(case)] == ["no_answer", "no_answer"]


def test_no_answers_on_the_same_day_count_once(agent):
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    call(case, agent, "no_answer", datetime(2026, 3, 16, 11, 0, tzinfo=DELHI))
    again = call(case, agent, "no_answer", datetime(2026, 3, 16, 17, 0, tzinfo=DELHI))
    assert again.outcome == "next_attempt_scheduled"
    assert case.status == "pending"
    assert Booking.objects.get(pk=case.booking_id).status == "created"


def test_the_next_attempt_skips_the_egyptian_weekend(agent):
    cairo = CustomerFactory(city=city("Cairo"))
    booking = job(days_ago=-1, customer=cairo, partner=PartnerFactory(city=city("Cairo")))
    case = case_on("follow_up_first_visit", booking)
    thursday = datetime(2026, 3, 12, 12, 0, tzinfo=CAIRO)
    decision = call(case, agent, "no_answer", thursday)
    assert "next business day, 2026-03-15" in decision.reason  # Friday and Saturday skipped
    assert case.due_at == datetime(2026, 3, 15, 23, 59, 59, tzinfo=CAIRO)
    view = decision.action("set_ticket_view")
    assert view.param("area") == "Cairo"  # the SOP's areas are Egyptian cities


def test_calls_count_on_the_local_day(agent):
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    # 19:00 UTC on the 16th is 00:30 on the 17th in Delhi: the call is on the 17th ...
    first = call(case, agent, "no_answer", datetime(2026, 3, 16, 19, 0, tzinfo=ZoneInfo("UTC")))
    assert "next business day, 2026-03-18" in first.reason
    # ... so a second no-answer later that morning is the same day, not a second one.
    second = call(case, agent, "no_answer", datetime(2026, 3, 17, 9, 0, tzinfo=DELHI))
    assert second.outcome == "next_attempt_scheduled"
    assert second.input("attempts") == ((datetime(2026, 3, 17).date(), "no_answer"),)


def test_second_appointment_with_material_goes_to_engineering_operations(agent):
    case = case_on("follow_up_second_appointment", job(status="completed"))
    decision = call(
        case,
        agent,
        "new_appointment",
        datetime(2026, 3, 16, 11, 0, tzinfo=DELHI),
        material_needed=True,
    )
    assert decision.outcome == "assigned_to_eo"
    assert (case.status, case.priority, case.team) == ("pending", "medium", "engineering_ops")
    assert "Ahmed Fasial" in decision.reason
    # No time agreed on the call: booking the visit is a task, with the material rule's day.
    task = case.tasks.get()
    assert task.kind == "create_visit" and "not before 2026-03-17" in task.title


MONDAY_CALL = datetime(2026, 3, 16, 11, 0, tzinfo=DELHI)  # Sunday is India's weekend day


@pytest.mark.parametrize(
    "note_days, appointment, allowed",
    [
        (None, datetime(2026, 3, 16, 17, 0, tzinfo=DELHI), False),  # same day: under 24 h
        (None, datetime(2026, 3, 17, 10, 0, tzinfo=DELHI), True),  # the next business day
        (2, datetime(2026, 3, 17, 10, 0, tzinfo=DELHI), False),  # operations asked 2 days
        (2, datetime(2026, 3, 18, 10, 0, tzinfo=DELHI), True),
        (5, datetime(2026, 3, 18, 10, 0, tzinfo=DELHI), True),  # capped at the maximum, 2
    ],
)
def test_a_material_visit_is_booked_no_earlier_than_the_policy_allows(
    agent, time_machine, note_days, appointment, allowed
):
    time_machine.move_to(MONDAY_CALL, tick=False)
    case = case_on("follow_up_second_appointment", job(status="completed"))
    kwargs = {"material_needed": True, "new_appointment_at": appointment}
    if note_days is not None:
        kwargs["operations_note_days"] = note_days
    if not allowed:
        with pytest.raises(InvalidInput) as bad:
            call(case, agent, "new_appointment", MONDAY_CALL, **kwargs)
        assert "may not be booked before" in str(bad.value.fields)
        assert not Booking.objects.filter(external_id__contains="-V").exists()
        return
    call(case, agent, "new_appointment", MONDAY_CALL, **kwargs)
    visit = Booking.objects.get(external_id=f"{case.booking.external_id}-V1")
    assert (visit.booking_time, visit.status, visit.customer_id) == (
        appointment,
        "created",
        case.booking.customer_id,
    )
    assert case.tasks.filter(kind="create_visit").count() == 0


def test_a_first_visit_appointment_creates_the_visit_and_resolves(agent, time_machine):
    time_machine.move_to(MONDAY_CALL, tick=False)
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    at = datetime(2026, 3, 16, 18, 0, tzinfo=DELHI)
    decision = call(case, agent, "new_appointment", MONDAY_CALL, new_appointment_at=at)
    assert decision.outcome == "new_visit_resolved"
    assert Booking.objects.get(external_id=f"{case.booking.external_id}-V1").booking_time == at
    assert case.status == "resolved"


def test_second_appointment_call_needs_the_material_answer(agent):
    case = case_on("follow_up_second_appointment")
    with pytest.raises(InvalidInput) as bad:
        call(case, agent, "new_appointment", datetime(2026, 3, 16, 11, 0, tzinfo=DELHI))
    assert bad.value.fields == {"material_needed": ["This field is required."]}
    assert attempts_logged(case) == []


def test_customer_declining_with_an_issue_resolves_with_a_complaint(agent):
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    decision = call(case, agent, "declined_with_issue", datetime(2026, 3, 16, 11, tzinfo=DELHI))
    assert decision.outcome == "complaint_and_resolved"
    assert case.status == "resolved"
    assert case.disposition.path == "Follow up >> Customer care >> Complaint ticket created"


def test_unknown_outcome_is_a_field_error(agent):
    case = case_on("follow_up_first_visit")
    with pytest.raises(InvalidInput) as bad:
        call(case, agent, "maybe", datetime(2026, 3, 16, 11, tzinfo=DELHI))
    assert "outcome" in bad.value.fields


def test_call_attempts_are_only_for_follow_up_cases(agent):
    case = case_on("status_check")
    with pytest.raises(InvalidInput) as bad:
        call(case, agent, "no_answer", datetime(2026, 3, 16, 11, tzinfo=DELHI))
    assert "flow" in bad.value.fields
