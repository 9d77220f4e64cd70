"""The case queue: constant query count, exact search, cheap filters, CSV export, bulk open."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.admin.filters import distinctive_part
from cases.models import Case, CaseEvent, EventType
from tests.factories import (
    BookingFactory,
    BookingLineFactory,
    CalendarSlotFactory,
    CaseFactory,
    CustomerFactory,
    PartnerFactory,
    UserFactory,
)
from tests.helpers import case_in

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:cases_case_changelist")


def _make_cases(n: int, assignee) -> None:
    for i in range(n):
        CaseFactory(assignee=assignee if i % 2 else None, due_at=timezone.now() + timedelta(days=1))


def _queries_for_changelist(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow_with_the_rows(agent_console, agent):
    _make_cases(5, agent)
    with_five = _queries_for_changelist(agent_console)
    _make_cases(35, agent)
    with_forty = _queries_for_changelist(agent_console)
    assert with_forty == with_five


def test_changelist_of_forty_cases_stays_under_the_query_budget(
    agent_console, agent, django_assert_max_num_queries
):
    _make_cases(40, agent)
    # session, user, user and group permissions, the user's roles (the menu), the assignee
    # and city filter choices, the capped count and the page of rows.
    with django_assert_max_num_queries(9):
        response = agent_console.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 25  # a page
    with django_assert_max_num_queries(9):
        response = agent_console.get(CHANGELIST, {"p": 2})
    assert len(response.context["cl"].result_list) == 15


@pytest.mark.parametrize(
    "changelist, make",
    [
        ("cases_booking", lambda: BookingLineFactory(booking=BookingFactory()).booking),
        (
            "cases_caseevent",
            lambda: services.add_note(case_id=CaseFactory().pk, actor=UserFactory(), text="n"),
        ),
        ("cases_customer", CustomerFactory),
        ("partners_partner", PartnerFactory),
        ("partners_calendarslot", CalendarSlotFactory),
    ],
)
def test_other_changelists_do_not_grow_with_the_rows(finance_console, changelist, make):
    url = reverse(f"admin:{changelist}_changelist")
    for _ in range(3):
        make()
    with CaptureQueriesContext(connection) as few:
        assert finance_console.get(url).status_code == 200
    for _ in range(20):
        make()
    with CaptureQueriesContext(connection) as many:
        assert finance_console.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_queue_is_open_work_by_next_deadline_paused_last(agent_console):
    now = timezone.now()
    later = CaseFactory(next_deadline_at=now + timedelta(hours=5))
    sooner = CaseFactory(next_deadline_at=now + timedelta(minutes=20))
    no_clock = CaseFactory(next_deadline_at=None)
    case_in("resolved")

    cl = agent_console.get(CHANGELIST).context["cl"]

    assert [c.pk for c in cl.result_list] == [sooner.pk, later.pk, no_clock.pk]
    assert cl.show_full_result_count is False
    assert cl.paginator.is_capped is False


def test_resolved_and_closed_cases_are_one_filter_away(agent_console):
    open_case = CaseFactory()
    done = case_in("resolved")
    assert [
        c.pk for c in agent_console.get(CHANGELIST, {"work": "done"}).context["cl"].result_list
    ] == [done.pk]
    everything = agent_console.get(CHANGELIST, {"work": "all"}).context["cl"].result_list
    assert {c.pk for c in everything} == {open_case.pk, done.pk}
    by_status = agent_console.get(CHANGELIST, {"status__exact": "resolved"}).context["cl"]
    assert [c.pk for c in by_status.result_list] == [done.pk]


@pytest.mark.parametrize("term", ["{pk}", "#{pk}"])
def test_searching_a_case_id_opens_the_case(agent_console, term):
    wanted = CaseFactory()
    response = agent_console.get(CHANGELIST, {"q": term.format(pk=wanted.pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cases_case_change", args=[wanted.pk])


def test_searching_an_unknown_case_id_shows_an_empty_list(agent_console):
    CaseFactory()
    response = agent_console.get(CHANGELIST, {"q": "999999999"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    "term",
    [
        "BK-000301",  # the whole booking id
        "000301",  # part of it
        "+919769018643",
        "+91 97690 18643",
        "9769018643",  # national, no prefix
        "09769018643",  # trunk 0
        "0091 9769018643",  # international 00
        "Meera",  # part of the customer's name
        "meera iyer",
        "Rakesh",  # part of the partner's name
    ],
)
def test_search_finds_the_case_by_any_common_form(agent_console, term):
    customer = CustomerFactory(phone="+919769018643", name="Meera Iyer")
    partner = PartnerFactory(name="Rakesh Plumbing Works")
    wanted = CaseFactory(
        booking=BookingFactory(external_id="BK-000301", customer=customer, partner=partner),
        customer=customer,
        partner=partner,
    )
    CaseFactory()
    response = agent_console.get(CHANGELIST, {"q": term})
    assert [c.pk for c in response.context["cl"].result_list] == [wanted.pk]


@pytest.mark.parametrize(
    ("term", "part"),
    [
        ("BK0047843", "47843"),  # letters and leading zeros are in every id
        ("A25238A0A1-BK00499999", "499999"),  # the longest run of digits
        ("BK-000301", "301"),
        ("000301", "301"),
        ("BK-00001", "BK-00001"),  # what is left is too short to look up alone
        ("Meera", "Meera"),
    ],
)
def test_a_booking_id_is_looked_up_by_its_distinctive_digits(term, part):
    assert distinctive_part(term) == part


def test_a_booking_id_search_checks_the_whole_term_on_what_the_digits_found(agent_console):
    wanted = CaseFactory(booking=BookingFactory(external_id="BK-000301"))
    CaseFactory(booking=BookingFactory(external_id="XY-000301"))  # same digits
    CaseFactory(booking=BookingFactory(external_id="BK-000302"))
    for term in ("BK-000301", "bk-000301", "K-000301"):
        response = agent_console.get(CHANGELIST, {"q": term})
        assert [c.pk for c in response.context["cl"].result_list] == [wanted.pk], term
    response = agent_console.get(CHANGELIST, {"q": "000301"})
    assert len(response.context["cl"].result_list) == 2


def test_a_booking_id_search_asks_nothing_of_names_or_phones(agent_console):
    customer = CustomerFactory(name="BK0047843 Trading")  # only to prove no name is read
    CaseFactory(customer=customer)
    with CaptureQueriesContext(connection) as queries:
        response = agent_console.get(CHANGELIST, {"q": "BK0047843"})
    assert list(response.context["cl"].result_list) == []
    searched = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in searched if '"cases_customer"' in sql.split("WHERE")[0]]
    assert not [sql for sql in searched if 'FROM "partners_partner"' in sql]
    assert [sql for sql in searched if 'FROM "cases_booking"' in sql]


def test_search_by_an_egyptian_number_in_national_form(agent_console):
    customer = CustomerFactory(phone="+201012345678")
    wanted = CaseFactory(customer=customer)
    response = agent_console.get(CHANGELIST, {"q": "010 1234 5678"})
    assert [c.pk for c in response.context["cl"].result_list] == [wanted.pk]


def test_a_two_letter_fragment_is_not_a_search(agent_console):
    CaseFactory(booking=BookingFactory(external_id="BK-PARTIAL-1"))
    response = agent_console.get(CHANGELIST, {"q": "BK"})
    assert list(response.context["cl"].result_list) == []


def test_queue_rows_carry_an_sla_badge(agent_console):
    now = timezone.now()
    CaseFactory(next_deadline_at=now + timedelta(minutes=30))
    CaseFactory(next_deadline_at=now + timedelta(hours=6))
    CaseFactory(resolution_breached_at=now - timedelta(minutes=5))
    CaseFactory(paused_since=now - timedelta(minutes=5), next_deadline_at=None)
    html = agent_console.get(CHANGELIST).content.decode()
    assert 'cw-badge cw-warn" title="Next deadline' in html and "29m left" in html
    assert 'cw-badge cw-ok" title="Next deadline' in html and "5h 59m left" in html
    assert 'cw-badge cw-danger" title="SLA breached">Breached' in html
    assert 'cw-badge cw-paused" title="Clock paused">Paused' in html
    assert "icon-yes.svg" not in html  # no check mark for "overdue"


def test_overdue_filter_lists_open_cases_past_due(agent_console):
    past = timezone.now() - timedelta(hours=1)
    overdue = CaseFactory(due_at=past)
    CaseFactory(due_at=timezone.now() + timedelta(hours=5))
    case_in("resolved", due_at=past)
    response = agent_console.get(CHANGELIST, {"due": "overdue"})
    assert [c.pk for c in response.context["cl"].result_list] == [overdue.pk]
    html = response.content.decode()
    assert "Promise passed" in html and "promised to the customer" in html.lower()


def test_assigned_to_me_filter(agent_console, agent):
    mine = CaseFactory(assignee=agent)
    CaseFactory()
    response = agent_console.get(CHANGELIST, {"assignee": "me"})
    assert [c.pk for c in response.context["cl"].result_list] == [mine.pk]


def test_status_and_team_filters(agent_console):
    wanted = case_in("open", team="escalations")
    case_in("open")
    CaseFactory(team="escalations")
    response = agent_console.get(
        CHANGELIST, {"status__exact": "open", "team__exact": "escalations"}
    )
    assert [c.pk for c in response.context["cl"].result_list] == [wanted.pk]


def _csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_selected_cases_to_csv(finance_console, agent):
    case = CaseFactory(
        booking=BookingFactory(external_id="BK-CSV-1"), assignee=agent, subject="=HYPERLINK()"
    )
    CaseFactory()  # not selected
    response = finance_console.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [case.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == str(case.pk)
    assert row["booking"] == "BK-CSV-1"
    assert row["assignee"] == agent.username
    assert row["status"] == "new"
    assert row["customer_phone"] == case.customer.phone  # a phone is kept as it is
    assert row["subject"] == "'=HYPERLINK()"  # a formula is defused


def test_export_streams_with_a_fixed_number_of_queries(finance_console):
    ids = [CaseFactory().pk for _ in range(10)]
    response = finance_console.post(CHANGELIST, {"action": "export_csv", "_selected_action": ids})
    with CaptureQueriesContext(connection) as ctx:
        rows = _csv_rows(response)
    assert len(rows) == 10
    assert len(ctx.captured_queries) <= 3  # one select_related query (plus cursor bookkeeping)


def test_bulk_open_asks_for_confirmation_first(agent_console):
    cases = [CaseFactory(subject="First"), CaseFactory(subject="Second")]
    response = agent_console.post(
        CHANGELIST, {"action": "open_selected", "_selected_action": [c.pk for c in cases]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open the selected cases" in html
    assert f"#{cases[0].pk} First (New)" in html and f"#{cases[1].pk} Second (New)" in html
    assert all(Case.objects.get(pk=c.pk).status == "new" for c in cases)  # nothing yet
    assert not CaseEvent.objects.filter(case__in=cases).exists()


def test_bulk_open_reports_what_succeeded_and_what_failed(agent_console, agent):
    fresh = [CaseFactory(), CaseFactory()]
    already_open = case_in("open")
    response = agent_console.post(
        CHANGELIST,
        {
            "action": "open_selected",
            "_selected_action": [c.pk for c in [*fresh, already_open]],
            "apply": "1",
            "reason": "Morning pick-up",
        },
        follow=True,
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Opened: 2 done." in texts
    failure = next(t for t in texts if t.startswith("Not done"))
    assert f"#{already_open.pk}" in failure
    for case in fresh:
        assert Case.objects.get(pk=case.pk).status == "open"
        event = CaseEvent.objects.get(case=case, type=EventType.TRANSITION)
        assert (event.reason, event.actor) == ("Morning pick-up", agent)
    assert not CaseEvent.objects.filter(case=already_open).exists()


def test_finance_has_export_but_not_bulk_open(finance_console):
    CaseFactory()
    response = finance_console.get(CHANGELIST)
    choices = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "export_csv" in choices
    assert "open_selected" not in choices


def test_bulk_open_by_finance_is_refused(finance_console):
    case = CaseFactory()
    finance_console.post(
        CHANGELIST, {"action": "open_selected", "_selected_action": [case.pk], "apply": "1"}
    )
    assert Case.objects.get(pk=case.pk).status == "new"


def test_export_selected_bookings_to_csv(finance_console):
    booking = BookingFactory(external_id="BK-EXPORT-1")
    BookingFactory()
    response = finance_console.post(
        reverse("admin:cases_booking_changelist"),
        {"action": "export_csv", "_selected_action": [booking.pk]},
    )
    rows = _csv_rows(response)
    assert [r["external_id"] for r in rows] == ["BK-EXPORT-1"]
    assert rows[0]["customer_phone"] == booking.customer.phone
    assert rows[0]["invoice_amount"] == "799.00"
    assert rows[0]["partner"] == booking.partner.external_id


def test_unassigned_worker_appears_in_the_assignee_filter(agent_console):
    UserFactory(username="agent-zed", role="agent")
    response = agent_console.get(CHANGELIST)
    assert "agent-zed" in response.content.decode()
