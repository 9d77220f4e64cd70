"""Every console page loads for the roles whose permissions allow it, and only for them."""

import pytest
from django.urls import reverse

from cases import services
from policies.models import PolicyVersion
from tests.factories import (
    BookingFactory,
    BookingLineFactory,
    CalendarSlotFactory,
    CaseFactory,
    CustomerFactory,
    PartnerFactory,
    city,
    tag_for,
)

pytestmark = pytest.mark.django_db

ROLES = ["agent", "partner support", "finance", "supervisor"]
WORKERS = {"agent", "partner support", "supervisor"}

CHANGELISTS = [
    "partners_region",
    "partners_city",
    "partners_partner",
    "partners_calendarslot",
    "cases_customer",
    "cases_booking",
    "cases_dispositiontag",
    "cases_case",
    "cases_caseevent",
    "policies_policyversion",
]


@pytest.fixture
def records(agent):
    booking = BookingFactory()
    BookingLineFactory(booking=booking)
    case = services.create_case(
        actor=agent,
        kind="status_check",
        channel="inbound_call",
        reporter="customer",
        subject="Where is my technician?",
        booking=booking,
    )
    return {
        "partners_region": city().region,
        "partners_city": city(),
        "partners_partner": booking.partner,
        "partners_calendarslot": CalendarSlotFactory(partner=booking.partner),
        "cases_customer": booking.customer,
        "cases_booking": booking,
        "cases_dispositiontag": tag_for("status_check"),
        "cases_case": case,
        "cases_caseevent": case.events.get(),
        "policies_policyversion": PolicyVersion.objects.first(),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_changelist_loads_for_every_role(consoles, records, role, model):
    response = consoles[role].get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_change_page_loads_for_every_role(consoles, records, role, model):
    response = consoles[role].get(reverse(f"admin:{model}_change", args=[records[model].pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", CHANGELISTS)
def test_staff_without_a_role_sees_nothing(roleless_console, records, model):
    assert roleless_console.get(reverse(f"admin:{model}_changelist")).status_code == 403


def test_login_is_required(client, records):
    response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_add_case_page_only_for_roles_that_work_cases(consoles, role):
    response = consoles[role].get(reverse("admin:cases_case_add"))
    assert response.status_code == (200 if role in WORKERS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_case_page_is_editable_for_workers_and_read_only_for_finance(consoles, records, role):
    response = consoles[role].get(
        reverse("admin:cases_case_change", args=[records["cases_case"].pk])
    )
    html = response.content.decode()
    editable = 'id="case_form"' in html and 'name="_continue"' in html
    assert editable is (role in WORKERS)
    assert 'id="case-details"' in html  # everyone reads the working fields


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", ["cases_booking", "cases_caseevent"])
def test_nobody_adds_bookings_or_audit_events_in_the_console(consoles, role, model):
    assert consoles[role].get(reverse(f"admin:{model}_add")).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_audit_events_are_read_only_for_every_role(consoles, records, role):
    event = records["cases_caseevent"]
    page = consoles[role].get(reverse("admin:cases_caseevent_change", args=[event.pk]))
    assert 'name="_save"' not in page.content.decode()
    post = consoles[role].post(
        reverse("admin:cases_caseevent_change", args=[event.pk]), {"reason": "rewritten"}
    )
    assert post.status_code == 403
    delete = consoles[role].post(
        reverse("admin:cases_caseevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.reason == ""


@pytest.mark.parametrize("role", ROLES)
def test_only_supervisors_draft_policy_versions(consoles, role):
    response = consoles[role].get(reverse("admin:policies_policyversion_add"))
    assert response.status_code == (200 if role == "supervisor" else 403)


def test_active_policy_version_is_read_only_even_for_supervisors(supervisor_console, records):
    version = records["policies_policyversion"]
    assert version.status == "active"
    page = supervisor_console.get(reverse("admin:policies_policyversion_change", args=[version.pk]))
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_partner_support_and_supervisors_edit_partners(consoles, role):
    partner = PartnerFactory()
    page = consoles[role].get(reverse("admin:partners_partner_change", args=[partner.pk]))
    assert ('name="_save"' in page.content.decode()) is (role in {"partner support", "supervisor"})


def test_customer_search_matches_a_whole_number_exactly(finance_console):
    # Issue 22 changed the rule: a whole number matches exactly (in its E.164 forms), and
    # digits that are no whole number search inside phones (tests/cases/test_customer_search).
    wanted = CustomerFactory(phone="+919811112222")
    other = CustomerFactory(phone="+919811112223")
    page = finance_console.get(reverse("admin:cases_customer_changelist"), {"q": "+919811112222"})
    assert [c.pk for c in page.context["cl"].result_list] == [wanted.pk]
    partial = finance_console.get(reverse("admin:cases_customer_changelist"), {"q": "98111122"})
    assert {c.pk for c in partial.context["cl"].result_list} == {wanted.pk, other.pk}


def test_case_without_booking_page_loads(agent_console):
    case = CaseFactory(booking=None, customer=None, partner=None)
    response = agent_console.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert response.status_code == 200
