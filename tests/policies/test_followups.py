"""Pending customer action SOP: ticket views, call attempts, deadlines, special cases."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from policies.calendar import calendar_for
from policies.parameters import DEFAULT_POLICY, Policy, PolicyParameters
from policies.sop import followups as fu

P = DEFAULT_POLICY
EGYPT = calendar_for("EG", range(2026, 2028))
INDIA = calendar_for("IN", range(2026, 2028))
CALENDARS = {"EG": EGYPT, "IN": INDIA}


def policy_with(**changes) -> Policy:
    return Policy(version="test-modified", params=replace(PolicyParameters(), **changes))


@pytest.mark.parametrize(
    "stage, status, priority, team",
    [
        ("created", "open", "low", "customer care"),
        ("first_action", "pending", "low", "customer care"),
        ("not_reached", "waiting on customer", "medium", "customer care"),
        ("resolved", "resolved", "medium", "customer care"),
        ("assigned_to_eo", "pending", "medium", "engineering operations"),
    ],
)
@pytest.mark.parametrize("area", ["Cairo", "Sahel", "Alex"])
def test_ticket_view_per_stage(stage, status, priority, team, area):
    view = fu.ticket_view(stage, area, P)
    assert (view.category, view.sub_category, view.type) == (
        "follow up",
        "customer care",
        "follow up",
    )
    assert (view.status, view.area, view.priority, view.team) == (status, area, priority, team)
    action = view.as_action()
    assert action.kind == "set_ticket_view"
    assert action.param("status") == status and action.param("area") == area


def test_ticket_view_area_is_checked_and_canonicalised():
    assert fu.ticket_view("created", " alex ", P).area == "Alex"
    assert fu.ticket_view("created", None, P).as_action().param("area") is None
    with pytest.raises(ValueError):
        fu.ticket_view("created", "Giza", P)
    with pytest.raises(ValueError):
        fu.ticket_view("archived", "Cairo", P)
    assert fu.ticket_view("created", "Giza", policy_with(followup_areas=("Giza",))).area == "Giza"


def at(day: date, hour: int = 11) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


# First no-answer: the next attempt is on the next business day of the case's country.
@pytest.mark.parametrize(
    "country, called_on, next_on, due_in_days",
    [
        ("EG", date(2026, 1, 18), date(2026, 1, 19), 1),  # Sunday -> Monday
        ("EG", date(2026, 1, 15), date(2026, 1, 18), 3),  # Thursday -> Sunday (Fri/Sat off)
        ("EG", date(2026, 1, 6), date(2026, 1, 8), 2),  # Coptic Christmas skipped
        ("IN", date(2026, 1, 24), date(2026, 1, 27), 3),  # Sunday + Republic Day skipped
        ("IN", date(2026, 2, 7), date(2026, 2, 9), 2),  # Saturday -> Monday
    ],
)
@pytest.mark.parametrize("flow", ["first_visit", "second_appointment"])
def test_first_no_answer_schedules_the_next_business_day(
    country, called_on, next_on, due_in_days, flow
):
    decision = fu.after_call_attempt(
        flow=flow,
        attempts=[],
        outcome="no_answer",
        at=at(called_on),
        calendar=CALENDARS[country],
        material_needed=False,
        area="Cairo",
        policy=P,
    )
    assert decision.outcome == "next_attempt_scheduled"
    followup = decision.action("schedule_followup")
    assert followup.param("due_on") == next_on
    assert followup.param("due_in_days") == due_in_days
    assert decision.action("set_ticket_view").param("status") == "pending"
    assert decision.action("set_ticket_view").param("priority") == "low"


@pytest.mark.parametrize(
    "flow, closing_kind",
    [("first_visit", "cancel_booking"), ("second_appointment", "convert_order")],
)
def test_second_no_answer_on_the_following_day_waits_on_customer(flow, closing_kind):
    decision = fu.after_call_attempt(
        flow=flow,
        attempts=[(date(2026, 1, 18), "no_answer")],
        outcome="no_answer",
        at=at(date(2026, 1, 19)),
        calendar=EGYPT,
        material_needed=False,
        area="Sahel",
        policy=P,
    )
    assert decision.outcome == "waiting_on_customer"
    assert decision.action_kinds == (closing_kind, "set_ticket_view")
    view = decision.action("set_ticket_view")
    assert (view.param("status"), view.param("priority")) == ("waiting on customer", "medium")
    if flow == "second_appointment":
        convert = decision.action("convert_order")
        assert (convert.param("from_status"), convert.param("to_status")) == (
            "reschedule",
            "complete",
        )


@pytest.mark.parametrize(
    "earlier, outcome",
    [
        ([], "next_attempt_scheduled"),  # 1 no-answer day
        ([(date(2026, 1, 19), "no_answer")], "next_attempt_scheduled"),  # 2 calls, same day
        ([(date(2026, 1, 18), "no_answer")], "waiting_on_customer"),  # 2 days
        ([(date(2026, 1, 18), "wants_followup")], "next_attempt_scheduled"),  # reached before
        (
            [(date(2026, 1, 18), "no_answer"), (date(2026, 1, 18), "no_answer")],
            "waiting_on_customer",
        ),
    ],
)
def test_no_answers_count_once_per_day(earlier, outcome):
    decision = fu.after_call_attempt(
        flow="first_visit",
        attempts=earlier,
        outcome="no_answer",
        at=at(date(2026, 1, 19), hour=16),
        calendar=EGYPT,
        material_needed=False,
        policy=P,
    )
    assert decision.outcome == outcome


def test_max_attempts_is_a_parameter():
    decision = fu.after_call_attempt(
        flow="first_visit",
        attempts=[(date(2026, 1, 18), "no_answer")],
        outcome="no_answer",
        at=at(date(2026, 1, 19)),
        calendar=EGYPT,
        material_needed=False,
        policy=policy_with(followup_max_attempts=3),
    )
    assert decision.outcome == "next_attempt_scheduled"
    assert decision.policy_version == "test-modified"


def test_new_appointment_on_first_visit_resolves():
    decision = fu.after_call_attempt(
        flow="first_visit",
        attempts=[(date(2026, 1, 18), "no_answer")],
        outcome="new_appointment",
        at=at(date(2026, 1, 19)),
        calendar=EGYPT,
        material_needed=True,  # irrelevant on a first visit
        area="Alex",
        policy=P,
    )
    assert decision.outcome == "new_visit_resolved"
    assert decision.action_kinds == ("create_visit", "set_ticket_view")
    view = decision.action("set_ticket_view")
    assert (view.param("status"), view.param("priority")) == ("resolved", "medium")


@pytest.mark.parametrize(
    "material, earliest, team",
    [
        (False, None, "engineering operations"),
        (True, date(2026, 1, 18), "engineering operations / Ahmed Fasial"),
    ],
)
def test_new_second_appointment_goes_to_eo_pending(material, earliest, team):
    decision = fu.after_call_attempt(
        flow="second_appointment",
        attempts=[],
        outcome="new_appointment",
        at=at(date(2026, 1, 15)),  # Thursday in Egypt
        calendar=EGYPT,
        material_needed=material,
        area="Cairo",
        policy=P,
    )
    assert decision.outcome == "assigned_to_eo"
    assert decision.action("create_visit").param("earliest_on") == earliest
    assert decision.action("assign_team").param("team") == team
    view = decision.action("set_ticket_view")
    assert (view.param("status"), view.param("team")) == ("pending", team)


@pytest.mark.parametrize(
    "flow, outcome, kinds",
    [
        ("first_visit", "declined_with_issue",
         ("create_complaint_ticket", "cancel_booking", "set_ticket_view")),
        ("second_appointment", "declined_with_issue",
         ("create_complaint_ticket", "convert_order", "set_ticket_view")),
        ("first_visit", "declined", ("cancel_booking", "set_ticket_view")),
        ("second_appointment", "declined", ("convert_order", "set_ticket_view")),
        ("first_visit", "wants_followup", ("schedule_followup", "set_ticket_view")),
    ],
)  # fmt: skip
def test_customer_reached_but_does_not_want_the_service(flow, outcome, kinds):
    decision = fu.after_call_attempt(
        flow=flow,
        attempts=[],
        outcome=outcome,
        at=at(date(2026, 1, 18)),
        calendar=EGYPT,
        material_needed=False,
        policy=P,
    )
    assert decision.action_kinds == kinds
    if outcome != "wants_followup":
        assert decision.action("set_ticket_view").param("status") == "resolved"


def test_unknown_flow_or_outcome_is_an_input_error():
    with pytest.raises(ValueError):
        fu.after_call_attempt(
            flow="third_visit",
            attempts=[],
            outcome="no_answer",
            at=at(date(2026, 1, 18)),
            calendar=EGYPT,
            material_needed=False,
            policy=P,
        )
    with pytest.raises(ValueError):
        fu.after_call_attempt(
            flow="first_visit",
            attempts=[(date(2026, 1, 17), "busy")],
            outcome="no_answer",
            at=at(date(2026, 1, 18)),
            calendar=EGYPT,
            material_needed=False,
            policy=P,
        )


# Material booking: 24 hours after price confirmation (up to 2 days on an operations note),
# counted in business days.
@pytest.mark.parametrize(
    "country, confirmed, note, expected",
    [
        ("EG", date(2026, 1, 18), None, date(2026, 1, 19)),  # Sunday -> Monday
        ("EG", date(2026, 1, 15), None, date(2026, 1, 18)),  # Thursday -> Sunday (weekend)
        ("EG", date(2026, 1, 6), None, date(2026, 1, 8)),  # Coptic Christmas holiday
        ("EG", date(2026, 1, 14), 2, date(2026, 1, 18)),  # Wed + 2 -> Thu, Sun
        ("EG", date(2026, 1, 14), 3, date(2026, 1, 18)),  # note capped at 2 days
        ("EG", date(2026, 1, 14), 0, date(2026, 1, 15)),  # a note never shortens the delay
        ("IN", date(2026, 2, 10), None, date(2026, 2, 11)),  # weekday
        ("IN", date(2026, 2, 7), None, date(2026, 2, 9)),  # Saturday -> Monday
        ("IN", date(2026, 1, 24), None, date(2026, 1, 27)),  # Sunday + Republic Day
        ("IN", date(2026, 1, 23), 2, date(2026, 1, 27)),  # Fri + 2 -> Sat, Tue
    ],
)
def test_material_booking_earliest(country, confirmed, note, expected):
    assert (
        fu.material_booking_earliest(
            price_confirmed_at=at(confirmed),
            calendar=CALENDARS[country],
            operations_note_days=note,
            policy=P,
        )
        == expected
    )


@pytest.mark.parametrize("hours, expected", [(48, date(2026, 1, 19)), (36, date(2026, 1, 19))])
def test_material_booking_delay_is_a_parameter(hours, expected):
    assert (
        fu.material_booking_earliest(
            price_confirmed_at=date(2026, 1, 15),
            calendar=EGYPT,
            policy=policy_with(material_booking_delay_hours=hours),
        )
        == expected
    )


def test_deadlines():
    moment = datetime(2026, 1, 15, 9, 0)
    assert fu.first_call_due(assigned_at=moment, policy=P) == moment + timedelta(hours=8)
    assert fu.close_due(opened_at=moment, policy=P) == moment + timedelta(days=7)
    assert fu.costing_due(inspection_completed_at=moment, policy=P) == moment + timedelta(hours=48)
    assert fu.operations_handover_due(order_completed_at=moment, policy=P) == moment + timedelta(
        hours=1
    )
    faster = policy_with(followup_first_call_within_hours=4)
    assert fu.first_call_due(assigned_at=moment, policy=faster) == moment + timedelta(hours=4)


@pytest.mark.parametrize(
    "done, now, outcome",
    [
        (False, datetime(2026, 1, 15, 17, 0), "on_time"),
        (False, datetime(2026, 1, 15, 17, 1), "late_escalated"),
        (True, datetime(2026, 1, 16, 9, 0), "on_time"),
    ],
)
def test_lateness_is_escalated(done, now, outcome):
    decision = fu.decide_deadline_check(
        what="first call",
        due_at=fu.first_call_due(assigned_at=datetime(2026, 1, 15, 9, 0), policy=P),
        now=now,
        done=done,
        policy=P,
    )
    assert decision.outcome == outcome
    assert decision.has_action("escalate") is (outcome == "late_escalated")


@pytest.mark.parametrize(
    "status, days, outcome",
    [
        ("waiting on customer", 29, "reopen_refused_too_early"),
        ("waiting on customer", 30, "reopen_allowed"),
        ("waiting on customer", 31, "reopen_allowed"),
        ("resolved", 45, "reopen_refused_status"),
        ("pending", 30, "reopen_refused_status"),
    ],
)
def test_reopen_after_30_days_waiting_on_customer(status, days, outcome):
    appointment = date(2026, 3, 1)
    decision = fu.may_reopen(
        ticket_status=status,
        appointment_day=appointment,
        today=appointment + timedelta(days=days),
        policy=P,
    )
    assert decision.outcome == outcome
    assert decision.refused is (outcome != "reopen_allowed")
    assert decision.has_action("reopen_booking") is (outcome == "reopen_allowed")


def test_reopen_days_is_a_parameter():
    decision = fu.may_reopen(
        ticket_status="waiting on customer",
        appointment_day=date(2026, 3, 1),
        today=date(2026, 3, 21),
        policy=policy_with(waiting_on_customer_reopen_days=20),
    )
    assert decision.outcome == "reopen_allowed"


@pytest.mark.parametrize(
    "flow, has_order, duplicate, outcome, kinds",
    [
        ("first_visit", True, False, "followup_ticket_opened",
         ("cancel_booking", "set_ticket_view", "schedule_followup", "start_clock")),
        ("first_visit", True, True, "followup_ticket_opened",
         ("cancel_booking", "set_status", "set_ticket_view", "schedule_followup", "start_clock")),
        ("second_appointment", True, False, "followup_ticket_opened",
         ("set_ticket_view", "schedule_followup", "start_clock", "schedule_followup")),
        ("first_visit", False, False, "opportunity_ticket", ("set_ticket_view",)),
    ],
)  # fmt: skip
def test_opening_the_ticket_and_special_case_d(flow, has_order, duplicate, outcome, kinds):
    reason = "inspection_results" if flow == "second_appointment" else "customer not found"
    decision = fu.decide_open_followup_ticket(
        flow=flow,
        customer_has_order=has_order,
        reason=reason,
        area="Cairo",
        has_duplicate_ticket=duplicate,
        policy=P,
    )
    assert (decision.outcome, decision.action_kinds) == (outcome, kinds)
    if outcome == "followup_ticket_opened":
        view = decision.action("set_ticket_view")
        assert (view.param("status"), view.param("priority")) == ("open", "low")
        assert decision.action("schedule_followup").param("at_hours") == 8
        close = decision.action("start_clock")
        assert (close.param("clock"), close.param("days")) == ("followup_close", 7)
    else:
        assert decision.action("set_ticket_view").param("type") == "opportunity"
    if duplicate:
        assert decision.action("set_status").param("status") == "waiting on third party"


def test_special_case_a_completed_wrongly():
    decision = fu.decide_completed_wrongly(missing_services=["ceiling coat"], policy=P)
    assert decision.action_kinds == ("create_complaint_ticket", "convert_order")
    convert = decision.action("convert_order")
    assert (convert.param("from_status"), convert.param("to_status")) == ("complete", "reschedule")
    assert decision.action("create_complaint_ticket").param("team") == "engineering operations"


@pytest.mark.parametrize(
    "minutes_before_start, outcome",
    [
        (91, "reschedule_visit"),
        (90, "cancel_and_recreate_visit"),
        (89, "cancel_and_recreate_visit"),
        (0, "cancel_and_recreate_visit"),
        (-15, "cancel_and_recreate_visit"),
    ],
)
def test_special_case_c_change_close_to_start(minutes_before_start, outcome):
    start = datetime(2026, 1, 18, 14, 0)
    decision = fu.decide_visit_time_change(
        visit_start=start,
        change_requested_at=start - timedelta(minutes=minutes_before_start),
        policy=P,
    )
    assert decision.outcome == outcome
    if outcome == "cancel_and_recreate_visit":
        assert decision.action_kinds == ("cancel_booking", "create_visit", "set_status")
        assert decision.action("set_status").param("ticket") == "pending_customer_action"


def test_special_case_c_window_is_a_parameter():
    start = datetime(2026, 1, 18, 14, 0)
    decision = fu.decide_visit_time_change(
        visit_start=start,
        change_requested_at=start - timedelta(minutes=100),
        policy=policy_with(reschedule_change_window_minutes=120),
    )
    assert decision.outcome == "cancel_and_recreate_visit"


@pytest.mark.parametrize(
    "flow, must_mention",
    [
        ("first_visit", ("Greeting", "Recap", "new appointment", "thank")),
        ("second_appointment", ("Greeting", "material quotation", "not a tax invoice", "thank")),
    ],
)
def test_call_scripts_are_checklists(flow, must_mention):
    script = fu.call_script(flow)
    assert len(script) == 4
    text = " ".join(script)
    for words in must_mention:
        assert words in text
    with pytest.raises(ValueError):
        fu.call_script("third_visit")


def test_after_an_inspection_the_costing_is_due_in_48_hours():
    decision = fu.decide_open_followup_ticket(
        flow="second_appointment",
        customer_has_order=True,
        reason="inspection_results",
        area=None,
        policy=P,
    )
    costing = [a for a in decision.actions if a.param("purpose") == "costing_known"]
    assert [a.param("at_hours") for a in costing] == [48]
    other = fu.decide_open_followup_ticket(
        flow="second_appointment",
        customer_has_order=True,
        reason="incomplete_service",
        area=None,
        policy=P,
    )
    assert not [a for a in other.actions if a.param("purpose") == "costing_known"]


@pytest.mark.parametrize(
    "after, late",
    [(timedelta(minutes=59), False), (timedelta(hours=1), False),
     (timedelta(hours=1, seconds=1), True)],
)  # fmt: skip
def test_operations_hand_over_later_than_one_hour_is_escalated(after, late):
    completed = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    decision = fu.decide_open_followup_ticket(
        flow="second_appointment",
        customer_has_order=True,
        reason="incomplete_service",
        area=None,
        opened_at=completed + after,
        order_completed_at=completed,
        policy=P,
    )
    assert decision.has_action("escalate") is late
    assert decision.outcome == (
        "followup_ticket_opened_handover_late" if late else "followup_ticket_opened"
    )
    if late:
        assert decision.action("escalate").param("to") == "direct_manager_or_shift_leader"


@pytest.mark.parametrize(
    "status, outcome, kinds, tag",
    [
        ("resolved", "closed_in_time", (), ""),
        ("waiting on customer", "closed_waiting_on_customer", ("set_status",),
         "Follow up >> Customer care >> No answer twice"),
        ("open", "not_closed_waiting_on_customer", ("set_ticket_view",), ""),
        ("pending", "not_closed_escalated", ("escalate",), ""),
    ],
)  # fmt: skip
def test_the_seven_day_close(status, outcome, kinds, tag):
    decision = fu.decide_close_due(ticket_status=status, policy=P)
    assert (decision.outcome, decision.action_kinds) == (outcome, kinds)
    assert fu.OUTCOME_TAGS.get(outcome, "") == tag
    if status == "open":
        view = decision.action("set_ticket_view")
        assert (view.param("status"), view.param("priority")) == ("waiting on customer", "medium")
    if status == "waiting on customer":
        assert decision.action("set_status").param("status") == "resolved"


def test_a_drill_policy_runs_the_clocks_faster():
    drill = policy_with(clock_speedup=3600)
    opened = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    assert fu.close_due(opened_at=opened, policy=drill) == opened + timedelta(seconds=7 * 24)
    assert fu.first_call_due(assigned_at=opened, policy=drill) == opened + timedelta(seconds=8)
    assert fu.first_call_due(assigned_at=opened, policy=P) == opened + timedelta(hours=8)
