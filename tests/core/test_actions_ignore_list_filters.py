"""Every write action of the API answers from the row it changed: a list filter left in the
query string (one the row no longer matches once the write is done) changes nothing."""

from decimal import Decimal

import pytest

from payouts import services
from tests.factories import BookingFactory
from tests.helpers import case_in, client_for, revisit_penalty, set_state

pytestmark = pytest.mark.django_db
API = "/api/v1"
# Filters each list understands, with values the changed row will not match afterwards.
FILTERS = "?state={before}&partner=999999&status={before}&overdue=true&search=zzz&ordering=-id"


def _refund(agent, state="requested"):
    refund = services.request_refund(
        booking=BookingFactory(), reason="other", amount=Decimal("10.00"), actor=agent
    )
    if state != "requested":
        set_state(refund, state)
    return refund


def _reversal(partner_support, state="submitted"):
    paf = revisit_penalty().paf
    set_state(paf, "not_genuine")
    request = services.submit_reversal_request(kind="paf_penalty", actor=partner_support, paf=paf)
    if state != "submitted":
        set_state(request, state)
    return request


@pytest.fixture
def people(agent, partner_support, finance_user, supervisor):
    return {
        "agent": agent,
        "partner_support": partner_support,
        "finance": finance_user,
        "supervisor": supervisor,
    }


# (name, make the row, the action path, who, body, state before, state after)
ACTIONS = [
    ("refund approve", lambda p: _refund(p["agent"]), "refunds/{id}/approve/", "finance",
     {}, "requested", "approved"),
    ("refund reject", lambda p: _refund(p["agent"]), "refunds/{id}/reject/", "finance",
     {"reason": "duplicate"}, "requested", "rejected"),
    ("refund mark paid", lambda p: _refund(p["agent"], "approved"), "refunds/{id}/mark-paid/",
     "finance", {"payment_reference": "UTR1"}, "approved", "paid"),
    ("refund mark failed", lambda p: _refund(p["agent"], "approved"),
     "refunds/{id}/mark-failed/", "finance", {"reason": "bank said no"}, "approved", "failed"),
    ("reversal start review", lambda p: _reversal(p["partner_support"]),
     "reversal-requests/{id}/start-review/", "finance", {}, "submitted", "under_review"),
    ("reversal approve", lambda p: _reversal(p["partner_support"]),
     "reversal-requests/{id}/approve/", "finance", {"reason": "recording ok"}, "submitted",
     "approved"),
    ("reversal reject", lambda p: _reversal(p["partner_support"]),
     "reversal-requests/{id}/reject/", "finance", {"reason": "late"}, "submitted", "rejected"),
]  # fmt: skip


@pytest.mark.parametrize(
    "make, path, who, body, before, after",
    [a[1:] for a in ACTIONS],
    ids=[a[0] for a in ACTIONS],
)
def test_an_action_with_list_filters_answers_from_its_row(
    people, make, path, who, body, before, after
):
    row = make(people)
    url = f"{API}/{path.format(id=row.pk)}{FILTERS.format(before=before)}"
    response = client_for(people[who]).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == row.pk and response.json()["state"] == after
    row.refresh_from_db()
    assert row.state == after


def test_a_paf_review_and_a_waiver_ignore_list_filters(supervisor):
    penalty = revisit_penalty()
    paf = penalty.paf
    client = client_for(supervisor)
    review = client.post(
        f"{API}/pafs/{paf.pk}/review/{FILTERS.format(before='pending_review')}",
        {"genuine": False, "reason": "no proof"},
        format="json",
    )
    assert review.status_code == 200 and review.json()["state"] == "not_genuine"
    waive = client.post(
        f"{API}/penalties/{penalty.pk}/waive/{FILTERS.format(before='pending')}",
        {"reason": "goodwill"},
        format="json",
    )
    assert waive.status_code == 200, waive.json()


def test_a_case_transition_and_a_detail_ignore_list_filters(agent):
    case = case_in("new")
    client = client_for(agent)
    moved = client.post(
        f"{API}/cases/{case.pk}/transitions/open/?status=new&kind=refund_status&breached=true"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "open"
    detail = client.get(f"{API}/cases/{case.pk}/?status=closed&city=nowhere")
    assert detail.status_code == 200 and detail.json()["id"] == case.pk


def test_a_task_closed_with_list_filters_answers_from_its_row(agent):
    from cases.services import create_tasks
    from cases.services.tasks import TaskSpec, due_in

    case = case_in("open")
    [task] = create_tasks(
        case,
        [
            TaskSpec(
                kind="call_customer", title="Call", owner_team="customer_care", due_at=due_in(1)
            )
        ],
        actor=agent,
    )
    response = client_for(agent).post(
        f"{API}/tasks/{task.pk}/close/?state=open&mine=true&overdue=true",
        {"outcome": "called"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "done"
