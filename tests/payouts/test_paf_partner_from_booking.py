"""The partner at fault is the booking's partner, never chosen; a penalty comes from a revisit
SOP path on a revisit job, never by default (docs/money.md). Through the API, the console's
add form and the flows."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases.models import Task
from flows import runner
from payouts.models import PartnerAtFault, Penalty
from payouts.services import PAF_REVIEW_TASK
from tests.factories import BookingFactory, CaseFactory, PartnerFactory, UserFactory
from tests.helpers import case_on, client_for, job, logged_in, revisit_job, team_lead

pytestmark = pytest.mark.django_db
API = "/api/v1/pafs/"
IST = ZoneInfo("Asia/Kolkata")


def _post(user, **body):
    return client_for(user).post(API, body, format="json")


def test_the_partner_at_fault_is_the_bookings_partner(agent):
    booking = BookingFactory()
    response = _post(agent, booking=booking.pk, reason="no show")
    assert response.status_code == 201, response.json()
    assert response.json()["partner"] == booking.partner_id
    assert PartnerAtFault.objects.get().partner == booking.partner


def test_a_body_naming_a_partner_is_a_400_on_partner_and_writes_nothing(agent):
    booking = BookingFactory()
    other = PartnerFactory()
    for partner in (other.pk, booking.partner_id):  # even the right one: it is not an input
        response = _post(agent, booking=booking.pk, partner=partner, reason="no show")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid" and list(body["errors"]) == ["partner"]
        assert "booking's partner" in body["errors"]["partner"][0]
    assert not PartnerAtFault.objects.exists()


def test_the_old_with_penalty_flag_is_a_400_naming_its_replacement(agent):
    response = _post(agent, booking=BookingFactory().pk, reason="x", with_penalty=True)
    assert response.status_code == 400 and "penalty" in response.json()["errors"]["with_penalty"][0]
    assert not PartnerAtFault.objects.exists()


def test_a_booking_without_a_partner_is_a_400_with_the_reason(agent):
    booking = BookingFactory(partner=None)
    response = _post(agent, booking=booking.pk, reason="no show")
    assert response.status_code == 400
    assert "has no partner" in response.json()["errors"]["booking"][0]
    assert not PartnerAtFault.objects.exists()


def test_a_penalty_on_a_job_that_is_not_a_revisit_is_refused_and_nothing_is_written(agent):
    booking = BookingFactory(invoice_amount=Decimal("1000.00"))
    case = CaseFactory(booking=booking, kind="revisit_partner_fault")
    response = _post(
        agent, booking=booking.pk, case=case.pk, reason="no show", penalty="revisit_scenario_4"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "no_penalty_path"
    assert "not a revisit" in response.json()["detail"]
    assert not PartnerAtFault.objects.exists() and not Penalty.objects.exists()


@pytest.mark.parametrize("path", ["", "oos_refused", "revisit_scenario_5"])
def test_a_penalty_path_the_sop_does_not_have_is_a_400(agent, path):
    revisit = revisit_job()
    response = _post(agent, booking=revisit.pk, reason="x", penalty=path)
    assert response.status_code == 400 and "penalty" in response.json()["errors"]
    assert not PartnerAtFault.objects.exists()


@pytest.mark.parametrize("scenario", [1, 2, 3, 4])
def test_the_penalty_reason_names_the_sop_path_that_produced_it(agent, scenario):
    revisit = revisit_job("833.33")
    case = case_on("revisit_partner_fault", revisit)
    response = _post(
        agent,
        booking=revisit.pk,
        case=case.pk,
        reason="partner app notification",
        penalty=f"revisit_scenario_{scenario}",
    )
    assert response.status_code == 201, response.json()
    penalty = Penalty.objects.get()
    assert penalty.reason.startswith(f"Revisit SOP: scenario {scenario}, ")
    assert (penalty.base_amount, penalty.amount) == (Decimal("833.33"), Decimal("500.00"))
    assert revisit.revisit_of.external_id in penalty.reason


def test_a_penalty_needs_the_case_its_review_is_worked_on(agent):
    revisit = revisit_job()
    response = _post(agent, booking=revisit.pk, reason="x", penalty="revisit_scenario_4")
    assert response.status_code == 400 and "case" in response.json()["errors"]
    assert not PartnerAtFault.objects.exists() and not Penalty.objects.exists()


def test_a_held_penalty_gives_its_paf_a_review_task_for_the_trainer(
    agent, supervisor, time_machine
):
    # Monday 9 Feb 2026, Delhi: no public holiday that week, Sunday off.
    time_machine.move_to(datetime(2026, 2, 9, 10, 0, tzinfo=IST), tick=False)
    team_lead("training", supervisor)
    revisit = revisit_job()
    case = case_on("revisit_partner_fault", revisit)
    response = _post(
        agent, booking=revisit.pk, case=case.pk, reason="no show", penalty="revisit_scenario_4"
    )
    assert response.status_code == 201
    paf = PartnerAtFault.objects.get()
    task = Task.objects.get(kind=PAF_REVIEW_TASK)
    assert (task.case, task.owner_team, task.owner, task.params["paf"], task.state) == (
        case,
        "training",
        supervisor,
        paf.pk,
        "open",
    )
    # Due at the end of the training / review date: 5 working days on (the policy's number).
    assert task.due_at == datetime(2026, 2, 14, 23, 59, tzinfo=IST)
    # Marking again does not add a second task.
    _post(agent, booking=revisit.pk, case=case.pk, reason="again", penalty="revisit_scenario_4")
    assert Task.objects.filter(kind=PAF_REVIEW_TASK).count() == 1


def test_the_console_add_form_derives_the_partner(supervisor):
    booking = BookingFactory()
    console = logged_in(supervisor)
    url = reverse("admin:payouts_partneratfault_add")
    page = console.get(url)
    assert page.status_code == 200
    assert 'name="partner"' not in page.content.decode()
    response = console.post(url, {"booking": booking.pk, "reason": "no show"}, follow=True)
    assert response.status_code == 200
    paf = PartnerAtFault.objects.get()
    assert (paf.partner, paf.marked_by) == (booking.partner, supervisor)


def test_the_console_add_form_refuses_a_case_of_another_booking(supervisor):
    booking = BookingFactory()
    other_case = CaseFactory()
    console = logged_in(supervisor)
    url = reverse("admin:payouts_partneratfault_add")
    response = console.post(url, {"booking": booking.pk, "case": other_case.pk, "reason": "typed"})
    assert response.status_code == 200  # the form again, with the field's error
    assert response.context["adminform"].form.errors["case"] == [
        f"Case #{other_case.pk} is about booking {other_case.booking.external_id}, not "
        f"{booking.external_id}."
    ]
    assert "typed" in response.content.decode()
    assert not PartnerAtFault.objects.exists()


def test_scenario_4_on_a_job_that_is_not_a_revisit_writes_no_paf_and_no_penalty(agent):
    case = case_on("revisit_partner_fault", job(status="completed"))
    with pytest.raises(Exception) as refusal:
        runner.decide_case(
            case_id=case.pk,
            flow="revisit.scenario_4",
            inputs={"partner_failure": "no_show"},
            actor=agent,
        )
    assert getattr(refusal.value, "http_status", None) == 422
    assert not PartnerAtFault.objects.exists() and not Penalty.objects.exists()


def test_scenario_4_on_a_revisit_binds_the_paf_genuine_and_needs_no_review_task(agent):
    revisit = revisit_job("1000.00")
    case = case_on("revisit_partner_fault", revisit)
    runner.decide_case(
        case_id=case.pk,
        flow="revisit.scenario_4",
        inputs={"partner_failure": "no_show"},
        actor=agent,
    )
    penalty = Penalty.objects.get()
    assert (penalty.paf.partner, penalty.paf.state) == (revisit.partner, "genuine")
    assert penalty.reason.startswith("Revisit SOP: scenario 4, ")
    assert not Task.objects.filter(kind=PAF_REVIEW_TASK).exists()


def test_a_partner_login_may_not_mark_a_paf():
    user = UserFactory(username="px", is_staff=False)
    PartnerFactory(user=user)
    response = _post(user, booking=BookingFactory().pk, reason="x")
    assert response.status_code == 403
