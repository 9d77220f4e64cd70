"""Two agents on one case at the same moment: exactly one wins, on two real connections."""

import threading

import pytest
from django.db import connection, connections, transaction

from cases import services
from cases.models import Case, CaseEvent, EventType
from core.errors import TransitionConflict
from tests.helpers import case_in

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


def _a_holds_the_lock_while_b_acts(case, a_move, b_act) -> dict:
    """Connection A locks the case row, lets B start and reach the lock, then makes its move
    and commits; B (its own connection) runs `b_act` meanwhile. Returns both outcomes."""
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
            return a_move()

    def agent_b():
        a_locked.wait(timeout=10)
        b_started.set()
        return b_act()

    threads = [_in_thread(agent_a, results, "a"), _in_thread(agent_b, results, "b")]
    for t in threads:
        t.join(timeout=30)
    return results


def test_second_agent_waits_for_the_lock_then_acts_on_the_new_state(agent, agent2):
    """B blocks on A's row lock and, once A commits, decides on the state A left."""
    case = case_in("open")
    results = _a_holds_the_lock_while_b_acts(
        case,
        lambda: services.transition_case(case_id=case.pk, name="mark_pending", actor=agent),
        lambda: services.transition_case(case_id=case.pk, name="wait_on_customer", actor=agent2),
    )
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
    results = _a_holds_the_lock_while_b_acts(
        case,
        lambda: services.transition_case(case_id=case.pk, name="mark_pending", actor=agent),
        # B read "open" on the page; by the time the lock frees the case is pending.
        lambda: services.transition_case(
            case_id=case.pk, name="mark_pending", actor=agent2, expected_status="open"
        ),
    )
    assert isinstance(results["a"], Case)
    assert isinstance(results["b"], TransitionConflict)
    assert CaseEvent.objects.filter(case=case, type=EventType.TRANSITION).count() == 1
