"""One walk over the whole ActionKind enum: each kind, in a decision applied to a case that
fits it, is carried out by its handler (a record, a state change, a booking change, said on
the contact) or becomes a task with an owner team and a due time. Nothing is left as text."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Case, Task
from flows import runner
from payouts.models import PartnerAtFault
from policies.actions import ActionKind
from policies.decision import Action, Decision
from tests.helpers import case_on, job, revisit_of

pytestmark = pytest.mark.django_db

PERFORMED = {"applied", "already_done", "recorded", "told_on_contact", "this_case"}
PERFORMED |= {"not_on_mg_plan", "no_paf", "no_duplicate", "not_applicable"}


def _revisit_case(**kwargs):
    original = job(status="completed", invoice_amount=Decimal("1000.00"))
    return case_on("revisit_partner_fault", revisit_of(original), **kwargs)


def _paf_case(**kwargs):
    case = _revisit_case(**kwargs)
    booking = case.booking
    PartnerAtFault.objects.create(partner=booking.partner, booking=booking, reason="x")
    return case


def _future_case(kind="pre_service_cancellation", **kwargs):
    return case_on(kind, job(days_ago=-2), **kwargs)


def _follow_up(**kwargs):
    return case_on("follow_up_second_appointment", job(status="completed"), **kwargs)


def _from_app(kind="out_of_scope"):
    return case_on(kind, job(status="started"), channel="partner_app", reporter="partner")


IN_TWO_DAYS = timezone.now() + timedelta(days=2)

# kind -> (the case it is decided on, its params, the statuses it may end in)
WALK = {
    ActionKind.CREATE_REVISIT_BOOKING: (_revisit_case, {}, {"applied"}),
    ActionKind.MARK_SME_REVISIT: (_revisit_case, {}, {"not_applicable"}),
    ActionKind.MARK_PAF: (_revisit_case, {"reason": "no_show"}, {"applied"}),
    ActionKind.CREATE_PENALTY: (_paf_case, {"path": "revisit_scenario_4"}, {"applied"}),
    ActionKind.NO_PAF: (_revisit_case, {}, {"recorded"}),
    ActionKind.REFUSE_REVERSAL: (_paf_case, {"reason": "genuine"}, {"applied"}),
    ActionKind.OFFER_REVERSAL_FORM: (_paf_case, {}, {"applied", "task"}),
    ActionKind.CREATE_REFUND: (
        _future_case,
        {"amount": Decimal("100"), "reason": "other"},
        {"applied"},
    ),
    ActionKind.DEDUCT_FROM_PARTNER: (_future_case, {"amount": Decimal("100")}, {"task"}),
    ActionKind.PARTNER_BONUS: (_future_case, {"amount": Decimal("100")}, {"applied"}),
    ActionKind.PARK: (_future_case, {"hours": 3}, {"applied"}),
    ActionKind.UNPARK: (_future_case, {}, {"already_done"}),
    ActionKind.SET_STATUS: (_future_case, {"status": "pending"}, {"applied"}),
    ActionKind.SET_PRIORITY: (_future_case, {"priority": "high"}, {"applied"}),
    ActionKind.ASSIGN_TEAM: (_future_case, {"team": "engineering operations"}, {"applied"}),
    ActionKind.SET_TICKET_VIEW: (_follow_up, {"status": "pending", "priority": "low"}, {"applied"}),
    ActionKind.CANCEL_BOOKING: (
        _future_case,
        {"code": "customer_voc", "cancelled_by": "customer"},
        {"applied"},
    ),
    ActionKind.RESCHEDULE_BOOKING: (_future_case, {"preferred_slot": IN_TWO_DAYS}, {"applied"}),
    ActionKind.ASK_CUSTOMER_TO_CANCEL: (_future_case, {"code": "x"}, {"told_on_contact"}),
    ActionKind.ASK_PARTNER_TO_CANCEL: (_future_case, {"code": "x"}, {"task"}),
    ActionKind.CALL_PARTNER: (_future_case, {"purpose": "confirm"}, {"task"}),
    ActionKind.CALL_CUSTOMER: (_from_app, {"purpose": "confirm"}, {"task"}),
    ActionKind.ESCALATE: (_future_case, {"to": "supervisor", "reason": "x"}, {"applied"}),
    ActionKind.REQUEST_IMAGES: (_from_app, {"from_party": "partner"}, {"task"}),
    ActionKind.CLOSE_AT_BPC: (_from_app, {}, {"task"}),
    ActionKind.RATING_REVERSAL_FORM: (_revisit_case, {}, {"applied"}),
    ActionKind.EXCLUDE_FROM_MG_PLAN: (_from_app, {}, {"not_on_mg_plan"}),
    ActionKind.SCHEDULE_FOLLOWUP: (_follow_up, {"at_hours": 8, "purpose": "first_call"}, {"task"}),
    ActionKind.CREATE_COMPLAINT_TICKET: (_follow_up, {"subject": "missing services"}, {"applied"}),
    ActionKind.SEND_OB_FORM: (_future_case, {"tat_hours": 24}, {"task"}),
    ActionKind.RECORD_TAG: (_future_case, {"tag": "Inbound >> Enquiry"}, {"applied"}),
    ActionKind.ROUTE_TO_SOP: (_revisit_case, {"sop": "revisit payment SOP"}, {"task"}),
    ActionKind.ASSIGN_PARTNER: (_future_case, {"preferred": False}, {"applied", "task"}),
    ActionKind.REVERSE_PAF: (_from_app, {"when": "training_or_review_date"}, {"task"}),
    ActionKind.REOPEN_BOOKING: (_revisit_case, {"reason": "warranty"}, {"task"}),
    ActionKind.CREATE_VISIT: (_follow_up, {"at": IN_TWO_DAYS}, {"applied"}),
    ActionKind.CONVERT_ORDER: (
        _follow_up,
        {"from_status": "complete", "to_status": "reschedule"},
        {"applied"},
    ),
    ActionKind.BLOCK_PARTNER_SLOTS: (_follow_up, {"days": 2}, {"applied"}),
    ActionKind.START_CLOCK: (_follow_up, {"clock": "followup_close", "days": 7}, {"applied"}),
}


def test_the_walk_covers_the_enum():
    assert set(WALK) == set(ActionKind)


@pytest.mark.parametrize("kind", sorted(ActionKind, key=str))
def test_every_action_kind_is_carried_out_or_a_task(kind, agent, partner_support):
    make_case, params, allowed = WALK[kind]
    case = make_case()
    actor = partner_support if kind == ActionKind.RATING_REVERSAL_FORM else agent
    action = Action.of(kind, **params)
    decision = Decision(
        outcome="walk", actions=(action,), tag=None, reason="walk", policy_version="sop-2026.1"
    )
    case = Case.objects.select_related("city__region", "booking__partner").get(pk=case.pk)
    event = runner.apply_decision(case, decision, actor)
    [step] = event.payload["actions_applied"]
    assert step["kind"] == kind.value
    assert step["status"] in allowed, step
    tasks = list(Task.objects.filter(decision=event))
    if step["status"] == "task":
        [task] = tasks
        assert task.kind == kind.value and task.owner_team and task.title
        assert task.due_at > event.at - timedelta(seconds=5)
        assert event.payload["tasks"][0]["title"] == task.title
    else:
        assert step["status"] in PERFORMED
        assert tasks == []


def _bookings() -> dict[int, tuple]:
    from cases.models import Booking

    fields = [f.attname for f in Booking._meta.concrete_fields]
    return {row[0]: row for row in Booking.objects.order_by("pk").values_list("pk", *fields)}


@pytest.mark.parametrize("kind", sorted(ActionKind, key=str))
def test_every_booking_change_leaves_its_event(kind, agent, partner_support):
    # No handler writes a booking around the booking services: a changed booking has a new
    # event on its trail, a new booking its booking.created in the outbox.
    from cases.models import BookingEvent
    from events.models import OutboxEvent

    make_case, params, _ = WALK[kind]
    case = make_case()
    actor = partner_support if kind == ActionKind.RATING_REVERSAL_FORM else agent
    decision = Decision(
        outcome="walk",
        actions=(Action.of(kind, **params),),
        tag=None,
        reason="walk",
        policy_version="sop-2026.1",
    )
    before = _bookings()
    trail = {b: BookingEvent.objects.filter(booking_id=b).count() for b in before}
    outbox = OutboxEvent.objects.count()
    case = Case.objects.select_related("city__region", "booking__partner").get(pk=case.pk)
    runner.apply_decision(case, decision, actor)
    after = _bookings()
    changed = [b for b in before if after[b] != before[b]]
    for booking_id in changed:
        assert BookingEvent.objects.filter(booking_id=booking_id).count() > trail[booking_id], (
            f"{kind}: booking {booking_id} changed without an event on its trail"
        )
    subjects = set(OutboxEvent.objects.order_by("id")[outbox:].values_list("type", "subject"))
    for booking_id in set(after) - set(before):
        assert ("booking.created", f"booking:{booking_id}") in subjects, kind


def test_a_reschedule_leaves_its_event_and_keeps_state_and_partner(agent):
    from cases.models import BookingEvent
    from events.models import OutboxEvent

    case = _future_case()
    booking = case.booking
    status, partner = booking.status, booking.partner_id
    decision = Decision(
        outcome="walk",
        actions=(Action.of(ActionKind.RESCHEDULE_BOOKING, preferred_slot=IN_TWO_DAYS),),
        tag=None,
        reason="walk",
        policy_version="sop-2026.1",
    )
    case = Case.objects.select_related("city__region", "booking__partner").get(pk=case.pk)
    runner.apply_decision(case, decision, agent)
    booking.refresh_from_db()
    assert booking.booking_time == IN_TWO_DAYS
    assert (booking.status, booking.partner_id) == (status, partner)
    event = BookingEvent.objects.get(booking=booking, transition="reschedule")
    assert (event.from_state, event.to_state, event.actor) == (status, status, agent)
    assert event.payload["booking_time_to"] == IN_TWO_DAYS.isoformat()
    sent = OutboxEvent.objects.get(type="booking.rescheduled", subject=f"booking:{booking.pk}")
    second = IN_TWO_DAYS.strftime("%Y-%m-%dT%H:%M:%S")
    assert sent.payload["booking_time"].startswith(second)
    assert not sent.payload["previous_booking_time"].startswith(second)
    # The same decision again moves nothing and records nothing more.
    case = Case.objects.select_related("city__region", "booking__partner").get(pk=case.pk)
    again = runner.apply_decision(case, decision, agent)
    assert again.payload["actions_applied"][0]["status"] == "already_done"
    assert BookingEvent.objects.filter(booking=booking, transition="reschedule").count() == 1
