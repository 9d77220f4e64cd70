"""Two agents on one case at the same moment: exactly one wins, on two real connections."""

import threading

import pytest
from django.db import connection, connections, transaction

from cases import services
from cases.errors import TransitionConflict
from cases.models import Case, CaseEvent, EventType
from tests.cases.helpers import case_in

# serialized_rollback restores the seeded cities, tags and role groups after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _in_thread(fn, results, key, barrier=None):
    def run():
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            results[key] = fn()
        except Exception as exc:  # collected and asserted on by the test
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("attempt", range(5))
def test_two_agents_racing_one_transition_one_wins(attempt, agent, agent2):
    case = case_in("new")
    barrier = threading.Barrier(2)
    results: dict = {}
    threads = [
        _in_thread(
            lambda actor=actor: services.transition_case(case_id=case.pk, name="open", actor=actor),
            results,
            actor.username,
            barrier,
        )
        for actor in (agent, agent2)
    ]
    for t in threads:
        t.join(timeout=30)
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["Case", "TransitionConflict"], results
    assert Case.objects.get(pk=case.pk).status == "open"
    assert CaseEvent.objects.filter(case=case, type=EventType.TRANSITION).count() == 1


def test_second_agent_waits_for_the_lock_then_sees_the_new_state(agent, agent2):
    """Connection A holds the row lock and moves the case; B blocks, then gets a conflict."""
    case = case_in("open")
    results: dict = {}
    a_locked = threading.Event()
    b_started = threading.Event()

    def agent_a():
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case.pk)
            a_locked.set()
            b_started.wait(timeout=10)
            # Give B time to reach the lock and block on it while A still holds it.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_sleep(0.5)")
            return services.transition_case(case_id=case.pk, name="mark_pending", actor=agent)

    def agent_b():
        a_locked.wait(timeout=10)
        b_started.set()
        return services.transition_case(case_id=case.pk, name="wait_on_customer", actor=agent2)

    ta = _in_thread(agent_a, results, "a")
    tb = _in_thread(agent_b, results, "b")
    ta.join(timeout=30)
    tb.join(timeout=30)

    assert isinstance(results["a"], Case) and results["a"].status == "pending"
    # B re-read the row after A committed: pending → waiting_on_customer is legal, so B
    # succeeds on the fresh state instead of overwriting it blindly.
    assert isinstance(results["b"], Case) and results["b"].status == "waiting_on_customer"
    events = list(CaseEvent.objects.filter(case=case, type=EventType.TRANSITION).order_by("id"))
    assert [(e.from_state, e.to_state) for e in events] == [
        ("open", "pending"),
        ("pending", "waiting_on_customer"),
    ]


def test_locked_loser_gets_conflict_when_new_state_forbids_its_move(agent, agent2):
    case = case_in("open")
    results: dict = {}
    a_locked = threading.Event()
    b_started = threading.Event()

    def agent_a():
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case.pk)
            a_locked.set()
            b_started.wait(timeout=10)
            with connection.cursor() as cur:
                cur.execute("SELECT pg_sleep(0.5)")
            return services.transition_case(case_id=case.pk, name="mark_pending", actor=agent)

    def agent_b():
        a_locked.wait(timeout=10)
        b_started.set()
        # B read "open" on the page; by the time the lock frees the case is pending.
        return services.transition_case(
            case_id=case.pk, name="mark_pending", actor=agent2, expected_status="open"
        )

    ta = _in_thread(agent_a, results, "a")
    tb = _in_thread(agent_b, results, "b")
    ta.join(timeout=30)
    tb.join(timeout=30)
    assert isinstance(results["a"], Case)
    assert isinstance(results["b"], TransitionConflict)
    assert CaseEvent.objects.filter(case=case, type=EventType.TRANSITION).count() == 1
