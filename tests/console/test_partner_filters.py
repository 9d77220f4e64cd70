"""Lists filtered by partner search partners as one types (20,000 of them are never listed as
choices); the chosen partner narrows the list."""

import pytest
from django.urls import reverse

from tests.factories import PafFactory, PartnerFactory, UserFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

LISTS = [
    ("partner support", "payouts_partneratfault", "partneratfault"),
    ("finance", "payouts_penalty", "penalty"),
    ("finance", "payouts_reversalrequest", "reversalrequest"),
    ("agent", "cases_case", "case"),
]


@pytest.mark.parametrize("role, admin_name, model", LISTS)
def test_the_partner_filter_is_a_search_box(role, admin_name, model):
    PartnerFactory.create_batch(3)
    console = logged_in(UserFactory(username=f"pf-{model}", role=role))
    html = console.get(reverse(f"admin:{admin_name}_changelist")).content.decode()
    assert f'data-model-name="{model}"' in html and 'data-field-name="partner"' in html
    app_label = admin_name.split("_", 1)[0]
    found = console.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model, "field_name": "partner", "term": "zz-none"},
    )
    assert found.status_code == 200 and found.json()["results"] == []


def _partner_search(console, term: str) -> set[str]:
    found = console.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "payouts",
            "model_name": "partneratfault",
            "field_name": "partner",
            "term": term,
        },
    )
    assert found.status_code == 200
    return {r["id"] for r in found.json()["results"]}


def test_choosing_a_partner_narrows_the_paf_list(partner_support):
    mine = PafFactory(partner=PartnerFactory(name="Oni Dewan"))
    PafFactory(partner=PartnerFactory(name="Farah Qureshi"))
    console = logged_in(partner_support)
    assert _partner_search(console, "Oni De") == {str(mine.partner.pk)}
    page = console.get(
        reverse("admin:payouts_partneratfault_changelist"),
        {"partner__id__exact": mine.partner.pk},
    )
    assert [p.pk for p in page.context["cl"].result_list] == [mine.pk]


@pytest.mark.parametrize(
    "term",
    ["Dewan", "ni dew", "oni dewan", "PX-ONI-1", "+919700000042"],
)
def test_the_partner_search_finds_any_part_of_the_name_and_exact_ids(partner_support, term):
    oni = PartnerFactory(name="Oni Dewan", external_id="PX-ONI-1", phone="+919700000042")
    PartnerFactory(name="Farah Qureshi", external_id="PX-FAR-1", phone="+919700000043")
    assert _partner_search(logged_in(partner_support), term) == {str(oni.pk)}


def test_the_partner_search_finds_a_partner_by_its_number(partner_support):
    oni = PartnerFactory(name="Oni Dewan")
    PartnerFactory(name="Farah Qureshi")
    console = logged_in(partner_support)
    assert str(oni.pk) in _partner_search(console, str(oni.pk))
    assert _partner_search(console, "²") == set()  # a Unicode digit is no id, and no 500
