"""Times in the future are refused: a "when it happened" input more than the tolerance
(settings.FUTURE_TIME_TOLERANCE_SECONDS) ahead of now is a 400 on the field, through the API,
the flows and the console. Inputs meaning a time to come keep taking the future."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases.models import Booking, CaseEvent, EventType
from core.errors import InvalidInput
from core.moments import future_error
from flows import calls
from flows.inputs import DATE, DATETIME
from flows.table import FLOWS
from tests.helpers import case_on, client_for, job, logged_in

pytestmark = pytest.mark.django_db
DELHI = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 3, 16, 11, 0, tzinfo=DELHI)

# Date and time inputs that mean a time to come (or a deadline), not when something happened.
NOT_HAPPENED = {
    ("l1.status_check_open", "preferred_date"),  # the day the customer would like
    ("pre_services.reschedule_request", "preferred_slot"),
    ("follow_up.call_attempt", "new_appointment_at"),
    ("follow_up.deadline_check", "due_at"),  # another team's deadline
    ("l1.refund_past_tat", "tat_due_on"),  # a clock's own (system) input
}


def test_every_date_and_time_a_flow_asks_is_classified():
    """A new date or time input fails here until it is listed as happened or as to come."""
    asked = set()
    for flow in FLOWS.values():
        names = {spec.name for spec in flow.parameters}
        assert set(flow.happened) <= names, flow.name
        for spec in flow.parameters:
            fill = flow.fills.get(spec.name)
            if spec.type in (DATE, DATETIME) and (fill is None or fill.overridable):
                asked.add((flow.name, spec.name))
    happened = {(flow.name, name) for flow in FLOWS.values() for name in flow.happened}
    assert asked == happened | NOT_HAPPENED
    assert not happened & NOT_HAPPENED
    assert happened == {
        ("follow_up.call_attempt", "at"),
        ("follow_up.visit_time_change", "change_requested_at"),
        ("follow_up.open_first_visit_ticket", "order_completed_at"),
        ("l1.debited_not_confirmed", "debited_on"),
        ("l1.refund_status", "refund_started_on"),
        ("l1.product_pickup", "picked_up_on"),
    }


def test_the_boundary_is_the_tolerance_ahead_of_now(settings):
    settings.FUTURE_TIME_TOLERANCE_SECONDS = 300
    assert future_error(NOW + timedelta(seconds=300), now=NOW) is None
    assert "in the future" in future_error(NOW + timedelta(seconds=301), now=NOW)
    assert future_error(NOW - timedelta(days=400), now=NOW) is None
    settings.FUTURE_TIME_TOLERANCE_SECONDS = 0
    assert future_error(NOW + timedelta(seconds=1), now=NOW) is not None


def test_a_date_is_in_the_future_from_the_day_after_today_in_the_zone():
    late = datetime(2026, 3, 16, 23, 50, tzinfo=DELHI)  # now + 5 minutes: still today
    assert future_error(date(2026, 3, 16), zone=DELHI, now=late) is None
    assert future_error(date(2026, 3, 17), zone=DELHI, now=late) is not None
    # Within the tolerance of midnight, tomorrow is allowed (clocks drift).
    assert future_error(date(2026, 3, 17), zone=DELHI, now=late + timedelta(minutes=6)) is None


def _follow_up_case():
    return case_on("follow_up_first_visit", job(days_ago=-1))


def test_a_call_in_9999_is_a_400_on_at_and_cancels_nothing(agent, time_machine):
    time_machine.move_to(NOW, tick=False)
    case = _follow_up_case()
    client = client_for(agent)
    url = f"/api/v1/cases/{case.pk}/call-attempts/"
    first = client.post(
        url, {"outcome": "no_answer", "at": "2026-03-15T11:00:00+05:30"}, format="json"
    )
    assert first.status_code == 200, first.json()
    response = client.post(
        url, {"outcome": "no_answer", "at": "9999-12-31T10:00:00+05:30"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["at"]
    assert "in the future" in response.json()["errors"]["at"][0]
    assert CaseEvent.objects.filter(case=case, type=EventType.CALL_ATTEMPT).count() == 1
    booking = Booking.objects.get(pk=case.booking_id)
    assert booking.status != "cancelled"


def test_a_call_within_the_tolerance_is_taken_and_one_beyond_it_is_not(agent, time_machine):
    time_machine.move_to(NOW, tick=False)
    case = _follow_up_case()
    with pytest.raises(InvalidInput) as refused:
        calls.record_call_attempt(
            case_id=case.pk, actor=agent, outcome="no_answer", at=NOW + timedelta(seconds=301)
        )
    assert list(refused.value.fields) == ["at"]
    decision = calls.record_call_attempt(
        case_id=case.pk, actor=agent, outcome="no_answer", at=NOW + timedelta(seconds=300)
    )
    assert decision.outcome == "next_attempt_scheduled"


def test_a_new_appointment_in_the_future_is_still_taken(agent, time_machine):
    time_machine.move_to(NOW, tick=False)
    case = case_on("follow_up_second_appointment", job(status="completed"))
    decision = calls.record_call_attempt(
        case_id=case.pk,
        actor=agent,
        outcome="new_appointment",
        at=NOW,
        new_appointment_at=NOW + timedelta(days=4),
        material_needed=False,
    )
    assert not decision.refused


def test_a_day_debited_tomorrow_is_a_400_and_today_is_decided(agent, time_machine):
    time_machine.move_to(NOW, tick=False)
    case = case_on("payment_not_confirmed", job(days_ago=0))
    url = f"/api/v1/cases/{case.pk}/flows/l1.debited_not_confirmed/"
    client = client_for(agent)
    body = {"service_details_available": True}
    tomorrow = client.post(url, {**body, "debited_on": "2026-03-17"}, format="json")
    assert tomorrow.status_code == 400 and list(tomorrow.json()["errors"]) == ["debited_on"]
    today = client.post(url, {**body, "debited_on": "2026-03-16"}, format="json")
    assert today.status_code == 200, today.json()


def test_a_revisit_asked_for_tomorrow_is_a_400_on_requested_on(agent, time_machine):
    time_machine.move_to(NOW, tick=False)
    original = job(status="completed", days_ago=5)
    url = f"/api/v1/bookings/{original.pk}/revisits/"
    client = client_for(agent)
    refused = client.post(url, {"requested_on": "2026-03-17"}, format="json")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["requested_on"]
    assert not Booking.objects.filter(revisit_of=original).exists()
    assert client.post(url, {"requested_on": "2026-03-16"}, format="json").status_code == 201


def test_the_console_flow_form_refuses_a_call_in_the_future(agent, time_machine):
    time_machine.move_to(NOW, tick=False)
    case = _follow_up_case()
    url = reverse("case_flows:run", kwargs={"case_id": case.pk, "flow": "follow_up.call_attempt"})
    response = logged_in(agent).post(
        url, {"outcome": "no_answer", "at_0": "9999-12-31", "at_1": "10:00", "_preview": "1"}
    )
    assert response.status_code == 400
    assert "in the future" in response.context["form"].errors["at"][0]
    assert not CaseEvent.objects.filter(case=case, type=EventType.CALL_ATTEMPT).exists()
