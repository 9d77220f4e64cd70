"""A supervisor drafts a new version in the console; another activates it; it takes effect at
its effective time only."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from policies.models import PolicyVersion
from policies.selectors import policy_in_force
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return UserFactory(username="super-author", role="supervisor")


@pytest.fixture
def other_supervisor():
    return UserFactory(username="super-other", role="supervisor")


def _typed_fields(client) -> dict:
    """The add form's typed parameter fields as the browser would send them back."""
    initial = client.get(reverse("admin:policies_policyversion_add"))
    assert initial.status_code == 200
    form = initial.context["adminform"].form
    return {name: value for name, value in form.initial.items() if name.startswith("p_")}


def _draft(client, author, effective_from, warranty_days=45, version="sop-2026.2"):
    client.force_login(author)
    typed = _typed_fields(client)
    typed["p_warranty_days"] = warranty_days
    response = client.post(
        reverse("admin:policies_policyversion_add"),
        {
            "version": version,
            "effective_from_0": effective_from.strftime("%Y-%m-%d"),
            "effective_from_1": effective_from.strftime("%H:%M:%S"),
            "change_note": "Warranty extended for the festive season.",
            **typed,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return PolicyVersion.objects.get(version=version)


def test_new_version_form_starts_from_the_version_in_force(client, author):
    client.force_login(author)
    typed = _typed_fields(client)
    assert typed["p_warranty_days"] == 30
    assert typed["p_revisit_penalty_rate"] == "0.60"
    assert typed["p_sla_first_response_minutes"].startswith("high=60")
    assert typed["p_metro_cities"].startswith("Delhi, Mumbai")


def test_the_form_has_one_typed_field_per_sop_number_grouped_with_the_sops_words(client, author):
    client.force_login(author)
    response = client.get(reverse("admin:policies_policyversion_add"))
    form = response.context["adminform"].form
    assert type(form.fields["p_warranty_days"]).__name__ == "IntegerField"
    assert form.fields["p_revisit_penalty_rate"].max_value == 1
    assert "within 30 days from the day of service" in form.fields["p_warranty_days"].help_text
    groups = [fieldset.name for fieldset in response.context["adminform"]]
    assert {"Revisit work", "Pre-services", "Out-of-scope cancellations"} <= set(groups)
    assert "parameters" not in form.fields  # no JSON to edit by hand


def test_every_parameter_survives_the_form_unchanged(client, author):
    row = _draft(client, author, timezone.now() + timedelta(days=1), warranty_days=30)
    assert row.parameters == policy_in_force(timezone.now()).params.to_dict()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("p_warranty_days", -3),
        ("p_revisit_penalty_rate", "1.5"),
        ("p_escalation_priority", "whenever"),
        ("p_sla_first_response_minutes", "high sixty"),
    ],
)
def test_invalid_parameters_are_field_errors(client, author, field, value):
    client.force_login(author)
    typed = {**_typed_fields(client), field: value}
    response = client.post(
        reverse("admin:policies_policyversion_add"),
        {
            "version": "bad-1",
            "effective_from_0": "2030-01-01",
            "effective_from_1": "00:00:00",
            "change_note": "x",
            **typed,
        },
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not PolicyVersion.objects.filter(version="bad-1").exists()


def test_author_cannot_activate_but_another_supervisor_can(client, author, other_supervisor):
    tomorrow = timezone.now() + timedelta(days=1)
    row = _draft(client, author, tomorrow)
    page = client.get(reverse("admin:policies_policyversion_change", args=[row.pk]))
    assert page.context["can_activate"] is False
    assert [c["name"] for c in page.context["parameter_changes"]] == ["warranty_days"]
    refused = client.post(reverse("admin:policies_policyversion_activate", args=[row.pk]))
    assert refused.status_code == 302
    row.refresh_from_db()
    assert row.status == "draft"

    client.force_login(other_supervisor)
    confirm = client.get(reverse("admin:policies_policyversion_activate", args=[row.pk]))
    assert confirm.status_code == 200 and b"warranty_days" in confirm.content
    client.post(reverse("admin:policies_policyversion_activate", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "active" and row.activated_by == other_supervisor

    # In force from its effective time only.
    assert policy_in_force(timezone.now()).params.warranty_days == 30
    assert policy_in_force(tomorrow).params.warranty_days == 45
    with time_machine.travel(tomorrow + timedelta(minutes=1)):
        assert policy_in_force().version == "sop-2026.2"


def test_agent_cannot_activate(client, author, agent):
    row = _draft(client, author, timezone.now() + timedelta(days=1))
    client.force_login(agent)
    client.post(reverse("admin:policies_policyversion_activate", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == "draft"


def test_active_versions_are_read_only(client, other_supervisor):
    client.force_login(other_supervisor)
    seeded = PolicyVersion.objects.get(version="sop-2026.1")
    response = client.post(
        reverse("admin:policies_policyversion_change", args=[seeded.pk]),
        {"version": "sop-2026.1", "change_note": "tamper", "p_warranty_days": "1"},
    )
    assert response.status_code == 403
    seeded.refresh_from_db()
    assert seeded.change_note != "tamper"


def test_the_effective_moment_reads_the_same_on_the_page_the_confirmation_and_the_message(
    client, author, other_supervisor
):
    moment = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0)
    row = _draft(client, author, timezone.localtime(moment) + timedelta(days=1))
    # the console's one way of writing a moment, zone beside it: "8 Dec 2026, 05:00 IST"
    words = f"{timezone.localtime(row.effective_from):%-d %b %Y, %H:%M} IST"
    client.force_login(other_supervisor)
    page = client.get(reverse("admin:policies_policyversion_change", args=[row.pk]))
    assert words in page.content.decode()
    confirm = client.get(reverse("admin:policies_policyversion_activate", args=[row.pk]))
    assert words in confirm.content.decode()
    done = client.post(reverse("admin:policies_policyversion_activate", args=[row.pk]), follow=True)
    assert f"decisions use it from {words}." in done.content.decode()
