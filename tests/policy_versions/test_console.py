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


def _draft(client, author, effective_from, warranty_days=45):
    client.force_login(author)
    initial = client.get(reverse("admin:policies_policyversion_add"))
    assert initial.status_code == 200
    parameters = initial.context["adminform"].form.initial["parameters"]
    parameters["warranty_days"] = warranty_days
    import json

    response = client.post(
        reverse("admin:policies_policyversion_add"),
        {
            "version": "sop-2026.2",
            "effective_from_0": effective_from.strftime("%Y-%m-%d"),
            "effective_from_1": effective_from.strftime("%H:%M:%S"),
            "change_note": "Warranty extended for the festive season.",
            "parameters": json.dumps(parameters),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return PolicyVersion.objects.get(version="sop-2026.2")


def test_new_version_form_starts_from_the_version_in_force(client, author):
    client.force_login(author)
    response = client.get(reverse("admin:policies_policyversion_add"))
    assert response.context["adminform"].form.initial["parameters"]["warranty_days"] == 30


def test_invalid_parameters_are_field_errors(client, author):
    client.force_login(author)
    response = client.post(
        reverse("admin:policies_policyversion_add"),
        {
            "version": "bad-1",
            "effective_from_0": "2030-01-01",
            "effective_from_1": "00:00:00",
            "change_note": "x",
            "parameters": '{"warranty_days": -3}',
        },
    )
    assert response.status_code == 200
    assert "warranty_days" in str(response.context["adminform"].form.errors["parameters"])
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
        {"version": "sop-2026.1", "change_note": "tamper", "parameters": "{}"},
    )
    assert response.status_code == 403
    seeded.refresh_from_db()
    assert seeded.change_note != "tamper"
