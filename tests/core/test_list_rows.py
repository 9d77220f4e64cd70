"""core.admin.rows writes a console list's rows in Python: every console list, filled with
the demo world, must read exactly as the theme's own rendering of it (and the cases the
rows do not apply to must keep the theme's)."""

import re
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from core.admin import rows
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
    user = User.objects.create_superuser("rows-boss", "boss@casework.example", "x")
    client = Client()
    client.force_login(user)
    return client


def _table(html: str) -> str:
    found = re.search(r'<table id="result_list".*?</table>', html, re.S)
    table = found.group(0) if found else ""
    table = re.sub(r"\s+", " ", table)
    return re.sub(r"\s*([<>])\s*", r"\1", table)


def _lists() -> list[str]:
    names = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ConsoleAdmin):
            continue
        try:
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        names.append(f"{model._meta.app_label}.{model._meta.model_name}")
    return sorted(names)


LISTS = _lists()


def test_there_are_lists_to_compare():
    assert {"cases.case", "cases.task", "payouts.partneratfault", "payouts.refund"} <= set(LISTS)


@pytest.mark.parametrize("name", LISTS)
def test_every_console_list_reads_as_the_themes_rendering(boss, monkeypatch, name):
    app, model = name.split(".")
    query = "?all=&work=all" if name == "cases.case" else "?all="
    url = reverse(f"admin:{app}_{model}_changelist") + query
    ours = boss.get(url)
    assert ours.status_code == 200, name
    used = ours.context.get("rows_html")
    monkeypatch.setattr(rows, "can_render", lambda cl, context: False)
    theirs = boss.get(url)
    assert _table(ours.content.decode()) == _table(theirs.content.decode()), name
    if used:  # a list with rows was written by us, and the rows are there
        assert 'class="data-row' in used


WRITTEN_BY_US = [
    "cases.booking",
    "cases.case",
    "cases.customer",
    "cases.task",
    "partners.partner",
    "payouts.partneratfault",
    "payouts.payoutrun",
    "payouts.penalty",
    "payouts.refund",
    "payouts.reversalrequest",
]


@pytest.mark.parametrize("name", WRITTEN_BY_US)
def test_the_lists_worked_all_day_are_written_by_our_rows(boss, name):
    app, model = name.split(".")
    query = "?work=all" if name == "cases.case" else ""
    response = boss.get(reverse(f"admin:{app}_{model}_changelist") + query)
    assert response.context["rows_html"] is not None, name
    assert response.context["rows_html"].count('class="data-row') >= 1


def test_the_case_queue_with_rows_is_written_by_our_rows(boss):
    response = boss.get(reverse("admin:cases_case_changelist") + "?work=all")
    html = response.context["rows_html"]
    assert html is not None and html.count("<tbody") >= 10
    assert "_changelist_filters=work%3Dall" in html  # the row links keep the list's filters


def test_a_list_in_a_popup_keeps_the_themes_rendering(boss):
    response = boss.get(reverse("admin:cases_case_changelist") + "?work=all&_popup=1")
    assert response.status_code == 200
    assert response.context["rows_html"] is None
