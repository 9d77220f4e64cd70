"""Saved views: a user keeps a list's filters under a name, finds it on the home page,
replaces it by saving the same name, removes it after a confirmation; views are per user."""

import pytest
from django.urls import reverse

from console.models import SavedView
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db
CASES = reverse("admin:cases_case_changelist")
SAVE = reverse("console-save-view")


def save(console, name, query, path=CASES):
    return console.post(SAVE, {"name": name, "path": path, "query": query})


def test_a_saved_view_reopens_the_same_filtered_list_from_home(agent, agent_console):
    CaseFactory(assignee=agent, team="customer_care")
    CaseFactory(team="partner_support")
    page = agent_console.get(CASES, {"assignee": "me"})
    assert 'id="save-view"' in page.content.decode()

    response = save(agent_console, "  my   open ", "assignee=me&p=2")

    view = SavedView.objects.get(owner=agent)
    assert view.name == "my open" and view.query == "assignee=me"  # paging is not a view
    assert response.status_code == 302 and response["Location"] == f"{CASES}?assignee=me"
    home = agent_console.get(reverse("admin:index")).content.decode()
    assert f'href="{CASES}?assignee=me"' in home and "my open" in home


def test_saving_the_same_name_replaces_the_view(agent, agent_console):
    save(agent_console, "queue", "sla=breached")
    save(agent_console, "queue", "sla=next_hour")
    assert list(SavedView.objects.filter(owner=agent).values_list("query", flat=True)) == [
        "sla=next_hour"
    ]


@pytest.mark.parametrize(
    ("name", "path"),
    [("", CASES), ("x" * 81, CASES), ("home", "/admin/"), ("evil", "https://example.com/")],
)
def test_a_bad_name_or_a_page_that_is_not_a_list_is_refused(agent_console, name, path):
    response = save(agent_console, name, "", path=path)
    assert response.status_code == 302
    assert not SavedView.objects.exists()
    assert not response["Location"].startswith("https://")


def test_views_are_per_user_and_removed_only_after_confirmation(agent, agent_console):
    mine = SavedView.objects.create(owner=agent, name="mine", path=CASES, query="work=all")
    theirs = SavedView.objects.create(
        owner=UserFactory(username="someone-else", role="agent"), name="theirs", path=CASES
    )
    home = agent_console.get(reverse("admin:index")).content.decode()
    assert "mine" in home and "theirs" not in home

    remove = reverse("console-remove-view", args=[mine.pk])
    assert agent_console.get(remove).status_code == 200  # the confirmation
    assert SavedView.objects.filter(pk=mine.pk).exists()
    agent_console.post(remove)
    assert not SavedView.objects.filter(pk=mine.pk).exists()

    other = reverse("console-remove-view", args=[theirs.pk])
    assert agent_console.post(other).status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()


def test_saving_needs_a_login():
    from django.test import Client

    response = Client().post(SAVE, {"name": "x", "path": CASES, "query": ""})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
