"""core.admin.filter_panel writes a console list's filters in Python: every filter of every
console list, filled with the demo world, must read exactly as the theme's own rendering of
it, with nothing chosen and with choices made (and the filters it does not write must keep
the theme's)."""

import re
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from core.admin import filter_panel
from core.admin.base import ConsoleAdmin


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo world once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", "--history-days", "0", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def boss(demo, db):
    user = User.objects.create_superuser("filters-boss", "boss@casework.example", "x")
    client = Client()
    client.force_login(user)
    return client


def _normal(html: str) -> str:
    html = re.sub(r"\s+", " ", str(html)).strip()
    return re.sub(r"\s*([<>])\s*", r"\1", html)


def _lists() -> list[str]:
    names = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ConsoleAdmin) or not model_admin.list_filter:
            continue
        try:
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        names.append(f"{model._meta.app_label}.{model._meta.model_name}")
    return sorted(names)


LISTS = _lists()

# Choices made, so that selected links, hidden inputs and chosen options are compared too.
CHOSEN = {
    "cases.case": "?work=all&status__exact=open&priority__exact=high&assignee=me"
    "&kind=revisit_payment&created_at__gte=2026-01-01+00%3A00%3A00%2B00%3A00&due=overdue",
    "cases.dispositiontag": "?is_selectable__exact=1",
    "partners.partner": "?is_active__exact=1",
}


def _compare(client, url: str) -> tuple[int, int]:
    """(filters compared, filters written by us) on the list at url."""
    response = client.get(url)
    assert response.status_code == 200, url
    cl = response.context["cl"]
    ours_count = 0
    for spec in cl.filter_specs:
        filter_panel.enabled = True
        ours = filter_panel.render_filter(cl, spec)
        filter_panel.enabled = False
        try:
            theirs = admin_list.admin_list_filter(cl, spec)
            assert filter_panel.render_filter(cl, spec) == theirs
        finally:
            filter_panel.enabled = True
        assert _normal(ours) == _normal(theirs), (url, type(spec).__name__)
        ours_count += spec.template in (filter_panel.LINKS, filter_panel.FIELDS)
    return len(cl.filter_specs), ours_count


def test_there_are_lists_with_filters_to_compare():
    assert {"cases.case", "cases.task", "payouts.partneratfault", "partners.partner"} <= set(LISTS)


@pytest.mark.parametrize("name", LISTS)
def test_every_console_filter_reads_as_the_themes_rendering(boss, name):
    app, model = name.split(".")
    url = reverse(f"admin:{app}_{model}_changelist")
    compared, written = _compare(boss, url + ("?work=all" if name == "cases.case" else ""))
    assert compared >= 1
    if name in CHOSEN:
        _compare(boss, url + CHOSEN[name])


def test_the_case_queue_filters_are_written_by_us_with_choices_made(boss):
    url = reverse("admin:cases_case_changelist") + CHOSEN["cases.case"]
    compared, written = _compare(boss, url)
    assert compared >= 10 and written == compared
    html = boss.get(url).content.decode()
    # the chosen status is the highlighted link, and its value rides along as a hidden input
    assert '<input type="hidden" name="status__exact" value="open" />' in html
    assert re.search(r'font-semibold text-primary-600[^"]*"><a href="[^"]*"\s+title="Open"', html)


def test_a_yes_no_filter_is_a_row_of_links(boss):
    response = boss.get(reverse("admin:partners_partner_changelist"))
    cl = response.context["cl"]
    boolean = [s for s in cl.filter_specs if type(s).__name__ == "BooleanFieldListFilter"]
    assert boolean
    html = filter_panel.render_filter(cl, boolean[0])
    assert 'class="basis-1/3 border-r' in html and "rounded-default shadow-xs" in html


def test_a_filter_with_a_template_of_its_own_keeps_the_themes(boss, monkeypatch):
    response = boss.get(reverse("admin:cases_case_changelist"))
    cl = response.context["cl"]
    spec = cl.filter_specs[0]
    monkeypatch.setattr(spec, "template", "admin/filter.html", raising=False)
    assert filter_panel.render_filter(cl, spec) == _ours_with(cl, spec)
    monkeypatch.setattr(spec, "template", "unfold/filters/filters_numeric_single.html")
    calls = []
    monkeypatch.setattr(
        admin_list, "admin_list_filter", lambda cl, spec: calls.append(spec) or "theirs"
    )
    assert filter_panel.render_filter(cl, spec) == "theirs" and calls == [spec]


def _ours_with(cl, spec):
    return filter_panel._links(spec, list(spec.choices(cl)))


def test_admin_list_is_the_only_tag_library_name_given_twice():
    from django.template import engines

    shared = engines["django"]._check_for_template_tags_with_the_same_name()
    assert [w.id for w in shared] == ["templates.W003"]
    assert "'admin_list' is used for multiple" in shared[0].msg
