"""A partner's money pages (the MG plan and the ledger) answer each role as the role matrix
says: every role holding the page's own permission reads it, a role without it gets 403,
a partner login reads its own page and gets 404 on another's."""

import pytest
from rest_framework.test import APIClient

from core.access import may
from tests.factories import LedgerEntryFactory, PartnerFactory, UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PAGES = {
    "mg-plan": "payouts.view_mgplanexclusion",
    "ledger": "payouts.view_ledgerentry",
}


@pytest.fixture
def partner(db):
    partner = PartnerFactory(
        name="Page Owner Partner",
        programmes=["mg_plan"],
        user=UserFactory(username="page-owner", is_staff=False),
    )
    LedgerEntryFactory(partner=partner)
    return partner


# Written out, so that a matrix change shows here too: every case reader has the MG plan
# (view_mgplanexclusion), only the money roles the ledger.
EXPECTED = {
    ("mg-plan", "agent"): 200,
    ("mg-plan", "partner support"): 200,
    ("mg-plan", "finance"): 200,
    ("mg-plan", "supervisor"): 200,
    ("ledger", "agent"): 403,
    ("ledger", "partner support"): 403,
    ("ledger", "finance"): 200,
    ("ledger", "supervisor"): 200,
}


@pytest.mark.parametrize(("page", "role"), sorted(EXPECTED))
def test_each_role_reads_a_partner_page_exactly_when_the_matrix_grants_its_permission(
    partner, page, role
):
    user = UserFactory(username=f"reader-{role.replace(' ', '-')}", role=role)
    assert (EXPECTED[page, role] == 200) == may(user, PAGES[page])
    response = client_for(user).get(f"/api/v1/partners/{partner.pk}/{page}/")
    assert response.status_code == EXPECTED[page, role], response.json()
    if response.status_code == 200 and page == "mg-plan":
        assert response.json()["on_mg_plan"] is True


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_partner_login_reads_its_own_page_and_not_another_partners(partner, page):
    other = PartnerFactory(name="Another Page Partner", programmes=["mg_plan"])
    client = client_for(partner.user)
    assert client.get(f"/api/v1/partners/{partner.pk}/{page}/").status_code == 200
    refused = client.get(f"/api/v1/partners/{other.pk}/{page}/")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_strangers_are_refused_a_partner_page(partner, page):
    url = f"/api/v1/partners/{partner.pk}/{page}/"
    assert client_for(UserFactory(username="staff-no-role")).get(url).status_code == 403
    assert APIClient().get(url).status_code == 401


def test_a_page_of_no_partner_is_404_to_a_role_that_may_read_it(agent):
    assert client_for(agent).get("/api/v1/partners/999999/mg-plan/").status_code == 404
