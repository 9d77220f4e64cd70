"""The outbox: events are written in the transaction of the change they report (none when it
rolls back or is refused), carry exactly their catalogued fields, and the catalogue, the code
that records and the OpenAPI webhooks agree."""

import re
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, ProgrammingError, transaction
from django.test import Client
from django.utils import timezone

from cases.models import Case
from cases.services import create_case, transition_case, update_case
from core.errors import NotPermitted, TransitionConflict
from events.catalogue import catalogue, event_type
from events.models import OutboxEvent
from events.services import EventShapeError, record_event
from partners.services import mark_slot, remove_slot
from payouts import services as payouts
from tests.factories import BookingFactory, PafFactory, PartnerFactory, RefundFactory
from tests.factories.cases import tag_for
from tests.helpers import case_in, opened

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# The types the events issue names; the catalogue may hold more, never fewer.
REQUIRED = {
    "case.created", "case.status_changed", "case.assigned", "case.escalated", "case.resolved",
    "case.sla_breached", "booking.created", "booking.allocated", "booking.rescheduled",
    "booking.cancelled", "partner.slots_blocked", "partner.slots_released", "paf.marked",
    "paf.reversed", "penalty.scheduled", "penalty.cancelled", "refund.approved", "refund.paid",
    "goodwill.credited", "reversal_request.decided", "payout_run.approved", "payout_run.paid",
    "task.created", "task.overdue",
}  # fmt: skip


def of_type(name: str) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(type=name).order_by("id"))


# --- the catalogue, the code and the schema agree ------------------------------------------


def _declared_in_source() -> dict[str, str]:
    """type name -> the constant it is declared as, over every app's events module."""
    found = {}
    for path in ROOT.glob("*/events.py"):
        text = path.read_text()
        for constant, name in re.findall(r'^(\w+) = declare\(\s*"([^"]+)"', text, re.M):
            found[name] = constant
    return found


def test_the_catalogue_holds_every_type_the_issue_names():
    assert {kind.name for kind in catalogue()} >= REQUIRED


def test_every_declared_type_is_recorded_by_some_code_and_every_recorded_one_declared():
    declared = _declared_in_source()
    assert set(declared) == {kind.name for kind in catalogue()}
    sources = "\n".join(
        p.read_text()
        for p in ROOT.glob("*/**/*.py")
        if "tests" not in p.parts and ".venv" not in p.parts
    )
    for name, constant in declared.items():
        calls = re.findall(rf"(?:record_event|pending_event)\(\s*{constant}\b", sources)
        assert calls, f"{name} ({constant}) is declared but nothing records it"
    # nothing records a type by a bare string that is not in the catalogue
    for name in re.findall(r'record_event\(\s*"([^"]+)"', sources):
        event_type(name)


def test_the_schema_documents_every_type_as_a_webhook_with_an_example():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    if response.status_code in (401, 403):  # the schema may be staff-only
        from tests.factories import UserFactory

        client = Client()
        client.force_login(UserFactory(role="supervisor"))
        response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    webhooks = schema["webhooks"]
    assert set(webhooks) == {kind.name for kind in catalogue()}
    for kind in catalogue():
        body = webhooks[kind.name]["post"]["requestBody"]["content"]["application/json"]
        assert body["example"]["type"] == kind.name
        assert set(body["example"]["data"]) == kind.fields
        assert set(body["schema"]["properties"]["data"]["properties"]) == kind.fields


def test_a_payload_with_other_fields_than_its_type_declares_is_refused():
    case = case_in("open")
    with pytest.raises(EventShapeError, match="missing"):
        record_event("case.assigned", ("case", case.pk), {"case_id": case.pk})
    with pytest.raises(EventShapeError, match="about a case"):
        record_event(
            "case.assigned",
            ("booking", 1),
            {"case_id": 1, "assignee_id": 1, "previous_assignee_id": None, "actor_id": None},
        )
    with pytest.raises(LookupError):
        record_event("case.vanished", ("case", case.pk), {})
    assert not OutboxEvent.objects.exists()


def test_an_event_is_never_changed_nor_removed():
    case = opened()
    event = of_type("case.created")[0]
    with pytest.raises(ProgrammingError), transaction.atomic():
        OutboxEvent.objects.filter(pk=event.pk).update(type="case.other")
    with pytest.raises(ProgrammingError), transaction.atomic():
        OutboxEvent.objects.filter(pk=event.pk).delete()
    assert OutboxEvent.objects.get(pk=event.pk).subject == f"case:{case.pk}"


# --- in the transaction of the change -------------------------------------------------------


def test_opening_a_case_records_case_created_with_its_facts(agent):
    case = opened(actor=agent, kind="status_check")
    [event] = of_type("case.created")
    assert event.subject == f"case:{case.pk}"
    assert event.version == 1
    assert event.payload["case_id"] == case.pk
    assert event.payload["kind"] == "status_check"
    assert event.payload["booking_id"] == case.booking_id
    assert event.payload["actor_id"] == agent.pk
    envelope = event.envelope()
    assert envelope["id"] == event.webhook_id and envelope["id"].startswith("evt_")
    assert envelope["data"] == event.payload


def test_a_case_opened_in_a_transaction_that_rolls_back_leaves_no_event(agent):
    booking = BookingFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        create_case(
            actor=agent,
            kind="status_check",
            channel="inbound_call",
            reporter="customer",
            subject="Where is my partner?",
            booking=booking,
        )
        raise RuntimeError("the caller fails after the case was written")
    assert not Case.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_a_transition_records_status_changed_in_its_own_statement(agent):
    case = opened()
    transition_case(case_id=case.pk, name="open", actor=agent, reason="Picked up")
    [event] = of_type("case.status_changed")
    assert event.payload == {
        "case_id": case.pk,
        "transition": "open",
        "from_status": "new",
        "to_status": "open",
        "reason": "Picked up",
        "actor_id": agent.pk,
        "policy_version": event.payload["policy_version"],
    }
    assert event.payload["policy_version"]


def test_a_refused_transition_records_nothing(agent):
    case = case_in("resolved")
    before = OutboxEvent.objects.count()
    with pytest.raises(TransitionConflict):
        transition_case(case_id=case.pk, name="open", actor=agent)
    assert OutboxEvent.objects.count() == before


def test_a_transition_rolled_back_by_its_caller_leaves_no_event(agent):
    case = opened()
    with pytest.raises(RuntimeError), transaction.atomic():
        transition_case(case_id=case.pk, name="open", actor=agent)
        raise RuntimeError("rolled back")
    assert not of_type("case.status_changed")
    case.refresh_from_db()
    assert case.status == "new"


def test_resolving_records_status_changed_and_resolved_with_the_tag(agent):
    case = case_in("open", kind="status_check")
    tag = tag_for("status_check")
    transition_case(
        case_id=case.pk, name="resolve", actor=agent, data={"disposition": tag.path}, reason="Done"
    )
    assert [e.payload["to_status"] for e in of_type("case.status_changed")] == ["resolved"]
    [resolved] = of_type("case.resolved")
    assert resolved.payload["disposition"] == tag.path
    assert resolved.payload["actor_id"] == agent.pk


def test_assigning_records_case_assigned(agent, agent2):
    case = case_in("open")
    update_case(case_id=case.pk, actor=agent, changes={"assignee": agent2})
    [event] = of_type("case.assigned")
    assert event.payload["assignee_id"] == agent2.pk
    assert event.payload["previous_assignee_id"] is None
    update_case(case_id=case.pk, actor=agent, changes={"priority": "high"})
    assert len(of_type("case.assigned")) == 1  # another field: no assignment event


def test_a_partner_marked_at_fault_and_the_penalty_are_recorded():
    from tests.helpers import revisit_job, revisit_penalty

    paf = payouts.mark_paf(booking=revisit_job("1000.00"), reason="no_show", actor=None)
    penalty = revisit_penalty(paf)
    [marked] = of_type("paf.marked")
    assert marked.payload["paf_id"] == paf.pk and marked.payload["state"] == "pending_review"
    assert marked.subject == f"partner:{penalty.partner_id}"
    [scheduled] = of_type("penalty.scheduled")
    assert scheduled.payload["penalty_id"] == penalty.pk
    assert Decimal(scheduled.payload["amount"]) == penalty.amount
    assert scheduled.payload["currency"] == penalty.currency


def test_approving_goodwill_records_refund_approved_and_goodwill_credited(finance_user):
    goodwill = RefundFactory(reason="goodwill_no_show", amount=Decimal("150.00"))
    payouts.approve_refund(refund_id=goodwill.pk, actor=finance_user)
    [approved] = of_type("refund.approved")
    assert approved.payload["refund_id"] == goodwill.pk and approved.payload["amount"] == "150.00"
    [credited] = of_type("goodwill.credited")
    assert credited.subject == f"booking:{goodwill.booking_id}"
    payouts.mark_refund_paid(refund_id=goodwill.pk, actor=finance_user, payment_reference="UTR-1")
    [paid] = of_type("refund.paid")
    assert paid.payload["payment_reference"] == "UTR-1"


def test_a_refund_that_is_not_goodwill_credits_no_goodwill(finance_user):
    refund = RefundFactory(reason="wrong_job")
    payouts.approve_refund(refund_id=refund.pk, actor=finance_user)
    assert len(of_type("refund.approved")) == 1
    assert not of_type("goodwill.credited")


def test_a_refund_approval_refused_records_nothing(finance_user):
    refund = RefundFactory(requested_by=finance_user)
    with pytest.raises(NotPermitted):  # nobody approves their own request
        payouts.approve_refund(refund_id=refund.pk, actor=finance_user)
    assert not of_type("refund.approved")


def test_blocking_and_releasing_a_partners_days_are_recorded(agent):
    partner = PartnerFactory()
    start = timezone.now() + timedelta(days=1)
    slot = mark_slot(
        partner=partner,
        starts_at=start,
        ends_at=start + timedelta(days=2),
        status="on_leave",
        actor=agent,
        note="Blocked for 2 days",
    )
    [blocked] = of_type("partner.slots_blocked")
    assert blocked.payload["slot_id"] == slot.pk and blocked.payload["status"] == "on_leave"
    remove_slot(slot_id=slot.pk, actor=agent)
    [released] = of_type("partner.slots_released")
    assert released.payload["slot_id"] == slot.pk
    assert released.subject == f"partner:{partner.pk}"


def test_cancelling_a_booking_records_the_cancellation_code(agent):
    from cases.services.bookings import transition_booking

    booking = BookingFactory()
    transition_booking(
        booking_id=booking.pk,
        name="cancel",
        code="issue_resolved",
        cancelled_by="agent",
        actor=agent,
    )
    [cancelled] = of_type("booking.cancelled")
    assert cancelled.payload["cancellation_code"] == "issue_resolved"
    assert cancelled.payload["cancelled_by"] == "agent"


def test_a_paf_marked_twice_records_one_event():
    paf = PafFactory()
    from payouts.services import mark_paf

    again = mark_paf(booking=paf.booking, case=None, reason="no_show", actor=None)
    assert again.pk == paf.pk
    assert not of_type("paf.marked")  # the factory wrote the row directly; the repeat is a no-op


def test_an_integrity_error_inside_the_change_leaves_no_event():
    case = opened()
    count = OutboxEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        record_event(
            "case.assigned",
            ("case", case.pk),
            {
                "case_id": case.pk,
                "assignee_id": None,
                "previous_assignee_id": None,
                "actor_id": None,
            },
        )
        Case.objects.filter(pk=case.pk).update(city_id=None)
    assert OutboxEvent.objects.count() == count


def test_docs_list_every_type_of_the_catalogue():
    text = (ROOT / "docs" / "events.md").read_text()
    documented = set(re.findall(r"^### `([a-z_]+\.[a-z_]+)`", text, re.M))
    assert documented == {kind.name for kind in catalogue()}


def test_the_dispatch_kick_is_asked_once_per_commit_even_after_a_rollback(db):
    from django.db import connection, transaction

    from events.services import _kick, kick_after_commit

    def kicks() -> int:
        return sum(func is _kick for _, func, _ in connection.run_on_commit)

    with transaction.atomic():
        with transaction.atomic():
            kick_after_commit()
            kick_after_commit()
            assert kicks() == 1
            transaction.set_rollback(True)
        # The inner block rolled back, and its kick with it: the next change asks again.
        assert kicks() == 0
        kick_after_commit()
        assert kicks() == 1
        transaction.set_rollback(True)


def test_kicks_are_coalesced_until_the_asked_dispatch_starts(db, settings):
    # On the real broker: the dispatch tasks waiting in the queue are counted.
    import redis

    from config.celery import app
    from events import services

    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    name = app.conf.task_default_queue
    app.control.purge()
    services.clear_kick()
    try:
        services.ask_for_dispatch()
        services.ask_for_dispatch()  # a dispatch was asked for and has not started: no second
        assert queue.llen(name) == 1
        services.clear_kick()  # the dispatch starts
        services.ask_for_dispatch()
        assert queue.llen(name) == 2
    finally:
        app.control.purge()
        services.clear_kick()


def test_a_commit_hands_its_kick_to_a_thread_that_asks_for_the_dispatch(
    transactional_db, settings, monkeypatch
):
    import redis

    from config.celery import app
    from events import services

    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    name = app.conf.task_default_queue
    app.control.purge()
    services.clear_kick()
    committing_thread = threading.get_ident()
    asked_on: list[int] = []
    real_ask = services.ask_for_dispatch

    def ask() -> None:
        asked_on.append(threading.get_ident())
        if len(asked_on) == 1:
            raise ConnectionError("cache and broker both down")  # the thread must survive it
        real_ask()

    monkeypatch.setattr(services, "ask_for_dispatch", ask)
    try:
        with transaction.atomic():  # a real commit runs the kick
            services.kick_after_commit()
        assert services.wait_for_kicks(5)
        assert queue.llen(name) == 0  # the first ask failed; nothing raised in the committer
        with transaction.atomic():  # a real commit runs the kick
            services.kick_after_commit()
        assert services.wait_for_kicks(5)
        assert queue.llen(name) == 1
        assert len(asked_on) == 2 and committing_thread not in asked_on
    finally:
        app.control.purge()
        services.clear_kick()


def test_event_uids_are_time_ordered_version_7():
    from events.services import ordered_uuid

    first, second = ordered_uuid(), ordered_uuid()
    assert first.version == 7 and first.variant == "specified in RFC 4122"
    assert first.int >> 80 <= second.int >> 80  # milliseconds first
    assert len({ordered_uuid() for _ in range(1000)}) == 1000
