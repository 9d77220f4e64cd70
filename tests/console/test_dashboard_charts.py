"""The dashboard's charts: complete options of our own (the theme replaces its defaults with
them rather than merging), counts on whole-number axes from zero, a legend where there is
more than one series, and percentages capped at 100."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from console import dashboard
from tests.factories import CaseFactory
from tests.helpers import case_in

pytestmark = pytest.mark.django_db

COUNTS = ("backlog", "kinds", "pafs", "reversals")
MONEY = ("refunds", "payouts")


@pytest.fixture
def charts():
    cache.delete("console:dashboard")
    CaseFactory(team="customer_care")
    CaseFactory(team="partner_support", kind="revisit_payment")
    case_in("waiting_on_customer")
    yield dashboard.dashboard()
    cache.delete("console:dashboard")


def options(chart: dict) -> dict:
    return json.loads(chart["options"])


@pytest.mark.parametrize("name", COUNTS + MONEY + ("sla",))
def test_every_chart_carries_complete_options(charts, name):
    chosen = options(charts[name])
    assert chosen["responsive"] is True and chosen["maintainAspectRatio"] is False
    assert chosen["scales"]["y"]["beginAtZero"] is True
    assert chosen["datasets"]["bar"]["maxBarThickness"] > 4


@pytest.mark.parametrize("name", COUNTS)
def test_counts_are_drawn_on_whole_numbers(charts, name):
    assert options(charts[name])["scales"]["y"]["ticks"] == {"precision": 0}


@pytest.mark.parametrize("name", MONEY)
def test_money_keeps_its_decimals(charts, name):
    assert "ticks" not in options(charts[name])["scales"]["y"]


def test_the_backlog_is_stacked_with_a_legend_of_its_statuses(charts):
    backlog = charts["backlog"]
    data = json.loads(backlog["data"])
    assert len(data["datasets"]) == 2  # new and waiting on customer
    chosen = options(backlog)
    assert chosen["scales"]["x"]["stacked"] and chosen["scales"]["y"]["stacked"]
    assert chosen["plugins"]["legend"]["display"] is True


def test_one_series_needs_no_legend_and_sla_stops_at_100(charts):
    assert options(charts["kinds"])["plugins"]["legend"]["display"] is False
    assert options(charts["sla"])["scales"]["y"]["max"] == 100


def test_the_page_hands_every_chart_its_options(supervisor_console, charts):
    html = supervisor_console.get(reverse("console-dashboard")).content.decode()
    assert html.count('<canvas class="chart"') == 7
    assert html.count("data-options=") == 7
