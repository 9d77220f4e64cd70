"""The case page: transition buttons per state and role, edits and new cases through services,
the audit trail inline and the note form."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, EventType
from tests.factories import BookingFactory, CaseFactory, UserFactory, city
from tests.helpers import case_in

pytestmark = pytest.mark.django_db


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def buttons(response) -> list[str]:
    """The transition names offered as buttons on a case page."""
    return re.findall(r'data-transition="([a-z_]+)"', response.content.decode())


def form_post_data(response) -> dict:
    """What the browser would post back for the change form as rendered (plus inline mgmt)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            value = ""
        elif isinstance(value, list):
            value = value[0] if value else ""
        data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    data["_save"] = "Save"
    return data


@pytest.mark.parametrize(
    "status, expected",
    [
        ("new", ["open", "park"]),
        ("open", ["mark_pending", "park", "wait_on_customer", "wait_on_third_party", "resolve"]),
        (
            "parked",
            ["mark_pending", "unpark", "wait_on_customer", "wait_on_third_party", "resolve"],
        ),
        ("waiting_on_customer", ["resume", "resolve"]),
        ("resolved", ["close"]),
        ("closed", []),
    ],
)
def test_agent_sees_buttons_only_for_transitions_allowed_now(agent_console, status, expected):
    case = case_in(status)
    assert sorted(buttons(agent_console.get(change_url(case)))) == sorted(expected)


@pytest.mark.parametrize(
    "status, expected", [("resolved", ["close", "reopen"]), ("closed", ["reopen"])]
)
def test_supervisor_also_sees_reopen(supervisor_console, status, expected):
    case = case_in(status)
    assert sorted(buttons(supervisor_console.get(change_url(case)))) == sorted(expected)


@pytest.mark.parametrize("status", ["new", "open", "resolved"])
def test_finance_sees_no_transition_buttons_and_no_note_form(finance_console, status):
    case = case_in(status)
    response = finance_console.get(change_url(case))
    assert response.status_code == 200
    assert buttons(response) == []
    assert 'id="case-note"' not in response.content.decode()


def test_each_action_is_a_labelled_form_posting_to_its_transition(agent_console):
    case = CaseFactory()
    html = agent_console.get(change_url(case)).content.decode()
    for name, label in (("open", "Open"), ("park", "Park")):
        assert (
            f'action="/admin/cases/case/{case.pk}/transition/{name}/" aria-label="{label}"' in html
        )
        assert f'transition-button">{label}</summary>' in html


def test_status_and_tag_are_read_only_on_the_page(agent_console):
    case = case_in("open")
    form = agent_console.get(change_url(case)).context["adminform"].form
    for name in ("status", "disposition", "resolved_at", "closed_at", "parked_until"):
        assert name not in form.fields
    for name in ("assignee", "priority", "team", "due_at", "subject", "description"):
        assert name in form.fields


def test_editing_working_fields_goes_through_the_service(agent_console, agent):
    case = case_in("open")
    services.add_note(case_id=case.pk, actor=agent, text="Called the customer")
    page = agent_console.get(change_url(case))
    data = form_post_data(page)
    data.update(priority="urgent", subject="Technician no-show, customer angry", assignee=agent.pk)
    response = agent_console.post(change_url(case), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = Case.objects.get(pk=case.pk)
    assert case.priority == "urgent"
    assert case.assignee == agent
    assert case.status == "open"
    assert CaseEvent.objects.get(case=case, type=EventType.NOTE).reason == "Called the customer"
    changed = CaseEvent.objects.filter(case=case, type=EventType.FIELD_CHANGE)
    assert sorted(e.payload["field"] for e in changed) == ["assignee", "priority", "subject"]
    assert all(e.actor == agent for e in changed)


def test_a_status_in_the_post_is_ignored(agent_console):
    case = case_in("open")
    data = form_post_data(agent_console.get(change_url(case)))
    data.update(status="closed", priority="high")
    agent_console.post(change_url(case), data)
    case = Case.objects.get(pk=case.pk)
    assert case.status == "open"
    assert case.priority == "high"


def test_closed_case_cannot_be_edited(agent_console):
    case = case_in("closed")
    page = agent_console.get(change_url(case))
    assert "priority" not in page.context["adminform"].form.fields
    data = form_post_data(page)
    data["priority"] = "urgent"
    agent_console.post(change_url(case), data)
    assert Case.objects.get(pk=case.pk).priority == "low"
    assert not CaseEvent.objects.filter(case=case, type=EventType.FIELD_CHANGE).exists()


def test_new_case_goes_through_create_case(agent_console, agent):
    booking = BookingFactory()
    response = agent_console.post(
        reverse("admin:cases_case_add"),
        {
            "kind": "reschedule",
            "subject": "Customer wants Saturday",
            "description": "",
            "channel": "inbound_call",
            "reporter": "customer",
            "booking": booking.pk,
            "customer": "",
            "partner": "",
            "city": "",
            "team": "",
            "assignee": agent.pk,
            "priority": "medium",
            "due_at_0": "",
            "due_at_1": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(subject="Customer wants Saturday")
    assert response["Location"].endswith(f"/admin/cases/case/{case.pk}/change/") or response[
        "Location"
    ].endswith("/admin/cases/case/")
    # Filled by the service from the booking and the kind.
    assert case.customer == booking.customer
    assert case.city == booking.city
    assert case.team == "customer_care"
    assert case.created_by == agent
    assert case.assignee == agent
    types = list(case.events.values_list("type", flat=True))
    assert types == [EventType.CREATED, EventType.FIELD_CHANGE]


def test_new_case_without_city_booking_or_customer_shows_the_service_error(agent_console):
    response = agent_console.post(
        reverse("admin:cases_case_add"),
        {
            "kind": "service_enquiry",
            "subject": "Nowhere",
            "channel": "chat",
            "reporter": "customer",
            "priority": "low",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
        },
        follow=True,
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("A case needs a city" in t for t in texts)
    assert not Case.objects.filter(subject="Nowhere").exists()


def test_new_case_with_city_only(agent_console):
    agent_console.post(
        reverse("admin:cases_case_add"),
        {
            "kind": "service_enquiry",
            "subject": "Do you paint offices?",
            "channel": "chat",
            "reporter": "customer",
            "city": city("Mumbai").pk,
            "priority": "low",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
        },
    )
    case = Case.objects.get(subject="Do you paint offices?")
    assert case.city.name == "Mumbai"
    assert case.events.get().type == EventType.CREATED


def test_the_timeline_tells_what_happened_newest_first_in_sentences(agent_console, agent, agent2):
    case = services.create_case(
        actor=agent,
        kind="status_check",
        channel="chat",
        reporter="customer",
        subject="Audit me",
        booking=BookingFactory(),
    )
    services.transition_case(case_id=case.pk, name="open", actor=agent, reason="Picked up")
    services.update_case(case_id=case.pk, actor=agent, changes={"assignee": agent2})
    services.transition_case(
        case_id=case.pk,
        name="park",
        actor=agent,
        reason="Waiting for the partner",
        data={"parked_until": timezone.now() + timedelta(hours=3)},
    )

    response = agent_console.get(change_url(case))

    timeline = response.context["timeline"]
    assert [entry.sentence for entry in timeline] == [
        "park: Open → Parked",
        f"changed the assignee from (none) to {agent2.username}",
        "open: New → Open",
        "opened the case (chat) for Customer care",
    ]
    assert {entry.who for entry in timeline} == {agent.username}
    html = response.content.decode()
    assert "Waiting for the partner" in html
    assert f"Policy {timeline[0].policy_version}" in html
    assert "inline-deletelink" not in html and "Remove" not in html  # nothing to remove
    assert "'from': None" not in html and "field: assignee" not in html  # no raw payloads
    # the note box is at the top of the timeline
    assert html.index('id="case-note"') < html.index('class="cw-timeline"')


def test_the_history_button_opens_the_timeline(agent_console):
    case = CaseFactory()
    response = agent_console.get(reverse("admin:cases_case_history", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == change_url(case) + "#timeline"


def test_case_times_are_shown_in_the_regions_zone_without_server_time_notes(agent_console):
    from partners.models import City

    cairo = City.objects.filter(region__country="EG").first()
    case = CaseFactory(
        city=cairo,
        first_response_due_at=timezone.now().replace(
            year=2026, month=12, day=1, hour=10, minute=0, second=0, microsecond=0
        ),
    )
    html = agent_console.get(change_url(case)).content.decode()
    assert "Africa/Cairo" in html
    assert "1 Dec 2026, 12:00" in html  # 10:00 UTC is noon in Cairo
    assert "behind server time" not in html and "ahead of server time" not in html


def test_one_due_time_the_clocks_and_a_promise_to_the_customer_beside_them(agent_console):
    # The page once showed an editable "Due at" that contradicted the SLA clocks. The SLA's
    # deadlines are the clocks; due_at is only a promise to the customer, named so, beside them.
    case = CaseFactory(
        due_at=timezone.now() - timedelta(hours=2),
        resolution_due_at=timezone.now() + timedelta(hours=4),
    )
    html = agent_console.get(change_url(case)).content.decode()
    clocks = html[
        html.index('id="case-clocks"') : html.index("</section>", html.index('id="case-clocks"'))
    ]
    assert "Resolution due:" in clocks
    assert "Promised to the customer by:" in clocks and "(passed)" in clocks
    assert "Due at" not in html
    assert '<label for="id_due_at"' in html
    form_label = re.search(r'<label for="id_due_at"[^>]*>(.*?)</label>', html, re.S).group(1)
    assert "Promised to the customer by" in form_label


def test_without_a_promise_the_clocks_are_the_only_due_times(agent_console):
    case = CaseFactory(due_at=None, resolution_due_at=timezone.now() + timedelta(hours=4))
    html = agent_console.get(change_url(case)).content.decode()
    clocks = html[
        html.index('id="case-clocks"') : html.index("</section>", html.index('id="case-clocks"'))
    ]
    assert "Resolution due:" in clocks and "Promised to the customer" not in clocks


def test_the_header_shows_customer_booking_partner_and_other_cases(agent_console):
    booking = BookingFactory()
    case = CaseFactory(booking=booking, customer=booking.customer, partner=booking.partner)
    CaseFactory(customer=booking.customer)
    html = agent_console.get(change_url(case)).content.decode()
    assert booking.customer.name in html and booking.external_id in html
    assert booking.partner.name in html
    assert "1 other case" in html
    assert "1 booking<" in html  # the customer's bookings, linked to their page
    assert 'id="partner-paf-rate"' in html and "last 90 days" in html


def test_the_header_gives_the_partners_paf_rate(agent_console):
    from payouts.models import PartnerAtFault
    from tests.factories import PafFactory
    from tests.helpers import completed

    paf = PafFactory()
    completed(paf.booking)
    for _ in range(3):
        completed(BookingFactory(partner=paf.partner))
    standing = PartnerAtFault.objects.filter(partner=paf.partner).count()
    case = CaseFactory(partner=paf.partner, booking=paf.booking, customer=paf.booking.customer)
    html = agent_console.get(change_url(case)).content.decode()
    rate = re.search(r'id="partner-paf-rate">(.*?)</p>', html).group(1)
    expected = f"PAF rate {100 * standing / 4:.1f}% ({standing} PAF on 4 completed jobs)"
    assert rate == f"{expected}, last 90 days"


def test_note_form_adds_a_note_event(agent_console, agent):
    case = CaseFactory()
    assert 'id="case-note"' in agent_console.get(change_url(case)).content.decode()
    response = agent_console.post(
        reverse("admin:cases_case_note", args=[case.pk]),
        {"text": "  Customer asked for a call after 6 pm.  "},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == change_url(case)
    note = CaseEvent.objects.get(case=case, type=EventType.NOTE)
    assert note.reason == "Customer asked for a call after 6 pm."
    assert note.actor == agent
    assert "Customer asked for a call after 6 pm." in response.content.decode()


def test_the_told_the_customer_tick_says_nothing_is_sent_and_records_a_first_response(
    agent_console,
):
    # Until mail is sent from the case, the tick means "I answered by phone or elsewhere":
    # it starts no mail, and it stops the first-response clock.
    from events.models import OutgoingMail
    from tests.helpers import opened

    case = opened()  # its SLA clocks started
    assert case.first_responded_at is None
    html = agent_console.get(change_url(case)).content.decode()
    assert "I told the customer this, by phone or elsewhere" in html
    assert "nothing is sent from here" in html and "Sent to the customer" not in html
    response = agent_console.post(
        reverse("admin:cases_case_note", args=[case.pk]),
        {"text": "Told her the technician comes at 5 pm.", "public": "on"},
        follow=True,
    )
    case.refresh_from_db()
    assert case.first_responded_at is not None
    assert not OutgoingMail.objects.exists()
    assert "told the customer</span>" in response.content.decode()


def test_empty_note_is_refused(agent_console):
    case = CaseFactory()
    response = agent_console.post(
        reverse("admin:cases_case_note", args=[case.pk]), {"text": "   "}, follow=True
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(t.startswith("Note not added") for t in texts)
    assert not CaseEvent.objects.filter(case=case, type=EventType.NOTE).exists()


def test_finance_cannot_post_a_note(finance_console):
    case = CaseFactory()
    response = finance_console.post(reverse("admin:cases_case_note", args=[case.pk]), {"text": "x"})
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(case=case).exists()


def test_note_view_wants_post(agent_console):
    case = CaseFactory()
    assert agent_console.get(reverse("admin:cases_case_note", args=[case.pk])).status_code == 405


def test_cases_are_never_deleted_in_the_console(supervisor_console):
    case = CaseFactory()
    response = supervisor_console.post(
        reverse("admin:cases_case_delete", args=[case.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


def test_case_held_by_someone_who_left_can_still_be_edited(agent_console):
    leaver = UserFactory(username="left-agent", role="agent", is_active=False)
    case = case_in("open", assignee=leaver)
    data = form_post_data(agent_console.get(change_url(case)))
    assert data["assignee"] == leaver.pk
    data["priority"] = "high"
    assert agent_console.post(change_url(case), data).status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert (case.priority, case.assignee) == ("high", leaver)


def test_assignee_choices_are_the_people_who_work_cases(agent_console, finance_user, supervisor):
    case = case_in("open")
    choices = agent_console.get(change_url(case)).context["adminform"].form.fields["assignee"]
    usernames = set(choices.queryset.values_list("username", flat=True))
    assert supervisor.username in usernames
    assert finance_user.username not in usernames
