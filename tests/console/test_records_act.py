"""Records that act: a PAF, a reversal request and a refund carry the decisions allowed now
as buttons on their own page, each through the confirmation page with its reason."""

import pytest
from django.urls import reverse

from payouts import services
from payouts.models import ReversalRequest
from tests.factories import PafFactory, RefundFactory

pytestmark = pytest.mark.django_db


def buttons(console, url: str) -> list[str]:
    response = console.get(url)
    assert response.status_code == 200
    return [b["name"] for b in response.context["record_buttons"]]


def test_partner_support_requests_a_reversal_from_the_paf_page(partner_support_console):
    paf = PafFactory()
    page = reverse("admin:payouts_partneratfault_change", args=[paf.pk])
    assert buttons(partner_support_console, page) == ["log_reversal_request"]
    html = partner_support_console.get(page).content.decode()
    assert f"PAF on {paf.partner.name} for {paf.booking.external_id}" in html  # in words

    changelist = reverse("admin:payouts_partneratfault_changelist")
    ask = partner_support_console.post(
        changelist, {"action": "log_reversal_request", "_selected_action": paf.pk}
    )
    assert ask.status_code == 200 and "Confirm: Log a PAF" in ask.content.decode()
    assert not ReversalRequest.objects.exists()  # asking changes nothing

    partner_support_console.post(
        changelist,
        {
            "action": "log_reversal_request",
            "_selected_action": paf.pk,
            "apply": "1",
            "call_recording_ref": "REC-42",
            "notes": "Customer confirmed the partner came on time.",
            "evidence": "",
        },
    )
    assert ReversalRequest.objects.get().paf_id == paf.pk


def test_agents_see_no_reversal_button_and_supervisors_review_pending_pafs(
    agent_console, supervisor_console
):
    paf = PafFactory()
    page = reverse("admin:payouts_partneratfault_change", args=[paf.pk])
    assert buttons(agent_console, page) == []
    assert buttons(supervisor_console, page) == [
        "log_reversal_request",
        "review_genuine",
        "review_not_genuine",
    ]


def test_finance_decides_a_reversal_from_its_page_and_never_its_own(
    partner_support, finance_console, finance_user
):
    paf = PafFactory()
    request = services.submit_reversal_request(
        kind="paf_penalty", actor=partner_support, paf=paf, notes="Wrong PAF", evidence=[]
    )
    page = reverse("admin:payouts_reversalrequest_change", args=[request.pk])
    assert buttons(finance_console, page) == ["approve", "reject", "start_review"]

    finance_console.post(
        reverse("admin:payouts_reversalrequest_changelist"),
        {
            "action": "approve",
            "_selected_action": request.pk,
            "apply": "1",
            "reason": "Recording shows he was on time.",
        },
    )
    request.refresh_from_db()
    assert request.state == "approved" and request.decided_by_id == finance_user.pk
    assert buttons(finance_console, page) == []  # decided: nothing left to do


def test_nobody_is_offered_a_decision_on_a_request_they_logged(supervisor, supervisor_console):
    request = services.submit_reversal_request(
        kind="paf_penalty", actor=supervisor, paf=PafFactory(), notes="Logged by me", evidence=[]
    )
    page = reverse("admin:payouts_reversalrequest_change", args=[request.pk])
    assert buttons(supervisor_console, page) == []


def test_the_requester_of_a_refund_is_not_offered_its_approval(agent, finance_user):
    from tests.helpers import logged_in

    refund = RefundFactory(requested_by=finance_user)
    page = reverse("admin:payouts_refund_change", args=[refund.pk])
    assert buttons(logged_in(finance_user), page) == []
    other = RefundFactory(requested_by=agent)
    page = reverse("admin:payouts_refund_change", args=[other.pk])
    assert buttons(logged_in(finance_user), page) == ["approve", "reject"]


def test_a_reversal_request_page_renders_its_evidence_not_json(partner_support, finance_console):
    request = services.submit_reversal_request(
        kind="paf_penalty",
        actor=partner_support,
        paf=PafFactory(),
        notes="See the photo",
        evidence=["https://files.example/shot-1.jpg", "job-sheet.pdf"],
    )
    page = reverse("admin:payouts_reversalrequest_change", args=[request.pk])
    html = finance_console.get(page).content.decode()
    assert '<a href="https://files.example/shot-1.jpg"' in html and "job-sheet.pdf" in html
    assert '["https://files.example' not in html and "&quot;https://files" not in html


def test_customer_and_booking_pages_list_their_cases(agent_console):
    from tests.factories import BookingFactory, CaseFactory

    booking = BookingFactory()
    case = CaseFactory(booking=booking, customer=booking.customer, subject="Leaking tap")
    other = CaseFactory(customer=booking.customer, subject="Invoice missing")
    customer_page = agent_console.get(
        reverse("admin:cases_customer_change", args=[booking.customer_id])
    ).content.decode()
    assert "Leaking tap" in customer_page and "Invoice missing" in customer_page
    assert reverse("admin:cases_case_change", args=[other.pk]) in customer_page
    assert booking.external_id in customer_page  # and their bookings
    booking_page = agent_console.get(
        reverse("admin:cases_booking_change", args=[booking.pk])
    ).content.decode()
    assert reverse("admin:cases_case_change", args=[case.pk]) in booking_page
    assert "Invoice missing" not in booking_page
