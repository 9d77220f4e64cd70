"""SLA targets in a backtest: each case's resolution clock recomputed from its stored
timeline under its own version and under the candidate; a shortened target turns exactly
the cases between the two targets into breaches, waits and closures respected."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backtests import services
from cases import services as case_services
from partners.models import Closure, Region
from policies.parameters import DEFAULT_POLICY
from tests.factories import tag_for
from tests.helpers import active_policy, opened

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Asia/Kolkata")
MONDAY_10AM = datetime(2026, 3, 16, 10, 0, tzinfo=IST)


def move(case, name, actor, **data):
    case_services.transition_case(case_id=case.pk, name=name, actor=actor, data=data)


def worked(time_machine, agent, *, resolved_after, wait=None):
    """A medium case opened Monday 10:00, opened by the agent, waiting (start, end hours
    after opening) if told, resolved `resolved_after` hours after opening."""
    time_machine.move_to(MONDAY_10AM, tick=False)
    case = opened(kind="status_check", priority="medium", actor=agent)
    time_machine.move_to(MONDAY_10AM + timedelta(minutes=5), tick=False)
    move(case, "open", agent)
    if wait:
        time_machine.move_to(MONDAY_10AM + timedelta(hours=wait[0]), tick=False)
        move(case, "wait_on_customer", agent)
        time_machine.move_to(MONDAY_10AM + timedelta(hours=wait[1]), tick=False)
        move(case, "resume", agent)
    time_machine.move_to(MONDAY_10AM + timedelta(hours=resolved_after), tick=False)
    move(case, "resolve", agent, disposition=tag_for(case.kind))
    return case


def sla_backtest(supervisor, time_machine, **changes):
    time_machine.move_to(datetime(2026, 3, 25, 12, 0, tzinfo=IST), tick=False)
    backtest, _ = services.request_backtest(
        actor=supervisor,
        parameters={**base(), **changes},
        first_day=date(2026, 3, 10),
        last_day=date(2026, 3, 24),
    )
    return services.run_backtest(backtest_id=backtest.pk).result["sla"]


def base():
    return {**DEFAULT_POLICY.params.to_dict(), **WALL_TIME}


WALL_TIME = {"business_time_clocks": ["material_booking"]}  # the SLA counts wall time
MEDIUM_24H = {"sla_resolution_minutes": {"high": 1440, "low": 4320, "medium": 1440, "urgent": 240}}


def test_a_shorter_target_breaches_exactly_the_cases_between_the_two_waits_excluded(
    time_machine, agent, supervisor
):
    active_policy("sop-wall", effective_from=MONDAY_10AM - timedelta(days=30), **WALL_TIME)
    met = worked(time_machine, agent, resolved_after=20)
    between = worked(time_machine, agent, resolved_after=30)
    waited = worked(time_machine, agent, resolved_after=30, wait=(2, 12))  # 20 h counted
    late = worked(time_machine, agent, resolved_after=50)

    sla = sla_backtest(supervisor, time_machine, **MEDIUM_24H)

    assert sla["targets_changed"] is True
    assert (sla["cases"], sla["breached_own"], sla["breached_candidate"]) == (4, 1, 2)
    assert sla["newly_breached"] == [between.pk]
    assert sla["no_longer_breached"] == []
    assert met.pk not in sla["newly_breached"] and waited.pk not in sla["newly_breached"]
    assert late.pk not in sla["newly_breached"]  # breached under both


def test_a_longer_target_clears_the_breaches_within_it(time_machine, agent, supervisor):
    active_policy("sop-wall", effective_from=MONDAY_10AM - timedelta(days=30), **WALL_TIME)
    late = worked(time_machine, agent, resolved_after=50)
    later = worked(time_machine, agent, resolved_after=80)
    longer = {"sla_resolution_minutes": {"high": 1440, "low": 4320, "medium": 4320, "urgent": 240}}
    sla = sla_backtest(supervisor, time_machine, **longer)
    assert sla["no_longer_breached"] == [late.pk]
    assert later.pk not in sla["no_longer_breached"]


def test_the_regions_closures_do_not_count_in_working_time(time_machine, agent, supervisor):
    """Working time (09:00-18:00): Monday 10:00 + 24 working hours is Thursday 16:00 with
    Tuesday closed (Monday 8 h, Wednesday 9 h, Thursday 7 h), Wednesday 16:00 without."""
    india = Region.objects.get(country="IN")
    Closure.objects.create(
        region=india,
        day=date(2026, 3, 17),
        name="Local holiday",
        effective_from=MONDAY_10AM - timedelta(days=1),
    )
    active_policy("sop-working", effective_from=MONDAY_10AM - timedelta(days=30))
    thursday_3pm = worked(time_machine, agent, resolved_after=24 * 3 + 5)  # Thu 15:00
    thursday_5pm = worked(time_machine, agent, resolved_after=24 * 3 + 7)  # Thu 17:00
    time_machine.move_to(datetime(2026, 3, 25, 12, 0, tzinfo=IST), tick=False)
    backtest, _ = services.request_backtest(
        actor=supervisor,
        parameters={**DEFAULT_POLICY.params.to_dict(), **MEDIUM_24H},
        first_day=date(2026, 3, 10),
        last_day=date(2026, 3, 24),
    )
    sla = services.run_backtest(backtest_id=backtest.pk).result["sla"]
    assert sla["newly_breached"] == [thursday_5pm.pk]
    assert thursday_3pm.pk not in sla["newly_breached"]


def test_the_same_sla_numbers_skip_the_recomputation(time_machine, agent, supervisor):
    worked(time_machine, agent, resolved_after=20)
    time_machine.move_to(datetime(2026, 3, 25, 12, 0, tzinfo=IST), tick=False)
    backtest, _ = services.request_backtest(
        actor=supervisor,
        parameters={**DEFAULT_POLICY.params.to_dict(), "warranty_days": 25},
        first_day=date(2026, 3, 10),
        last_day=date(2026, 3, 24),
    )
    assert services.run_backtest(backtest_id=backtest.pk).result["sla"] == {
        "targets_changed": False
    }


def test_a_shorter_first_response_target_makes_exactly_the_slower_answers_late(
    time_machine, agent, supervisor
):
    """Medium first response 240 -> 60 minutes (wall time): answered after 30 minutes stays
    in time, after 2 hours becomes late, after 2 hours of which 90 minutes waiting stays in
    time (the clock stands still while the case waits)."""
    active_policy("sop-wall", effective_from=MONDAY_10AM - timedelta(days=30), **WALL_TIME)

    def answered(minutes, wait=None):
        time_machine.move_to(MONDAY_10AM, tick=False)
        case = opened(kind="status_check", priority="medium", actor=agent)
        move(case, "open", agent)  # opening is no answer to the customer
        if wait:
            time_machine.move_to(MONDAY_10AM + timedelta(minutes=wait[0]), tick=False)
            move(case, "wait_on_customer", agent)
            time_machine.move_to(MONDAY_10AM + timedelta(minutes=wait[1]), tick=False)
            move(case, "resume", agent)
        time_machine.move_to(MONDAY_10AM + timedelta(minutes=minutes), tick=False)
        case_services.add_note(case_id=case.pk, actor=agent, text="Told the customer.", public=True)
        return case

    quick = answered(30)
    slow = answered(120)
    waited = answered(120, wait=(10, 100))  # 30 minutes counted
    fast_first = {
        "sla_first_response_minutes": {"high": 60, "low": 480, "medium": 60, "urgent": 30}
    }
    sla = sla_backtest(supervisor, time_machine, **fast_first)
    assert sla["first_response"]["newly_late"] == [slow.pk]
    assert sla["first_response"]["no_longer_late"] == []
    assert sla["first_response"]["late_own"] == 0 and sla["first_response"]["late_candidate"] == 1
    assert quick.pk not in sla["first_response"]["newly_late"]
    assert waited.pk not in sla["first_response"]["newly_late"]
