"""The satisfaction survey: queued in the transaction that resolves the case (a rolled-back
resolution sends nothing), not to an automatic sender, a failing address or a customer
asked within the quiet days; rated from signed links that expire; the rating on the trail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from cases.models import CaseStatus, EventType
from cases.services import transition_case
from conversations.models import Survey
from conversations.services import receive_mail
from conversations.services.csat import survey_token, survey_url
from events.models import OutgoingMail
from tests.factories import CaseFactory, CustomerFactory, tag_for
from tests.helpers import case_in

from .conftest import mail

pytestmark = pytest.mark.django_db


def resolve(case, agent):
    return transition_case(
        case_id=case.pk,
        name="resolve",
        actor=agent,
        reason="Fixed",
        data={"disposition": tag_for(case.kind).path},
    )


@pytest.fixture
def open_case(agent):
    return case_in(
        CaseStatus.OPEN, customer=CustomerFactory(email="asha@example.com"), assignee=agent
    )


def test_resolving_queues_the_survey_with_its_links(open_case, agent):
    resolve(open_case, agent)
    survey = Survey.objects.get()
    assert survey.case == open_case and survey.agent == agent and survey.team == open_case.team
    queued = survey.outgoing
    assert queued.to == ["asha@example.com"] and f"[#{open_case.pk}]" in queued.subject
    assert queued.headers["Auto-Submitted"] == "auto-generated"
    links = re.findall(r"https?://\S+", queued.body)
    assert links == [survey_url(survey, n) for n in (1, 2, 3, 4, 5)]
    sent = open_case.events.get(type=EventType.RATING)
    assert sent.payload["sent"] is True


def test_a_resolution_rolled_back_sends_no_survey(open_case, agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        resolve(open_case, agent)
        raise RuntimeError
    assert not Survey.objects.exists() and not OutgoingMail.objects.exists()


def test_other_moves_send_nothing(open_case, agent):
    transition_case(case_id=open_case.pk, name="wait_on_customer", actor=agent, reason="Asked")
    assert not Survey.objects.exists()


def test_no_survey_without_a_working_address_or_to_an_automatic_sender(agent):
    for customer in (
        CustomerFactory(email=""),
        CustomerFactory(email="b@example.com", email_failing_since=timezone.now()),
    ):
        resolve(case_in(CaseStatus.OPEN, customer=customer), agent)
    CustomerFactory(email="robot@example.com")
    first = receive_mail(mail(sender="robot@example.com"), via="smtp").result
    receive_mail(
        mail(
            sender="robot@example.com",
            in_reply_to=first.message_id,
            headers={"Auto-Submitted": "auto-replied"},
        ),
        via="smtp",
    )
    from cases.models import Case

    Case.objects.filter(pk=first.case_id).update(status=CaseStatus.OPEN)
    resolve(first.case, agent)
    assert not Survey.objects.exists()


def test_not_twice_within_the_quiet_days(settings, agent):
    settings.CSAT_QUIET_DAYS = 30
    customer = CustomerFactory(email="again@example.com")
    start = timezone.now()
    resolve(case_in(CaseStatus.OPEN, customer=customer), agent)
    with time_machine.travel(start + timedelta(days=29, hours=23), tick=False):
        resolve(case_in(CaseStatus.OPEN, customer=customer), agent)
        assert Survey.objects.count() == 1
    with time_machine.travel(start + timedelta(days=30, minutes=1), tick=False):
        resolve(case_in(CaseStatus.OPEN, customer=customer), agent)
        assert Survey.objects.count() == 2


def test_the_link_shows_the_chosen_rating_and_records_it_when_sent(client, open_case, agent):
    resolve(open_case, agent)
    survey = Survey.objects.get()
    url = f"/csat/{survey_token(survey)}/"
    page = client.get(url, {"r": 4})
    assert page.status_code == 200 and 'value="4" checked' in page.content.decode()
    survey.refresh_from_db()
    assert survey.rating is None  # opening the link records nothing (link scanners)
    done = client.post(url, {"rating": "4", "comment": "Quick and kind."})
    assert done.status_code == 200 and "4 out of 5" in done.content.decode()
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Quick and kind.")
    event = open_case.events.filter(type=EventType.RATING).last()
    assert event.payload["rating"] == 4 and event.reason == "Quick and kind."
    client.post(url, {"rating": "2"})
    survey.refresh_from_db()
    assert survey.rating == 2  # changed within the link's life; both on the trail
    assert open_case.events.filter(type=EventType.RATING).count() == 3


def test_bad_ratings_and_links_are_refused(client, settings, open_case, agent):
    resolve(open_case, agent)
    survey = Survey.objects.get()
    url = f"/csat/{survey_token(survey)}/"
    assert client.post(url, {"rating": "6"}).status_code == 400
    assert client.post(url, {"rating": "x"}).status_code == 400
    assert client.get(f"/csat/{survey_token(survey)[:-2]}xx/").status_code == 404
    settings.CSAT_LINK_DAYS = 14
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1), tick=False):
        expired = client.get(url)
        assert expired.status_code == 410 and "expired" in expired.content.decode()
    survey.refresh_from_db()
    assert survey.rating is None


def test_a_reply_to_the_survey_reopens_the_case_within_the_window(open_case, agent):
    resolve(open_case, agent)
    reply_to = Survey.objects.get().outgoing.headers["Reply-To"]
    receive_mail(mail(sender="asha@example.com", to=reply_to, text="Still broken!"), via="smtp")
    open_case.refresh_from_db()
    assert open_case.status == CaseStatus.OPEN


def test_a_case_factory_case_without_customer_gets_no_survey(agent):
    case = CaseFactory(booking=None, customer=None, status=CaseStatus.OPEN)
    resolve(case, agent)
    assert not Survey.objects.exists()


def test_the_dashboard_shows_csat_by_team_agent_kind_and_region(client, supervisor, agent):
    from django.core.cache import cache
    from django.urls import reverse

    from tests.helpers import logged_in

    for rating, customer_email in ((5, "x1@example.com"), (2, "x2@example.com")):
        case = case_in(
            CaseStatus.OPEN, customer=CustomerFactory(email=customer_email), assignee=agent
        )
        resolve(case, agent)
        survey = Survey.objects.get(case=case)
        client.post(f"/csat/{survey_token(survey)}/", {"rating": str(rating)})
    cache.clear()
    html = logged_in(supervisor).get(reverse("console-dashboard")).content.decode()
    assert "Average rating 3.5 of 5 from 2 ratings" in html
    section = html[html.index('id="csat-by-agent"') :]
    assert (
        f'<td>{agent.username}</td><td class="cw-num">3.5</td><td class="cw-num">2</td>' in section
    )
    assert 'id="csat-by-region"' in html and 'id="csat-by-case-kind"' in html


def test_without_an_assignee_the_survey_counts_for_whoever_resolved(agent):
    case = case_in(CaseStatus.OPEN, customer=CustomerFactory(email="solo@example.com"))
    resolve(case, agent)
    assert Survey.objects.get(case=case).agent == agent
