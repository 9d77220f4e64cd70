"""Nobody reviews a PAF they marked: the same rule as refunds and reversal requests, in the
service (API and console), and in the database."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.errors import NotPermitted
from payouts import services
from payouts.models import PartnerAtFault
from tests.factories import BookingFactory, PafFactory, UserFactory
from tests.helpers import client_for, logged_in, revisit_job, revisit_penalty

pytestmark = pytest.mark.django_db


def _marked_by(user) -> PartnerAtFault:
    return services.mark_paf(booking=BookingFactory(), reason="no show", actor=user)


def test_the_marker_may_not_review_the_paf_and_another_supervisor_may(supervisor):
    paf = _marked_by(supervisor)
    with pytest.raises(NotPermitted) as refusal:
        services.review_paf(paf_id=paf.pk, actor=supervisor, genuine=True, reason="mine")
    assert "marked themselves" in refusal.value.message
    paf.refresh_from_db()
    assert (paf.state, paf.reviewer) == ("pending_review", None)
    other = UserFactory(username="super-2", role="supervisor")
    assert services.review_paf(paf_id=paf.pk, actor=other, genuine=True, reason="ok").reviewer == (
        other
    )


def test_the_api_answers_403_with_the_reason(supervisor):
    paf = _marked_by(supervisor)
    response = client_for(supervisor).post(
        f"/api/v1/pafs/{paf.pk}/review/", {"genuine": True, "reason": "mine"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Nobody may review a PAF they marked themselves.",
    }
    paf.refresh_from_db()
    assert paf.state == "pending_review"


def test_the_console_hides_the_review_buttons_and_refuses_the_action(supervisor):
    paf = _marked_by(supervisor)
    console = logged_in(supervisor)
    page = console.get(reverse("admin:payouts_partneratfault_change", args=[paf.pk]))
    names = [button["name"] for button in page.context["record_buttons"]]
    assert "review_genuine" not in names and "review_not_genuine" not in names
    response = console.post(
        reverse("admin:payouts_partneratfault_changelist"),
        {
            "action": "review_genuine",
            "_selected_action": [paf.pk],
            "apply": "1",
            "reason": "mine",
        },
    )
    # Every record refused: the confirmation page again, the refusal on it, the reason kept.
    texts = response.context["form"].non_field_errors()
    assert any(f"#{paf.pk}" in t and "marked themselves" in t for t in texts)
    assert response.context["form"].data["reason"] == "mine"
    paf.refresh_from_db()
    assert paf.state == "pending_review"


def test_approving_the_reversal_form_of_ones_own_unreviewed_mark_is_refused(
    partner_support, supervisor
):
    # Approving the form of a PAF pending review is its review: not by whoever marked it.
    penalty = revisit_penalty(PafFactory(marked_by=supervisor, booking=revisit_job()))
    request = services.submit_reversal_request(
        kind="paf_penalty", actor=partner_support, paf=penalty.paf
    )
    with pytest.raises(NotPermitted):
        services.approve_reversal_request(request_id=request.pk, actor=supervisor, reason="x")
    request.refresh_from_db()
    assert request.state == "submitted"


def test_the_database_refuses_a_review_by_the_marker(supervisor):
    paf = _marked_by(supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerAtFault.objects.filter(pk=paf.pk).update(reviewer=supervisor)
