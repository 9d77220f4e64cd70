"""The flow API through the URL stack: flows of a case with their input schema, running a
flow (200/400/409/422), decision history, follow-up calls, revisits and OOS tickets (partner
logins for their own jobs only). Lists are checked for their query counts."""

import math
from decimal import Decimal

import pytest

from cases.models import Booking, Case, CaseEvent, EventType
from flows import calls, runner
from payouts.models import PartnerAtFault, Penalty
from policies.sop import followups
from policies.sop.oos import EARTH_RADIUS_M
from tests.factories import PartnerFactory, UserFactory, tag_for
from tests.helpers import case_on, client_for, job, logged_in, revisit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_api(agent):
    return client_for(agent)


@pytest.fixture
def ps_api(partner_support):
    return client_for(partner_support)


# --- flows of a case -----------------------------------------------------------------------


def test_flows_of_a_case_with_their_input_schema(agent_api, django_assert_max_num_queries):
    original = job(status="completed", invoice_amount=Decimal("1000.00"))
    case = case_on("revisit_partner_fault", revisit_of(original))
    with django_assert_max_num_queries(8):
        response = agent_api.get(f"/api/v1/cases/{case.pk}/flows/")
    assert response.status_code == 200
    by_name = {flow["name"]: flow for flow in response.json()}
    assert set(by_name) == {
        "revisit.create",
        "revisit.scenario_1",
        "revisit.scenario_2",
        "revisit.scenario_3",
        "revisit.scenario_4",
    }
    scenario_4 = by_name["revisit.scenario_4"]
    assert scenario_4["inputs"] == [
        {
            "name": "partner_failure",
            "type": "choice",
            "label": "Partner failure",
            "required": True,
            "nullable": False,
            "choices": [
                "denied_job",
                "no_contact_attempt",
                "no_show",
                "poor_service",
                "unresponsive",
            ],
            "default": None,
            "help": "",
        }
    ]
    assert scenario_4["filled"] == [
        {
            "name": "original_invoice_amount",
            "source": "the original booking's invoice",
            "value": "1000.00",
        }
    ]


def test_oos_flow_asks_the_partners_location_not_the_distance(agent_api):
    case = case_on("out_of_scope")
    response = agent_api.get(f"/api/v1/cases/{case.pk}/flows/")
    eligibility = next(f for f in response.json() if f["name"] == "oos.eligibility")
    assert [i["name"] for i in eligibility["inputs"]] == [
        "partner_latitude",
        "partner_longitude",
        "images_shared",
    ]
    assert {f["name"] for f in eligibility["filled"]} == {"partner_is_rwm", "city", "distance_m"}


def test_flow_list_query_count_does_not_grow_with_the_case(
    agent_api, agent, django_assert_max_num_queries
):
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    for _ in range(5):
        calls.record_call_attempt(
            case_id=case.pk, actor=agent, outcome="wants_followup", at=case.created_at
        )
    with django_assert_max_num_queries(8):
        response = agent_api.get(f"/api/v1/cases/{case.pk}/flows/")
    assert response.status_code == 200


def test_partner_logins_are_refused_the_flows_even_of_their_own_cases(partner_user):
    """The flows show what the records fill (the customer's fraud score among them): the
    back office's (docs/decisions.md, "What a partner sees")."""
    own = case_on("out_of_scope", job(partner=partner_user))
    other = case_on("out_of_scope")
    client = client_for(partner_user.user)
    assert client.get(f"/api/v1/cases/{own.pk}/flows/").status_code == 403
    assert client.get(f"/api/v1/cases/{other.pk}/flows/").status_code == 403
    response = client.post(f"/api/v1/cases/{own.pk}/flows/oos.partner_visit/", {}, format="json")
    assert response.status_code == 403


# --- running a flow --------------------------------------------------------------------------


def test_run_a_flow(agent_api):
    case = case_on("revisit_partner_fault", revisit_of(job(status="completed")))
    response = agent_api.post(
        f"/api/v1/cases/{case.pk}/flows/revisit.scenario_4/",
        {"partner_failure": "no_show"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    decision = body["decision"]
    assert decision["outcome"] == "paf_and_penalty_marked"
    assert decision["policy_version"] == "sop-2026.1"
    assert decision["tag"] == "1.3 Money-revisit issue : revisit work related info"
    assert decision["reason"].startswith("Revisit SOP: scenario 4")
    assert [a["kind"] for a in decision["actions"]] == [
        "mark_paf",
        "create_penalty",
        "refuse_reversal",
    ]
    assert [a["status"] for a in body["actions_applied"]] == ["applied", "applied", "applied"]
    assert body["records"]["penalty_id"] == Penalty.objects.get().pk
    # "This can not be reversed": the decision bound the PAF as genuine.
    assert PartnerAtFault.objects.get().state == "genuine"
    assert body["case"]["id"] == case.pk
    assert body["case"]["disposition"] == decision["tag"]


def test_inputs_may_come_wrapped(agent_api):
    case = case_on("property_damage")
    response = agent_api.post(
        f"/api/v1/cases/{case.pk}/flows/l1.property_damage/",
        {"inputs": {"observation": "immediate"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["decision"]["outcome"] == "property_damage_complaint"


def test_bad_inputs_are_400_with_field_errors(agent_api):
    case = case_on("revisit_partner_fault")
    response = agent_api.post(
        f"/api/v1/cases/{case.pk}/flows/revisit.scenario_4/",
        {"partner_failure": "sulking"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == ["partner_failure"]


def test_a_resolved_case_is_409(agent_api):
    case = case_on("safety_incident")
    Case.objects.filter(pk=case.pk).update(status="resolved", disposition=tag_for(case.kind))
    response = agent_api.post(f"/api/v1/cases/{case.pk}/flows/l1.safety_case/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"


def test_a_refused_answer_is_recorded_with_its_reason(agent_api):
    """Not a gate: the SOP's "cannot be reversed" is the answer the partner gets, recorded."""
    case = case_on("revisit_customer_cancelled")
    response = agent_api.post(
        f"/api/v1/cases/{case.pk}/flows/revisit.scenario_1/",
        {
            "pro_discussed_and_denied": False,
            "pro_shared_personal_number": True,
            "paf_marked": True,
            "penalty_marked": False,
            "paf_genuine": False,
        },
        format="json",
    )
    assert response.status_code == 200
    decision = response.json()["decision"]
    assert decision["outcome"] == "paf_genuine_not_reversed" and decision["refused"] is True
    assert "cannot be reversed" in decision["reason"]
    event = CaseEvent.objects.get(case=case, type="decision")
    assert event.payload["refused"] is True
    assert "cannot be reversed" in event.reason


def test_a_gate_refusal_is_422_and_writes_nothing(agent_api):
    booking = job(days_ago=31, status="completed")
    case = case_on("post_service_complaint", booking)
    events = CaseEvent.objects.count()
    bookings = Booking.objects.count()
    response = agent_api.post(f"/api/v1/cases/{case.pk}/flows/revisit.create/", {}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "revisit_refused_outside_warranty"
    assert (CaseEvent.objects.count(), Booking.objects.count()) == (events, bookings)


def test_unknown_flow_is_404(agent_api):
    case = case_on("status_check")
    response = agent_api.post(f"/api/v1/cases/{case.pk}/flows/l1.nope/", {}, format="json")
    assert response.status_code == 404


# --- decision history --------------------------------------------------------------------------


def test_decision_history(agent_api, agent, django_assert_num_queries):
    case = case_on("property_damage")
    for observation in ("immediate", "late"):
        runner.decide_case(
            case_id=case.pk,
            flow="l1.property_damage",
            inputs={"observation": observation},
            actor=agent,
        )
    with django_assert_num_queries(5) as captured:
        response = agent_api.get(f"/api/v1/cases/{case.pk}/decisions/")
    assert response.status_code == 200
    history = response.json()
    assert [d["outcome"] for d in history] == [
        "property_damage_complaint",
        "property_damage_escalated",
    ]
    first = history[0]
    assert first["actor"] == agent.username
    assert first["policy_version"] == "sop-2026.1"
    assert first["flow"] == "l1.property_damage"
    assert first["reason"].startswith("L1 installation/maintenance SOP: 4 immediate")
    assert first["at"]

    # Five more decisions, the same number of queries.
    for _ in range(5):
        runner.decide_case(
            case_id=case.pk,
            flow="l1.property_damage",
            inputs={"observation": "late"},
            actor=agent,
        )
    with django_assert_num_queries(len(captured)):
        response = agent_api.get(f"/api/v1/cases/{case.pk}/decisions/")
    assert len(response.json()) == 7


# --- follow-up calls ---------------------------------------------------------------------------


def test_call_attempts_endpoint(agent_api):
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    first = agent_api.post(
        f"/api/v1/cases/{case.pk}/call-attempts/",
        {"outcome": "no_answer", "at": "2026-03-16T11:00:00+05:30"},
        format="json",
    )
    assert first.status_code == 200, first.json()
    assert first.json()["outcome"] == "next_attempt_scheduled"
    second = agent_api.post(
        f"/api/v1/cases/{case.pk}/call-attempts/",
        {"outcome": "no_answer", "at": "2026-03-17T10:00:00+05:30"},
        format="json",
    )
    assert second.json()["outcome"] == "waiting_on_customer"
    case.refresh_from_db()
    assert (case.status, case.priority) == ("waiting_on_customer", "medium")
    bad = agent_api.post(
        f"/api/v1/cases/{case.pk}/call-attempts/", {"outcome": "shrug"}, format="json"
    )
    assert bad.status_code == 400


def call_attempts_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/call-attempts/"


def the_call(case) -> CaseEvent:
    return CaseEvent.objects.get(case=case, type=EventType.CALL_ATTEMPT)


def test_a_call_attempt_saves_the_call_script_steps_done(agent_api):
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    greeting, recap, *_ = followups.FIRST_VISIT_CALL_SCRIPT
    response = agent_api.post(
        call_attempts_url(case),
        {"outcome": "no_answer", "script": [recap, greeting, recap]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # Once each, in the script's order.
    assert the_call(case).payload["script"] == [greeting, recap]


def test_a_step_not_in_the_cases_call_script_is_a_400_on_script(agent_api):
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    # A step of the second-appointment script, not of this first-visit case's.
    other_script_only = followups.SECOND_APPOINTMENT_CALL_SCRIPT[1]
    response = agent_api.post(
        call_attempts_url(case),
        {
            "outcome": "no_answer",
            "script": [followups.FIRST_VISIT_CALL_SCRIPT[0], other_script_only],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["errors"])) == ("invalid", ["script"])
    assert other_script_only in body["errors"]["script"][0]
    assert not CaseEvent.objects.filter(case=case, type=EventType.CALL_ATTEMPT).exists()


def test_a_call_attempt_without_a_script_saves_no_steps(agent_api):
    case = case_on("follow_up_first_visit", job(days_ago=-1))
    response = agent_api.post(call_attempts_url(case), {"outcome": "no_answer"}, format="json")
    assert response.status_code == 200, response.json()
    assert the_call(case).payload["script"] == []


def test_the_console_and_the_api_save_a_call_the_same_way(agent, agent_api):
    ticked = list(followups.FIRST_VISIT_CALL_SCRIPT[:2])
    by_api = case_on("follow_up_first_visit", job(days_ago=-1))
    response = agent_api.post(
        call_attempts_url(by_api), {"outcome": "no_answer", "script": ticked}, format="json"
    )
    assert response.status_code == 200, response.json()

    by_console = case_on("follow_up_first_visit", job(days_ago=-1))
    console = logged_in(agent)
    url = f"/admin/cases/case/{by_console.pk}/sop/follow_up.call_attempt/"
    preview = console.post(url, {"outcome": "no_answer", "_preview": "1"})
    digest = preview.context["form"]["digest"].value()
    applied = console.post(
        url, {"outcome": "no_answer", "digest": digest, "_apply": "1", "script_step": ticked}
    )
    assert applied.status_code == 302

    api_call, console_call = the_call(by_api), the_call(by_console)
    assert set(api_call.payload) == set(console_call.payload)
    assert api_call.payload["script"] == console_call.payload["script"] == ticked
    assert api_call.payload["outcome"] == console_call.payload["outcome"] == "no_answer"


# --- revisits ----------------------------------------------------------------------------------


def test_create_a_revisit(agent_api):
    original = job(days_ago=12, status="completed")
    response = agent_api.post(
        f"/api/v1/bookings/{original.pk}/revisits/", {"issue_note": "Still leaking"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["booking"]["revisit_of"] == original.pk
    assert body["booking"]["is_sme_revisit"] is False
    assert body["decision"]["outcome"] == "revisit_allowed"
    assert body["case"]["kind"] == "revisit_partner_fault"


def test_a_revisit_outside_the_warranty_is_422(agent_api):
    original = job(days_ago=31, status="completed")
    response = agent_api.post(f"/api/v1/bookings/{original.pk}/revisits/", {}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "revisit_refused_outside_warranty"
    assert not Booking.objects.filter(revisit_of=original).exists()


def test_the_booking_platform_may_ask_for_revisits_but_partners_may_not(partner_user):
    from django.contrib.auth.models import Permission

    platform = UserFactory(username="platform", is_staff=False)
    platform.user_permissions.add(Permission.objects.get(codename="add_booking"))
    original = job(days_ago=3, status="completed", partner=partner_user)
    ok = client_for(platform).post(f"/api/v1/bookings/{original.pk}/revisits/", {}, format="json")
    assert ok.status_code == 201
    refused = client_for(partner_user.user).post(
        f"/api/v1/bookings/{original.pk}/revisits/", {}, format="json"
    )
    assert refused.status_code == 403


# --- OOS tickets -------------------------------------------------------------------------------


def _north(lat: Decimal, metres: int) -> str:
    return str(
        (lat + Decimal(repr(math.degrees(metres / EARTH_RADIUS_M)))).quantize(Decimal("0.000001"))
    )


def oos_body(booking, metres=20, images=("proof.jpg",)):
    return {
        "booking": booking.pk,
        "latitude": _north(booking.latitude, metres),
        "longitude": str(booking.longitude),
        "images": list(images),
        "note": "Commercial chiller",
    }


def test_a_partner_raises_an_oos_ticket_for_own_job(partner_user):
    booking = job(status="started", partner=partner_user)
    client = client_for(partner_user.user)
    response = client.post("/api/v1/oos-tickets/", oos_body(booking), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] is True
    assert body["case"]["status"] == "parked"
    assert body["decision"]["outcome"] == "oos_ticket_parked"
    case = Case.objects.get(pk=body["case"]["id"])
    assert (case.channel, case.reporter, case.created_by) == (
        "partner_app",
        "partner",
        partner_user.user,
    )
    again = client.post("/api/v1/oos-tickets/", oos_body(booking), format="json")
    assert again.status_code == 200 and again.json()["created"] is False


def test_a_partner_may_not_raise_for_another_partners_job(partner_user):
    booking = job(status="started")  # another partner's job
    response = client_for(partner_user.user).post(
        "/api/v1/oos-tickets/", oos_body(booking), format="json"
    )
    assert response.status_code == 404
    assert not Case.objects.filter(booking=booking).exists()


def test_partner_support_raises_on_a_partners_behalf(ps_api):
    booking = job(status="started")
    response = ps_api.post("/api/v1/oos-tickets/", oos_body(booking), format="json")
    assert response.status_code == 201
    assert Case.objects.get(booking=booking).channel == "inbound_call"


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"metres": 501}, "oos_refused_too_far"),
        ({"images": ()}, "oos_images_required"),
    ],
)
def test_oos_refusals_are_422(ps_api, kwargs, code):
    booking = job(status="started")
    response = ps_api.post("/api/v1/oos-tickets/", oos_body(booking, **kwargs), format="json")
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert not Case.objects.filter(booking=booking).exists()


def test_rwm_partner_oos_is_422_through_the_api():
    partner = PartnerFactory(programmes=["rwm"], user=UserFactory(username="rwm", is_staff=False))
    booking = job(status="started", partner=partner)
    response = client_for(partner.user).post(
        "/api/v1/oos-tickets/", oos_body(booking), format="json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "oos_refused_rwm_partner"
    assert not CaseEvent.objects.filter(case__booking=booking).exists()


def test_oos_request_fields_are_validated(ps_api):
    response = ps_api.post(
        "/api/v1/oos-tickets/", {"booking": 1, "latitude": "95", "longitude": "0"}, format="json"
    )
    assert response.status_code == 400
    assert {"latitude", "images"} <= set(response.json()["errors"])


def test_scenario_4_paf_is_visible_to_payouts(agent_api):
    case = case_on("revisit_partner_fault", revisit_of(job(status="completed")))
    agent_api.post(
        f"/api/v1/cases/{case.pk}/flows/revisit.scenario_4/",
        {"partner_failure": "unresponsive"},
        format="json",
    )
    paf = PartnerAtFault.objects.get()
    assert paf.case_id == case.pk
    assert paf.reason == "The partner was unresponsive to the customer"
