"""SLA clocks on the case row: started at opening from the policy and the region's calendar,
moved by the one transition path, stopped by the first response, kept across pauses."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Case
from partners.models import Closure, Region, RegionCalendar
from tests.factories import tag_for
from tests.helpers import active_policy, opened

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
CAIRO = ZoneInfo("Africa/Cairo")
MONDAY_4PM = datetime(2026, 3, 16, 16, 0, tzinfo=IST)


def ist(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=IST)


def move(case, name, actor, **data):
    return services.transition_case(case_id=case.pk, name=name, actor=actor, data=data)


def test_opening_starts_the_clocks_in_the_regions_working_time(time_machine):
    time_machine.move_to(MONDAY_4PM, tick=False)
    case = opened(priority="urgent")
    assert case.first_response_due_at == ist(16, 16, 30)
    assert case.resolution_due_at == ist(17, 11)  # 2 h Monday, 2 h Tuesday
    assert case.warn_at == ist(17, 10, 12)
    assert case.next_deadline_at == ist(16, 16, 30)
    assert case.sla_version == "sop-2026.1"
    india = Region.objects.get(country="IN")
    assert case.calendar_version == f"IN-{india.calendars.get().pk}"
    assert not case.sla_breached


def test_an_egypt_case_counts_cairo_hours_and_its_weekend(time_machine):
    # Thursday 17:00 in Cairo is 20:30 on the server's clock (Asia/Kolkata).
    time_machine.move_to(datetime(2026, 3, 12, 17, 0, tzinfo=CAIRO), tick=False)
    case = opened(city="Cairo", priority="urgent")
    # 1 h Thursday, then Friday and Saturday off: 3 h on Sunday.
    assert case.resolution_due_at == datetime(2026, 3, 15, 12, 0, tzinfo=CAIRO)


def test_a_case_opened_on_a_day_off_is_due_from_the_next_opening(time_machine):
    time_machine.move_to(datetime(2026, 3, 15, 23, 0, tzinfo=IST), tick=False)  # Sunday
    case = opened(priority="urgent")
    assert case.first_response_due_at == ist(16, 9, 30)


def test_waiting_pauses_the_clock_and_resuming_gives_back_the_time_left(time_machine, agent):
    time_machine.move_to(MONDAY_4PM, tick=False)
    case = opened(priority="urgent")
    move(case, "open", agent)
    time_machine.move_to(ist(16, 16, 10), tick=False)
    case = move(case, "wait_on_customer", agent)
    row = Case.objects.get(pk=case.pk)
    assert row.paused_since == ist(16, 16, 10)
    assert row.next_deadline_at is None  # nothing is swept while paused
    time_machine.move_to(ist(17, 10), tick=False)
    move(case, "resume", agent)
    row = Case.objects.get(pk=case.pk)
    assert row.paused_since is None
    assert row.paused_seconds == (110 + 60) * 60
    assert row.first_response_due_at == ist(17, 10, 20)
    assert row.resolution_due_at == ist(17, 13, 50)


def test_parking_pauses_and_the_unpark_sweep_resumes(time_machine, agent):
    time_machine.move_to(MONDAY_4PM, tick=False)
    case = opened(priority="urgent")
    move(case, "park", agent, parked_until=ist(17, 10))
    time_machine.move_to(ist(17, 10, 1), tick=False)
    assert services.unpark_due_cases() == 1
    row = Case.objects.get(pk=case.pk)
    assert row.status == "open" and row.paused_since is None
    assert row.resolution_due_at == ist(17, 14, 1)  # the 4 h left, from the unpark


def test_resolving_straight_from_waiting_keeps_the_paused_time(time_machine, agent):
    time_machine.move_to(MONDAY_4PM, tick=False)
    case = opened(priority="urgent")
    move(case, "open", agent)
    time_machine.move_to(ist(16, 17), tick=False)
    move(case, "wait_on_customer", agent)
    time_machine.move_to(ist(17, 10), tick=False)
    move(case, "resolve", agent, disposition=tag_for(case.kind))
    row = Case.objects.get(pk=case.pk)
    assert row.paused_seconds == 2 * 3600
    assert row.next_deadline_at is None and row.paused_since is None


def test_reopening_restarts_the_resolution_clock(time_machine, agent, supervisor):
    time_machine.move_to(MONDAY_4PM, tick=False)
    case = opened(priority="urgent")
    move(case, "open", agent)
    move(case, "resolve", agent, disposition=tag_for(case.kind))
    time_machine.move_to(ist(18, 9), tick=False)
    move(case, "reopen", supervisor)
    row = Case.objects.get(pk=case.pk)
    assert row.resolution_due_at == ist(18, 13)
    assert row.next_deadline_at == ist(18, 12, 12)  # the warning; the response was given


def test_a_public_note_is_a_first_response_and_an_internal_one_is_not(time_machine, agent):
    time_machine.move_to(MONDAY_4PM, tick=False)
    case = opened(priority="urgent")
    services.add_note(case_id=case.pk, actor=agent, text="internal: checking")
    assert Case.objects.get(pk=case.pk).first_responded_at is None
    time_machine.move_to(ist(16, 16, 5), tick=False)
    services.add_note(case_id=case.pk, actor=agent, text="We are on it", public=True)
    row = Case.objects.get(pk=case.pk)
    assert row.first_responded_at == ist(16, 16, 5)
    assert row.next_deadline_at == row.warn_at  # the next thing due is the warning


def test_an_edit_is_not_a_first_response_and_a_priority_change_retargets(time_machine, agent):
    time_machine.move_to(MONDAY_4PM, tick=False)
    case = opened(priority="low")
    services.update_case(case_id=case.pk, actor=agent, changes={"subject": "Edited"})
    assert Case.objects.get(pk=case.pk).first_responded_at is None
    services.update_case(case_id=case.pk, actor=agent, changes={"priority": "urgent"})
    row = Case.objects.get(pk=case.pk)
    assert row.first_response_due_at == ist(16, 16, 30)


def test_a_case_is_no_longer_breached_after_its_sla_changed(time_machine, agent):
    time_machine.move_to(MONDAY_4PM, tick=False)
    case = opened(priority="urgent")
    time_machine.move_to(ist(17, 11, 1), tick=False)
    services.sweep_sla()
    assert Case.objects.get(pk=case.pk).sla_breached
    services.update_case(case_id=case.pk, actor=agent, changes={"priority": "low"})
    row = Case.objects.get(pk=case.pk)
    assert not row.resolution_breached_at and row.resolution_due_at > ist(17, 11, 1)
    # Under the low target the first response is due 15:00 Tuesday: not missed yet either.
    assert row.first_response_breached_at is None and not row.sla_breached
    assert row.next_deadline_at == row.first_response_due_at == ist(17, 15)


def test_targets_come_from_the_version_in_force_at_opening(time_machine):
    time_machine.move_to(MONDAY_4PM, tick=False)
    active_policy("faster", sla_first_response_minutes={"low": 10, "urgent": 5})
    case = opened(priority="low")
    assert case.sla_version == "faster"
    assert case.first_response_due_at == ist(16, 16, 10)


def test_a_calendar_change_applies_from_its_effective_time(time_machine):
    india = Region.objects.get(country="IN")
    RegionCalendar.objects.create(
        region=india,
        effective_from=ist(16, 12),
        weekend_days=[6],
        opens=time(10),
        closes=time(17),
    )
    time_machine.move_to(ist(16, 11), tick=False)
    before = opened(priority="urgent")  # still under 09:00-18:00
    time_machine.move_to(MONDAY_4PM, tick=False)
    after = opened(priority="urgent")  # 10:00-17:00 from noon
    assert before.resolution_due_at == ist(16, 15)
    assert after.resolution_due_at == ist(17, 13)  # 1 h Monday + 3 h from 10:00 Tuesday
    assert before.calendar_version != after.calendar_version


def test_a_closure_a_supervisor_adds_is_skipped(time_machine, supervisor):
    time_machine.move_to(MONDAY_4PM, tick=False)
    india = Region.objects.get(country="IN")
    Closure.objects.create(
        region=india,
        day=datetime(2026, 3, 17).date(),
        name="Local holiday",
        effective_from=MONDAY_4PM - timedelta(minutes=1),
        created_by=supervisor,
    )
    case = opened(priority="urgent")
    assert case.resolution_due_at == ist(18, 11)  # Tuesday skipped


def test_a_clock_running_out_after_hours_falls_due_at_the_next_opening_not_midnight(
    time_machine,
):
    time_machine.move_to(ist(16, 17, 50), tick=False)
    case = opened(priority="urgent")
    # 10 minutes Monday, 20 Tuesday morning: due 09:20, when somebody is there to act.
    assert case.first_response_due_at == ist(17, 9, 20)
    time_machine.move_to(
        ist(
            17,
            0,
            0,
        ),
        tick=False,
    )
    assert services.sweep_sla().processed == 0
