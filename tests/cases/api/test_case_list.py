"""The case queue: every filter, overdue, cursor pages, constant query count, index use."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.api.filters import CaseFilter
from cases.selectors import case_list
from partners.models import City
from tests.factories import BookingFactory, CaseFactory, city, tag_for
from tests.helpers import case_in, client_for

pytestmark = pytest.mark.django_db


def ids(client, query=""):
    response = client.get(f"/api/v1/cases/?{query}")
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_list_rows_are_flat_with_display_names(agent_client, agent):
    case = CaseFactory(assignee=agent)
    row = agent_client.get("/api/v1/cases/").json()["results"][0]
    assert row["id"] == case.pk
    assert row["city_name"] == case.city.name
    assert row["assignee_username"] == "agent-1"
    assert row["partner_name"] == case.partner.name
    assert row["booking_external_id"] == case.booking.external_id
    assert "events" not in row and "description" not in row


@pytest.mark.parametrize(
    "field, value, other",
    [
        ("kind", "refund_status", "status_check"),
        ("priority", "urgent", "low"),
        ("team", "finance", "customer_care"),
    ],
)
def test_filter_on_a_choice_field(agent_client, field, value, other):
    wanted = CaseFactory(**{field: value})
    CaseFactory(**{field: other})
    assert ids(agent_client, f"{field}={value}") == [wanted.pk]


def test_filter_on_status(agent_client):
    wanted = case_in("open")
    case_in("new")
    assert ids(agent_client, "status=open") == [wanted.pk]


def test_an_invalid_filter_value_is_a_400_naming_the_filter(agent_client):
    response = agent_client.get("/api/v1/cases/?status=lost&created_after=yesterday")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "created_after"}


def test_filter_on_assignee_by_id_me_and_none(agent_client, agent, agent2):
    mine = CaseFactory(assignee=agent)
    theirs = CaseFactory(assignee=agent2)
    nobodys = CaseFactory(assignee=None)
    assert ids(agent_client, f"assignee={agent2.pk}") == [theirs.pk]
    assert ids(agent_client, "assignee=me") == [mine.pk]
    assert ids(agent_client, "assignee=none") == [nobodys.pk]


def test_filter_on_city_by_id_or_name(agent_client):
    mumbai = city("Mumbai")
    wanted = CaseFactory(booking=None, city=mumbai)
    CaseFactory(booking=None, city=city("Delhi"))
    assert ids(agent_client, f"city={mumbai.pk}") == [wanted.pk]
    assert ids(agent_client, "city=Mumbai") == [wanted.pk]
    assert ids(agent_client, "city=mumbai") == [wanted.pk]
    assert ids(agent_client, "city=Atlantis") == []


@pytest.mark.parametrize("link", ["partner", "booking", "customer"])
def test_filter_on_a_linked_record_by_id_or_external_id(agent_client, link):
    wanted = CaseFactory()
    CaseFactory()
    linked = getattr(wanted, link)
    assert ids(agent_client, f"{link}={linked.pk}") == [wanted.pk]
    assert ids(agent_client, f"{link}={linked.external_id}") == [wanted.pk]


def test_filter_on_created_after_and_before(agent_client):
    now = timezone.now()
    old = CaseFactory(created_at=now - timedelta(days=10))
    recent = CaseFactory(created_at=now - timedelta(hours=1))
    since = (now - timedelta(days=1)).isoformat().replace("+", "%2B")
    assert ids(agent_client, f"created_after={since}") == [recent.pk]
    assert ids(agent_client, f"created_before={since}") == [old.pk]


def test_overdue_means_past_due_and_still_open(agent_client):
    past = timezone.now() - timedelta(hours=1)
    overdue = CaseFactory(due_at=past)
    case_in("resolved", due_at=past)  # past due but done: not overdue
    CaseFactory(due_at=timezone.now() + timedelta(hours=1))
    no_due = CaseFactory(due_at=None)

    assert ids(agent_client, "overdue=true") == [overdue.pk]
    assert overdue.pk not in ids(agent_client, "overdue=false")
    assert no_due.pk in ids(agent_client, "overdue=false")
    row = agent_client.get(f"/api/v1/cases/{overdue.pk}/").json()
    assert row["is_overdue"] is True


def test_cursor_pagination_walks_every_case_newest_first(agent_client):
    created = [CaseFactory().pk for _ in range(5)]

    first = agent_client.get("/api/v1/cases/?page_size=2").json()
    assert "count" not in first and first["previous"] is None
    assert "cursor=" in first["next"]
    seen = [row["id"] for row in first["results"]]
    page = first
    while page["next"]:
        page = agent_client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]

    assert seen == sorted(created, reverse=True)


def test_list_query_count_does_not_grow_with_the_page(agent, django_assert_max_num_queries):
    client = client_for(agent)  # token auth: a fresh user per request, nothing cached
    partner_booking = BookingFactory()
    CaseFactory.create_batch(30, booking=partner_booking, assignee=agent)

    counts = []
    for size in (5, 30):
        with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/cases/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_status_and_city_filter_walks_the_status_city_index(agent):
    """With a realistic spread (most cases closed, a dozen cities) and enough rows for the
    planner to care, status=open&city=<id> reads case_status_city_id and needs no sort for
    the -id cursor order."""
    city_ids = list(City.objects.values_list("pk", flat=True))
    delhi = city("Delhi")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_case (kind, channel, reporter, subject, description, city_id,
                                    team, priority, status, disposition_id,
                                    created_at, updated_at)
            SELECT 'status_check', 'inbound_call', 'customer', 'bulk', '',
                   (%(cities)s::bigint[])[1 + n %% cardinality(%(cities)s::bigint[])],
                   'customer_care', 'low',
                   CASE n %% 20 WHEN 0 THEN 'open' WHEN 1 THEN 'new' WHEN 2 THEN 'pending'
                        ELSE 'closed' END,
                   CASE WHEN n %% 20 > 2 THEN %(tag)s END,
                   now(), now()
            FROM generate_series(1, 60000) AS n
            """,
            {"cities": city_ids, "tag": tag_for("status_check").pk},
        )
        cursor.execute("ANALYZE cases_case")
    filtered = CaseFilter(
        {"status": "open", "city": str(delhi.pk)}, queryset=case_list(user=agent)
    ).qs

    plan = filtered[:26].explain()

    assert "case_status_city_id" in plan, plan
    assert "Sort" not in plan, plan


def test_list_is_empty_not_an_error_when_nothing_matches(agent_client):
    CaseFactory()
    assert ids(agent_client, "status=closed") == []


def test_a_numeric_external_id_filter_matches_the_external_id_first(agent_client):
    target = CaseFactory()
    decoy = CaseFactory()
    # The target's partner carries, as its external id, the decoy partner's database id.
    target.partner.external_id = str(decoy.partner_id)
    target.partner.save()
    assert ids(agent_client, f"partner={decoy.partner_id}") == [target.pk]


def test_fast_list_rendering_matches_drf_field_by_field(agent_client):
    """The queue renders rows directly; it must stay identical to the declared fields."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.api.serializers import CaseListSerializer
    from cases.selectors import case_list
    from tests.factories import CaseFactory, UserFactory
    from tests.helpers import case_in

    assigned = CaseFactory(
        assignee=UserFactory(username="assignee-x", role="agent"),
        due_at=timezone.now() - timedelta(hours=1),
    )
    bare = CaseFactory(booking=None, partner=None, customer=None)
    parked = case_in("parked")
    rows = case_list(user=agent_client.handler._force_user).filter(
        pk__in=[assigned.pk, bare.pk, parked.pk]
    )
    serializer = CaseListSerializer()
    for case in rows:
        assert serializer.to_representation(case) == serializer.field_by_field(case)
    assert set(CaseListSerializer().fields) == set(serializer.to_representation(rows[0]))


def test_the_queue_read_as_rows_answers_what_drf_renders_field_by_field(agent_client):
    """The list endpoint reads rows with values() (no model instances); through the URL
    stack its JSON must be exactly the serializer's declared fields for the same cases."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.api.serializers import CaseListSerializer
    from cases.selectors import case_list
    from tests.factories import CaseFactory, UserFactory
    from tests.helpers import case_in

    made = [
        CaseFactory(
            assignee=UserFactory(username="assignee-y", role="agent"),
            due_at=timezone.now() - timedelta(hours=1),
            first_response_breached_at=timezone.now(),
        ),
        CaseFactory(booking=None, partner=None, customer=None),
        case_in("parked"),
    ]
    response = agent_client.get("/api/v1/cases/", {"page_size": 50})
    assert response.status_code == 200
    answered = {row["id"]: row for row in response.json()["results"]}
    serializer = CaseListSerializer()
    expected = case_list(user=agent_client.handler._force_user).filter(pk__in=[c.pk for c in made])
    assert len(expected) == 3
    for case in expected:
        assert answered[case.pk] == serializer.field_by_field(case)
    assert answered[made[0].pk]["is_overdue"] is True
    assert answered[made[0].pk]["sla"]["breached"] is True
    assert answered[made[1].pk]["booking_external_id"] is None
