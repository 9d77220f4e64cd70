"""Working calendars in the console: a supervisor adds a closure or a calendar version
(through the service, never into the past), everyone else only reads them; the clocks read
the version in force."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import InvalidInput, NotPermitted
from partners import services
from partners.models import Closure, Region, RegionCalendar
from partners.selectors import working_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def india():
    return Region.objects.get(country="IN")


def test_a_supervisor_adds_a_closure_in_the_console(supervisor_console, supervisor, india):
    day = timezone.localdate() + timedelta(days=3)
    response = supervisor_console.post(
        "/admin/partners/closure/add/",
        {"region": india.pk, "day": day.isoformat(), "name": "Local festival"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    closure = Closure.objects.get(region=india, day=day)
    assert closure.created_by == supervisor and closure.effective_from <= timezone.now()
    assert not working_calendar(india.pk, timezone.now()).days.is_business_day(day)


def test_a_closure_in_the_past_is_refused_with_the_field_error(supervisor_console, india):
    day = timezone.localdate() - timedelta(days=1)
    response = supervisor_console.post(
        "/admin/partners/closure/add/",
        {"region": india.pk, "day": day.isoformat(), "name": "Too late"},
    )
    assert response.status_code == 200
    assert "A closure is for today or a day to come." in response.content.decode()
    assert not Closure.objects.exists()


def test_an_agent_reads_calendars_but_may_not_add_or_edit(agent_console, india):
    assert agent_console.get("/admin/partners/regioncalendar/").status_code == 200
    assert agent_console.get("/admin/partners/closure/add/").status_code == 403
    version = RegionCalendar.objects.filter(region=india).first()
    page = agent_console.get(f"/admin/partners/regioncalendar/{version.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_calendar_versions_apply_from_their_moment_and_never_the_past(supervisor, agent, india):
    with pytest.raises(NotPermitted):
        services.add_closure(
            actor=agent, region=india, day=timezone.localdate(), name="Not mine to add"
        )
    with pytest.raises(InvalidInput) as bad:
        services.add_calendar_version(
            actor=supervisor,
            region=india,
            effective_from=timezone.now() - timedelta(days=1),
            weekend_days=[6],
            opens=timezone.datetime.min.time().replace(hour=10),
            closes=timezone.datetime.min.time().replace(hour=9),
        )
    assert set(bad.value.fields) == {"effective_from", "closes"}
    start = timezone.now() + timedelta(hours=1)
    services.add_calendar_version(
        actor=supervisor,
        region=india,
        effective_from=start,
        weekend_days=[5, 6],
        opens=timezone.datetime.min.time().replace(hour=8),
        closes=timezone.datetime.min.time().replace(hour=20),
        note="Weekend now Saturday and Sunday",
    )
    assert working_calendar(india.pk, start - timedelta(seconds=1)).days.weekend_days == {6}
    assert working_calendar(india.pk, start).days.weekend_days == {5, 6}
