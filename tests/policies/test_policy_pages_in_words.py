"""The policy pages in words: the active version's page shows every current number, each
parameter has a label and a source SOP in words, and a change table reads the same way."""

import re
from dataclasses import fields

import pytest
from django.urls import reverse
from django.utils.html import escape

from policies.admin_form import policy_version_form
from policies.models import PolicyStatus, PolicyVersion
from policies.parameters import PolicyParameters
from policies.words import LABELS, label_of, source_in_words, value_in_words
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def test_every_parameter_has_a_label_of_its_own():
    names = {f.name for f in fields(PolicyParameters)}
    assert set(LABELS) == names
    assert len(set(LABELS.values())) == len(LABELS)  # no two read alike


def test_sources_and_values_read_as_words():
    assert source_in_words("revisit-work.txt; l1-installation-maintenance.txt 1.3") == (
        "Revisit work SOP; L1 installation and maintenance SOP, section 1.3"
    )
    assert source_in_words("out-of-scope-cancellations.txt step 5 (number not in SOP)") == (
        "Out-of-scope cancellations SOP, step 5 (number not in SOP)"
    )
    assert value_in_words("0.60", rate=True) == "60%"
    assert value_in_words("0.125", rate=True) == "12.5%"
    assert value_in_words({"high": 60, "low": 480}) == "high: 60, low: 480"
    assert value_in_words(["Delhi", "Mumbai"]) == "Delhi, Mumbai"
    assert value_in_words("ROUND_HALF_UP") == "half up"
    assert label_of("something_new") == "Something new"


def test_no_help_text_names_a_file_and_no_label_is_a_code():
    form = policy_version_form()()
    for name, field in form.fields.items():
        if not name.startswith("p_"):
            continue
        assert ".txt" not in field.help_text, name
        assert "_" not in str(field.label), name
        assert "From: " in field.help_text


@pytest.fixture
def active_version():
    return PolicyVersion.objects.get(status=PolicyStatus.ACTIVE)


def test_the_active_versions_page_shows_its_numbers(supervisor, active_version):
    response = logged_in(supervisor).get(
        reverse("admin:policies_policyversion_change", args=[active_version.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    params = active_version.parameters
    assert "Revisit warranty (days after the job)" in html
    assert "Revisit penalty (share of the original invoice)" in html
    assert f"{int(float(params['revisit_penalty_rate']) * 100)}%" in html
    assert "P warranty days" not in html and "warranty_days" not in html
    # every parameter's row holds its value, never the admin's empty "-"
    rows = dict(
        re.findall(
            r'>([^<>]+)</label>\s*</div>\s*<div class="grow relative">\s*'
            r'<div class="readonly[^"]*">([^<]*)</div>',
            html,
        )
    )
    for f in fields(PolicyParameters):
        label = escape(label_of(f.name))
        assert label in rows, f.name
        shown = value_in_words(params.get(f.name), rate=bool(f.metadata["rate"]))
        assert rows[label] == escape(shown), f.name


def test_a_drafts_change_table_reads_in_words(supervisor, active_version):
    params = dict(active_version.parameters)
    params["warranty_days"] = 45
    params["revisit_penalty_rate"] = "0.50"
    draft = PolicyVersion.objects.create(
        version="sop-2026.8",
        effective_from=active_version.effective_from.replace(year=2030),
        status=PolicyStatus.DRAFT,
        parameters=params,
        change_note="Try",
    )
    html = (
        logged_in(supervisor)
        .get(reverse("admin:policies_policyversion_change", args=[draft.pk]))
        .content.decode()
    )
    table = html.split('id="policy-changes"', 1)[1].split("</table>", 1)[0]
    assert "Revisit warranty (days after the job)" in table
    assert "<td>50%</td>" in table and "<td>45</td>" in table
    assert ">warranty_days<" not in table
