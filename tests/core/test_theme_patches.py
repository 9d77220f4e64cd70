"""core.admin.theme replaces what the theme costs on every list page. These tests fail if a
theme upgrade moves what is wrapped, or if the list stops rendering the same."""

import pytest
from unfold.templatetags import unfold_list

from core.admin.theme import headers_once

pytestmark = pytest.mark.django_db


def test_the_list_headers_are_built_once_per_list_and_read_by_every_row():
    assert getattr(unfold_list.result_headers, "casework_wrapped", False)
    calls = []

    def build(cl):
        calls.append(cl)
        yield {"text": "id"}
        yield {"text": "status"}

    once = headers_once(build)
    cl, other = object.__new__(type("CL", (), {})), object.__new__(type("CL", (), {}))
    assert [h["text"] for h in once(cl)] == ["id", "status"]
    assert [h["text"] for h in once(cl)] == ["id", "status"]  # a second row: same headers
    assert [h["text"] for h in once(other)] == ["id", "status"]
    assert calls == [cl, other]


def test_the_case_queue_renders_the_same_as_with_the_themes_own_headers(agent_console, monkeypatch):
    import re

    from django.urls import reverse

    from tests.factories import CaseFactory

    CaseFactory.create_batch(3)
    url = reverse("admin:cases_case_changelist")

    def page() -> str:
        html = agent_console.get(url).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    ours = page()
    monkeypatch.setattr(unfold_list, "result_headers", unfold_list.result_headers.__wrapped__)
    assert page() == ours
    assert ours.count("action-select") >= 3


def _tags(html: str) -> str:
    import re

    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["", "me", "7", "<b>"])
def test_the_fast_dropdown_writes_what_the_themes_template_writes(value):
    from unfold.contrib.filters.forms import DropdownForm

    from core.admin.theme import fast_select

    widget = DropdownForm.widget
    assert getattr(widget, "casework_fast", False)
    themed = type(widget).__mro__[1](attrs=dict(widget.attrs))
    themed.attrs = dict(widget.attrs)
    choices = [("", "All"), ("me", "Assigned to me"), ("7", "Ayesha <A&B>"), ("<b>", 'q"x')]
    themed.choices = widget.choices = choices
    ours = widget.render("assignee", value)
    assert _tags(ours) == _tags(themed.render("assignee", value))
    assert ours.count("<option") == 4 and "&lt;A&amp;B&gt;" in ours
    grouped = fast_select(type(themed))()
    grouped.choices = [("Group <1>", [("a", "A")]), ("b", "B")]
    plain = type(themed)()
    plain.choices = grouped.choices
    assert _tags(grouped.render("g", "a")) == _tags(plain.render("g", "a"))


def test_the_app_list_is_built_only_when_a_page_reads_it(agent_console):
    from django.contrib.admin.sites import AdminSite
    from django.urls import reverse

    from core.admin.theme import lazy_app_list

    assert getattr(AdminSite.get_app_list, "casework_wrapped", False)
    calls = []

    def build(site, request, app_label=None):
        calls.append(app_label)
        return [{"app_label": app_label or "cases", "models": []}]

    lazy = lazy_app_list(build)(object(), "request")
    assert calls == []  # a page that never reads it never builds it
    assert [app["app_label"] for app in lazy] == ["cases"]
    assert len(lazy) == 1 and lazy[0]["models"] == []
    assert calls == [None]  # built once, when read
    # The pages that read it still list what the role may see.
    page = agent_console.get(reverse("admin:app_list", args=["cases"]))
    assert page.status_code == 200
    assert reverse("admin:cases_case_changelist") in page.content.decode()


@pytest.mark.parametrize("role", ["agent", "partner support", "finance", "supervisor"])
@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/cases/case/", "/admin/cases/case/7/change/", "/admin/nowhere/"]
)
def test_the_menu_kept_per_roles_is_the_themes_menu_for_each_page(role, path):
    from django.contrib import admin
    from django.contrib.auth.models import Group
    from django.test import RequestFactory
    from unfold.sites import UnfoldAdminSite

    from tests.factories import UserFactory

    kept = UnfoldAdminSite.get_sidebar_list
    assert getattr(kept, "casework_wrapped", False)
    user = UserFactory(is_staff=True)
    user.groups.set([Group.objects.get(name=role)])
    request = RequestFactory().get(path)
    request.user = user
    kept.kept.clear()
    first = kept(admin.site, request)  # built by the theme, then kept
    again = kept(admin.site, request)  # from what was kept
    theirs = kept.__wrapped__(admin.site, request)
    assert first == again == theirs
    assert first.cache_key == again.cache_key
    assert any(item["title"] for group in theirs for item in group["items"])
    active = [i["title"] for g in again for i in g["items"] if i["active"]]
    assert active == [i["title"] for g in theirs for i in g["items"] if i["active"]]


def test_the_menus_cache_key_changes_with_the_active_item_and_the_roles():
    from django.contrib import admin
    from django.contrib.auth.models import Group
    from django.test import RequestFactory
    from unfold.sites import UnfoldAdminSite

    from tests.factories import UserFactory

    kept = UnfoldAdminSite.get_sidebar_list

    def key(role: str, path: str) -> str:
        user = UserFactory(is_staff=True)
        user.groups.set([Group.objects.get(name=role)])
        request = RequestFactory().get(path)
        request.user = user
        return kept(admin.site, request).cache_key

    assert key("agent", "/admin/cases/case/") == key("agent", "/admin/cases/case/3/change/")
    assert key("agent", "/admin/cases/case/") != key("agent", "/admin/cases/task/")
    assert key("agent", "/admin/cases/case/") != key("finance", "/admin/cases/case/")
