"""Customer search (console list and API ?q=): any part of a name, a phone number as typed in
local or international form, 4+ of its digits, the exact id. Names and numbers are pinned."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.customer_search import customer_matches, e164_by_country
from cases.models import Customer
from tests.factories import CustomerFactory
from tests.factories.partners import city

pytestmark = pytest.mark.django_db

URL = reverse("admin:cases_customer_changelist")


@pytest.fixture
def people():
    return {
        "hassan": CustomerFactory(
            external_id="CX-EG-1", name="Hassan Farouk", phone="+201270688253", city=city("Cairo")
        ),
        "mona": CustomerFactory(
            external_id="CX-EG-2", name="Mona Hassib", phone="+201001112223", city=city("Cairo")
        ),
        "anita": CustomerFactory(
            external_id="CX-IN-1", name="Anita Rao", phone="+919769018643", city=city("Delhi")
        ),
    }


def _found(term: str) -> set[str]:
    matches = customer_matches(term)
    if matches is None:
        return set()
    return set(Customer.objects.filter(matches).values_list("external_id", flat=True))


@pytest.mark.parametrize(
    "term, expected",
    [
        ("hass", {"CX-EG-1", "CX-EG-2"}),  # any part of a name, both Hassan and Hassib
        ("HASS", {"CX-EG-1", "CX-EG-2"}),  # case-insensitive
        ("Farouk", {"CX-EG-1"}),
        ("farouk", {"CX-EG-1"}),
        ("san Far", {"CX-EG-1"}),  # across the space
        ("01270688253", {"CX-EG-1"}),  # the Egyptian local form
        ("0127 068 8253", {"CX-EG-1"}),
        ("+20 127 068 8253", {"CX-EG-1"}),
        ("00201270688253", {"CX-EG-1"}),
        ("+201270688253", {"CX-EG-1"}),
        ("0688", {"CX-EG-1"}),  # a fragment of 4 digits
        ("9769018643", {"CX-IN-1"}),  # an Indian number without its country code
        ("09769018643", {"CX-IN-1"}),
        ("+91 97690 18643", {"CX-IN-1"}),
        ("CX-IN-1", {"CX-IN-1"}),  # the exact id
    ],
)
def test_search_finds_by_name_part_local_phone_and_fragment(people, term, expected):
    assert _found(term) == expected


@pytest.mark.parametrize("term", ["ha", "068", "0", "²²²²", "٠١٢٧٠٦٨٨٢٥٣", "zzzz", "   "])
def test_short_or_odd_terms_find_nothing_and_never_fail(people, term):
    assert _found(term) == set()


def test_a_local_number_is_read_in_the_country_of_the_customers_region(people):
    """ "01270688253" read as Indian is +911270688253: an Indian customer with that number is
    found, an Egyptian customer who (oddly) has it stored is not: her local form is Egypt's."""
    CustomerFactory(
        external_id="CX-IN-2", name="Ravi Iyer", phone="+911270688253", city=city("Delhi")
    )
    CustomerFactory(
        external_id="CX-EG-3", name="Odd Stored", phone="+911270688253", city=city("Cairo")
    )
    assert e164_by_country("01270688253", ["EG", "IN"]) == {
        "EG": "+201270688253",
        "IN": "+911270688253",
    }
    assert _found("01270688253") == {"CX-EG-1", "CX-IN-2"}


def test_a_whole_number_is_matched_exactly_not_as_a_fragment(people):
    """A valid local number is looked up by its E.164 forms: a longer stored number holding
    its digits is not found; digits that are no whole number search inside phones."""
    CustomerFactory(
        external_id="CX-EG-4", name="Long Number", phone="+2012706882539", city=city("Cairo")
    )
    assert _found("01270688253") == {"CX-EG-1"}
    assert _found("27068825") == {"CX-EG-1", "CX-EG-4"}  # not a whole number: a fragment


@pytest.mark.parametrize("term", ["hass", "01270688253", "0688"])
def test_console_search_lists_the_customer_in_a_fixed_number_of_queries(
    agent_console, people, term
):
    with CaptureQueriesContext(connection) as few:
        page = agent_console.get(URL, {"q": term})
    assert page.status_code == 200
    assert "Hassan Farouk" in page.content.decode()
    for i in range(10):
        CustomerFactory(name=f"Hassan Number{i}", phone=f"+2012706882{i:02d}", city=city("Cairo"))
    with CaptureQueriesContext(connection) as many:
        agent_console.get(URL, {"q": term})
    assert len(many) == len(few)


def test_console_search_help_says_what_it_finds(agent_console):
    page = agent_console.get(URL).content.decode()
    assert "Part of a name" in page and "01270688253" in page


def test_api_customer_search(agent_client, people):
    response = agent_client.get("/api/v1/customers/", {"q": "farouk"})
    assert response.status_code == 200
    assert [c["external_id"] for c in response.json()["results"]] == ["CX-EG-1"]
    response = agent_client.get("/api/v1/customers/", {"q": "01270688253"})
    assert [c["external_id"] for c in response.json()["results"]] == ["CX-EG-1"]
    response = agent_client.get("/api/v1/customers/", {"q": "²"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_the_phone_fragment_and_name_searches_have_trigram_indexes():
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_customer'")
        indexes = dict(cur.fetchall())
    assert "gin_trgm_ops" in indexes["customer_phone_trgm"]
    assert "gin_trgm_ops" in indexes["customer_name_trgm"]
