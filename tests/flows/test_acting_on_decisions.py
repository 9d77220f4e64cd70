"""Every decided step is carried out or becomes a task: the tries of the act-on-decisions
issue, through the API where a client would make them, at their boundaries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Booking, CaseEvent, EventType, Notification, Task, TeamLead
from events.mail import send_due_mail
from flows import runner
from partners.models import CalendarSlot
from payouts.models import MgPlanExclusion, PartnerAtFault, ReversalRequest
from tests.factories import PartnerFactory, UserFactory
from tests.helpers import (
    applied,
    case_on,
    client_for,
    decided_with_a_task,
    job,
    last_decision,
    revisit_of,
    task_kinds,
)

pytestmark = pytest.mark.django_db


def decide(client, case, flow, inputs):
    response = client.post(f"/api/v1/cases/{case.pk}/flows/{flow}/", inputs, format="json")
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    return response.json()


@pytest.fixture
def agent_api(agent):
    return client_for(agent)


@pytest.fixture
def leads(supervisor, finance_user, partner_support):
    """Every team led: the supervisor, finance and partner support."""
    TeamLead.objects.update(lead=supervisor)
    TeamLead.objects.filter(team__in=["finance", "fraud_review"]).update(lead=finance_user)
    TeamLead.objects.filter(team="partner_support").update(lead=partner_support)
    return {"supervisor": supervisor, "finance": finance_user, "partner support": partner_support}


# --- "cannot be reversed" binds the PAF --------------------------------------------------------


SCENARIO_1_AT_FAULT = {
    "pro_discussed_and_denied": False,
    "pro_shared_personal_number": True,
    "paf_marked": True,
    "penalty_marked": True,
    "paf_genuine": True,
}


def _reversal(client, paf):
    return client.post(
        "/api/v1/reversal-requests/",
        {"kind": "paf_penalty", "paf": paf.pk, "notes": "not my fault"},
        format="json",
    )


def test_scenario_1_partner_at_fault_binds_the_paf_and_refuses_the_reversal(
    agent_api, partner_support_client
):
    revisit = revisit_of(job(status="completed"))
    paf = PartnerAtFault.objects.create(partner=revisit.partner, booking=revisit, reason="x")
    case = case_on("revisit_customer_cancelled", revisit)
    body = decide(agent_api, case, "revisit.scenario_1", SCENARIO_1_AT_FAULT)
    assert body["decision"]["outcome"] == "paf_genuine_not_reversed"
    paf.refresh_from_db()
    assert paf.state == "genuine" and "scenario 1" in paf.decision_reason
    refused = _reversal(partner_support_client, paf)
    assert refused.status_code == 422
    assert refused.json()["code"] == "genuine_paf"
    assert "bad experience" in refused.json()["detail"]
    assert not ReversalRequest.objects.exists()


def test_a_not_genuine_paf_still_takes_the_reversal_form(partner_support_client):
    booking = job(status="completed")
    paf = PartnerAtFault.objects.create(partner=booking.partner, booking=booking, reason="x")
    assert _reversal(partner_support_client, paf).status_code == 201


def test_a_request_logged_before_the_decision_cannot_be_approved_after_it(
    agent, partner_support, finance_client
):
    from payouts import services as payouts

    original = job(status="completed")
    revisit = revisit_of(original)
    paf = payouts.mark_paf(booking=revisit, reason="x", actor=agent)
    request = payouts.submit_reversal_request(kind="paf_penalty", actor=partner_support, paf=paf)
    case = case_on("revisit_partner_fault", revisit)
    runner.decide_case(
        case_id=case.pk,
        flow="revisit.scenario_4",
        inputs={"partner_failure": "no_show"},
        actor=agent,
    )
    response = finance_client.post(
        f"/api/v1/reversal-requests/{request.pk}/approve/", {"reason": "ok"}, format="json"
    )
    assert response.status_code == 422
    paf.refresh_from_db()
    assert paf.state == "genuine"


def test_scenario_4_binds_the_paf_and_a_supervisor_can_still_overturn_it(
    agent_api, supervisor_client, partner_support_client
):
    case = case_on("revisit_partner_fault", revisit_of(job(status="completed")))
    decide(agent_api, case, "revisit.scenario_4", {"partner_failure": "poor_service"})
    paf = PartnerAtFault.objects.get()
    assert paf.state == "genuine"
    assert _reversal(partner_support_client, paf).status_code == 422
    overturned = supervisor_client.post(
        f"/api/v1/pafs/{paf.pk}/review/",
        {"genuine": False, "reason": "Recording shows the customer was not home."},
        format="json",
    )
    assert overturned.status_code == 200, overturned.json()
    assert overturned.json()["state"] == "not_genuine"
    audit = CaseEvent.objects.filter(case=case, payload__field="paf_state").get()
    assert (audit.payload["from"], audit.payload["to"]) == ("genuine", "not_genuine")
    assert _reversal(partner_support_client, paf).status_code == 201


# --- SME revisits go to SME partners ------------------------------------------------------------


def _allocate(client, booking, partner):
    return client.post(
        f"/api/v1/bookings/{booking.pk}/transitions/allocate/",
        {"partner_external_id": partner.external_id},
        format="json",
    )


def test_an_sme_revisit_goes_to_an_sme_partner_only(supervisor_client):
    original = job(status="completed")
    sme_revisit = revisit_of(
        original, partner=None, is_sme_revisit=True, booking_time=timezone.now() + timedelta(days=1)
    )
    regular = PartnerFactory(city=original.city, is_sme=False)
    expert = PartnerFactory(city=original.city, is_sme=True)
    refused = _allocate(supervisor_client, sme_revisit, regular)
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "sme_partner_required"
    assert body["errors"]["free_partners"] == [expert.external_id]
    candidates = supervisor_client.get(f"/api/v1/bookings/{sme_revisit.pk}/allocation-candidates/")
    assert [p["external_id"] for p in candidates.json()] == [expert.external_id]
    assert _allocate(supervisor_client, sme_revisit, expert).status_code == 200
    sme_revisit.refresh_from_db()
    assert (sme_revisit.status, sme_revisit.partner_id) == ("allocated", expert.pk)


def test_a_revisit_after_the_sme_one_escalates_to_a_supervisor(
    agent_api, leads, mailoutbox, django_capture_on_commit_callbacks
):
    original = job(days_ago=5, status="completed")
    first = agent_api.post(f"/api/v1/bookings/{original.pk}/revisits/", {}, format="json")
    second = agent_api.post(f"/api/v1/bookings/{original.pk}/revisits/", {}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    with django_capture_on_commit_callbacks(execute=True):
        third = agent_api.post(f"/api/v1/bookings/{original.pk}/revisits/", {}, format="json")
    assert third.status_code == 202, third.json()
    body = third.json()
    assert body["booking"] is None
    assert body["decision"]["outcome"] == "revisit_beyond_sme_escalated"
    assert Booking.objects.filter(revisit_of=original).count() == 2
    note = Notification.objects.get(recipient=leads["supervisor"])
    assert note.case_id == body["case"]["id"] and "escalated" in note.title
    assert send_due_mail() == 1  # the outbox's mail, sent by the worker's task
    assert [m.to for m in mailoutbox] == [[leads["supervisor"].email]]


# --- the partner calendar is read, not asked ----------------------------------------------------


def test_a_partner_marks_leave_and_cannot_be_allocated_into_it(
    partner, partner_client, supervisor_client
):
    at = timezone.now() + timedelta(days=2)
    marked = partner_client.post(
        "/api/v1/calendar-slots/",
        {
            "starts_at": at.isoformat(),
            "ends_at": (at + timedelta(hours=4)).isoformat(),
            "status": "on_leave",
            "note": "wedding",
        },
        format="json",
    )
    assert marked.status_code == 201, marked.json()
    slot = CalendarSlot.objects.get()
    assert (slot.partner_id, slot.status) == (partner.pk, "on_leave")
    # On leave that slot: refused with the slot, and the free partners named.
    free = PartnerFactory(city=partner.city, categories=partner.categories)
    booking = job(days_ago=-2, partner=None, booking_time=at + timedelta(hours=1))
    refused = _allocate(supervisor_client, booking, partner)
    assert refused.status_code == 422
    assert refused.json()["code"] == "partner_unavailable"
    assert f"slot #{slot.pk}" in refused.json()["detail"]
    assert free.external_id in refused.json()["errors"]["free_partners"]
    # Free the day after: allocated.
    later = job(days_ago=-3, partner=None, booking_time=at + timedelta(days=1))
    assert _allocate(supervisor_client, later, partner).status_code == 200


def test_a_partner_may_not_mark_another_partners_calendar(partner_client):
    other = PartnerFactory()
    at = timezone.now() + timedelta(days=1)
    response = partner_client.post(
        "/api/v1/calendar-slots/",
        {
            "partner": other.external_id,
            "starts_at": at.isoformat(),
            "ends_at": (at + timedelta(hours=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400  # another partner is not one it may see
    assert not CalendarSlot.objects.exists()


def test_a_leave_over_a_marked_slot_is_a_conflict(partner_client, partner):
    at = timezone.now() + timedelta(days=1)
    body = {"starts_at": at.isoformat(), "ends_at": (at + timedelta(hours=2)).isoformat()}
    assert partner_client.post("/api/v1/calendar-slots/", body, format="json").status_code == 201
    again = partner_client.post("/api/v1/calendar-slots/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "slot_taken"


def test_the_preferred_professional_flow_reads_the_calendar(agent_api):
    booking = job(days_ago=-1, partner=None)
    preferred = PartnerFactory(city=booking.city)
    other = PartnerFactory(city=booking.city, rating=Decimal("4.90"))
    CalendarSlot.objects.create(
        partner=preferred,
        starts_at=booking.booking_time - timedelta(hours=1),
        ends_at=booking.booking_time + timedelta(hours=3),
        status="on_leave",
    )
    case = case_on("preferred_professional", booking)
    body = decide(
        agent_api,
        case,
        "pre_services.preferred_professional",
        {
            "preferred_partner": preferred.external_id,
            "professional_responding": True,
            "professional_agrees": True,
        },
    )
    assert body["decision"]["outcome"] == "preferred_unavailable_assign_other"
    event = last_decision(case)
    assert event.payload["filled_inputs"]["calendar_status"] == "on_leave"
    booking.refresh_from_db()
    assert (booking.status, booking.partner_id) == ("allocated", other.pk)


def test_calendar_status_is_not_an_input_of_the_preferred_professional_flow(agent_api):
    case = case_on("preferred_professional", job(days_ago=-1))
    flows = agent_api.get(f"/api/v1/cases/{case.pk}/flows/").json()
    flow = next(f for f in flows if f["name"] == "pre_services.preferred_professional")
    names = [i["name"] for i in flow["inputs"]]
    assert "calendar_status" not in names and "preferred_partner" in names


def test_asking_the_partner_to_mark_leave_creates_the_leave_slot(agent_api):
    booking = job(days_ago=-1)
    case = case_on("reschedule", booking)
    slot = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    decide(
        agent_api,
        case,
        "pre_services.reschedule_request",
        {
            "preferred_slot": slot.isoformat(),
            "different_pro_requested": True,
            "booking_auto_accepted": True,
        },
    )
    leave = CalendarSlot.objects.get(partner=booking.partner)
    assert (leave.status, leave.starts_at) == ("on_leave", slot)


# --- escalation is real -----------------------------------------------------------------------


def test_a_safety_case_is_escalated_the_moment_it_is_decided(
    agent, agent2, leads, mailoutbox, django_capture_on_commit_callbacks
):
    case = case_on("safety_incident", assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        runner.decide_case(case_id=case.pk, flow="l1.safety_case", inputs={}, actor=agent)
    case.refresh_from_db()
    assert (case.team, case.assignee_id, case.priority) == (
        "safety",
        leads["supervisor"].pk,
        "urgent",
    )
    assert case.status != "resolved"  # an Unresolved complaint stays open
    escalation = CaseEvent.objects.get(case=case, type=EventType.ESCALATION)
    assert escalation.payload["team"] == "safety"
    # The lead is told, in the app and by e-mail; nobody else is.
    lead_api = client_for(leads["supervisor"])
    notes = lead_api.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [n["case"] for n in notes] == [case.pk]
    assert client_for(agent2).get("/api/v1/notifications/").json()["results"] == []
    assert send_due_mail() == 1
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [leads["supervisor"].email]
    read = lead_api.post(f"/api/v1/notifications/{notes[0]['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert (
        client_for(agent2).post(f"/api/v1/notifications/{notes[0]['id']}/read/").status_code == 404
    )


def test_an_escalation_to_a_team_without_a_lead_goes_to_its_queue(agent):
    TeamLead.objects.update(lead=None)
    case = case_on("safety_incident", assignee=agent)
    runner.decide_case(case_id=case.pk, flow="l1.safety_case", inputs={}, actor=agent)
    case.refresh_from_db()
    assert (case.team, case.assignee_id) == ("safety", None)
    assert not Notification.objects.exists()


# --- the MG plan ------------------------------------------------------------------------------


def test_a_validated_oos_cancellation_is_excluded_from_the_mg_plan_once(agent, partner_support):
    mg_partner = PartnerFactory(
        programmes=["mg_plan"], user=UserFactory(username="mg", is_staff=False)
    )
    booking = job(status="started", partner=mg_partner)
    job(status="completed", partner=mg_partner, booking_time=booking.booking_time)  # counted
    case = case_on("out_of_scope", booking, created_at=timezone.now() - timedelta(hours=4))
    inputs = {
        "work_out_of_scope": True,
        "partner_continues": False,
        "customer_agrees_to_cancel": True,
    }
    for _ in range(2):
        runner.decide_case(
            case_id=case.pk, flow="oos.after_park", inputs=inputs, actor=partner_support
        )
    exclusion = MgPlanExclusion.objects.get()
    assert (exclusion.booking_id, exclusion.partner_id) == (booking.pk, mg_partner.pk)
    assert applied(last_decision(case))["exclude_from_mg_plan"] == "already_done"
    url = f"/api/v1/partners/{mg_partner.pk}/mg-plan/?month={booking.service_date}"
    plan = client_for(mg_partner.user).get(url).json()
    assert (plan["on_mg_plan"], plan["jobs"], plan["excluded"], plan["counted"]) == (True, 2, 1, 1)
    assert plan["exclusions"][0]["booking_external_id"] == booking.external_id


# --- tasks ------------------------------------------------------------------------------------


def _a_call_task(agent):
    case = decided_with_a_task(agent)
    return case, Task.objects.get(case=case)


def test_tasks_are_listed_by_due_time_and_filtered(agent, agent_api, agent2, time_machine):
    case, task = _a_call_task(agent)
    assert (task.owner_id, task.state, task.decision_id) == (
        agent.pk,
        "open",
        last_decision(case).pk,
    )
    # Due the policy's call delay after the decision (60 minutes by default).
    assert timedelta(minutes=59) < task.due_at - task.created_at <= timedelta(minutes=60)
    mine = agent_api.get("/api/v1/tasks/?owner=me&state=open").json()["results"]
    assert [t["id"] for t in mine] == [task.pk]
    assert client_for(agent2).get("/api/v1/tasks/?owner=me").json()["results"] == []
    assert agent_api.get("/api/v1/tasks/?overdue=true").json()["results"] == []
    time_machine.move_to(task.due_at + timedelta(minutes=1))
    late = agent_api.get("/api/v1/tasks/?overdue=true").json()["results"]
    assert [t["id"] for t in late] == [task.pk] and late[0]["is_overdue"]


def test_a_task_is_closed_with_its_outcome_once_and_audited(agent, agent_api):
    case, task = _a_call_task(agent)
    url = f"/api/v1/tasks/{task.pk}/close/"
    empty = agent_api.post(url, {"outcome": ""}, format="json")
    assert empty.status_code == 400 and "outcome" in empty.json()["errors"]
    done = agent_api.post(url, {"outcome": "Partner told: no effect on him."}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert done.json()["closed_by"] == agent.username
    again = agent_api.post(url, {"outcome": "again"}, format="json")
    assert again.status_code == 409
    closing = CaseEvent.objects.get(case=case, type=EventType.TASK, transition="task_done")
    assert "Partner told" in closing.reason and closing.actor_id == agent.pk


def test_finance_tasks_are_closed_by_finance(agent, finance_user):
    from cases import services as case_services
    from core.errors import NotPermitted

    case, task = _a_call_task(agent)
    Task.objects.filter(pk=task.pk).update(owner_team="finance", owner=None)
    with pytest.raises(NotPermitted):
        case_services.close_task(task_id=task.pk, actor=agent, outcome="done")
    case_services.close_task(task_id=task.pk, actor=finance_user, outcome="recovered")


def test_partners_do_not_see_tasks(agent, partner_client):
    _a_call_task(agent)
    assert partner_client.get("/api/v1/tasks/").status_code == 403


def test_a_task_is_reassigned_to_someone_or_to_the_queue(agent, agent2, agent_api):
    case, task = _a_call_task(agent)
    moved = agent_api.post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"owner": agent2.username}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["owner"] == agent2.username
    queued = agent_api.post(f"/api/v1/tasks/{task.pk}/reassign/", {"owner": None}, format="json")
    assert queued.json()["owner"] is None
    nobody = agent_api.post(f"/api/v1/tasks/{task.pk}/reassign/", {"owner": "ghost"}, format="json")
    assert nobody.status_code == 400


def test_the_oos_review_task_reverses_through_the_reversal_form(partner_support, supervisor, leads):
    booking = job(status="cancelled")
    paf = PartnerAtFault.objects.create(
        partner=booking.partner, booking=booking, reason="cancelled"
    )
    case = case_on("out_of_scope", booking)
    runner.decide_case(
        case_id=case.pk,
        flow="oos.paf_review",
        inputs={"cancellation_marked_against_partner": True, "partner_at_fault": False},
        actor=partner_support,
    )
    task = Task.objects.get(case=case, kind="reverse_paf")
    assert (task.owner_team, task.owner_id) == ("training", leads["supervisor"].pk)
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        from flows import task_outcomes

        task_outcomes.close_task(task_id=task.pk, actor=supervisor, outcome="reviewed")
    response = client_for(supervisor).post(
        f"/api/v1/tasks/{task.pk}/close/",
        {"outcome": "Zoom review: the work was out of scope.", "partner_at_fault": False},
        format="json",
    )
    assert response.status_code == 200, response.json()
    paf.refresh_from_db()
    assert paf.state == "not_genuine"
    request = ReversalRequest.objects.get(paf=paf)
    assert (request.state, request.requested_by_id) == ("submitted", supervisor.pk)


def test_every_task_a_decision_makes_has_an_owner_team_and_a_due_time(agent):
    case = case_on("unable_to_book")
    inputs = {
        "service_available": True,
        "app_updated": True,
        "professionals_available": True,
        "alternate_service_suggested": True,
    }
    runner.decide_case(
        case_id=case.pk, flow="pre_services.unable_to_book", inputs=inputs, actor=agent
    )
    assert task_kinds(case) == ["request_images"]
    for task in case.tasks.all():
        assert task.owner_team and task.due_at > task.created_at and task.title


def test_a_reschedule_into_the_partners_leave_gives_the_job_to_a_free_partner(agent_api):
    booking = job(days_ago=-1)
    Booking.objects.filter(pk=booking.pk).update(status="allocated")
    new_slot = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    CalendarSlot.objects.create(
        partner=booking.partner,
        starts_at=new_slot - timedelta(hours=1),
        ends_at=new_slot + timedelta(hours=5),
        status="on_leave",
    )
    free = PartnerFactory(city=booking.city, categories=booking.partner.categories)
    case = case_on("reschedule", booking)
    decide(
        agent_api,
        case,
        "pre_services.reschedule_request",
        {
            "preferred_slot": new_slot.isoformat(),
            "different_pro_requested": False,
            "booking_auto_accepted": False,
        },
    )
    booking.refresh_from_db()
    assert (booking.booking_time, booking.partner_id) == (new_slot, free.pk)
    step = last_decision(case).payload["actions_applied"][0]
    assert step["reallocated_to"] == free.external_id and "on leave" in step["partner_busy"]
