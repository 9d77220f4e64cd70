"""The sidebar menu is rendered once per distinct menu and reused: what it shows (the role's
items, the active one) is the cache key, so it is never stale; the user's own part and the
CSRF token are rendered for each request."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def menu(html: str) -> dict[str, bool]:
    """Menu titles shown, each with whether it is the active one."""
    apps = html[html.index('id="nav-sidebar-apps"') :]
    items = re.findall(r'<a href="[^"]+" class="([^"]*)">.*?<span>([^<]+)</span>', apps, re.S)
    return {title.strip(): "active" in classes.split() for classes, title in items}


def test_the_active_item_follows_the_page(agent_console):
    cases = menu(agent_console.get(reverse("admin:cases_case_changelist")).content.decode())
    tasks = menu(agent_console.get(reverse("admin:cases_task_changelist")).content.decode())
    assert cases["Cases"] and not cases["Tasks"]
    assert tasks["Tasks"] and not tasks["Cases"]


def test_a_new_role_shows_its_menu_at_once(agent):
    console = logged_in(agent)
    before = menu(console.get(reverse("admin:index")).content.decode())
    assert "Payout runs" not in before
    agent.groups.add(Group.objects.get(name="finance"))
    after = menu(console.get(reverse("admin:index")).content.decode())
    assert "Payout runs" in after and "Cases" in after


def test_two_people_with_the_same_menu_each_see_their_own_name_and_token():
    first = logged_in(UserFactory(username="menu-asha", role="agent"))
    second = logged_in(UserFactory(username="menu-ravi", role="agent"))
    one = first.get(reverse("admin:index")).content.decode()
    two = second.get(reverse("admin:index")).content.decode()
    assert menu(one) == menu(two)  # the same cached menu
    assert "menu-asha" in one and "menu-asha" not in two and "menu-ravi" in two
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.findall(one) and set(token.findall(one)).isdisjoint(token.findall(two))
