"""The one transition path is also the lean one: a read and one compare-and-set statement that
writes only the fields the transition changed, with its audit event."""

import threading

import pytest
from django.db import connection, connections, transaction

from cases import services
from cases.models import Case, CaseEvent, EventType
from core.roles import has_role
from policies.selectors import policy_in_force
from tests.factories import tag_for
from tests.helpers import case_in


@pytest.mark.django_db
def test_an_uncontended_transition_costs_two_queries(agent, django_assert_num_queries):
    case = case_in("open")
    assert has_role(agent, "agent")  # the role lookup is cached on the user for the request
    policy_in_force()  # and the policy versions per process
    with django_assert_num_queries(2) as captured:
        services.transition_case(case_id=case.pk, name="mark_pending", actor=agent)
    read, write = (query["sql"] for query in captured.captured_queries)
    assert read.startswith("SELECT") and "FOR UPDATE" not in read
    assert write.startswith("WITH moved AS (UPDATE") and '"status" =' in write
    event = CaseEvent.objects.get(case=case, type=EventType.TRANSITION)
    assert (event.from_state, event.to_state, event.actor_id) == ("open", "pending", agent.pk)


@pytest.mark.django_db
def test_a_transition_writes_only_the_fields_it_changed(agent):
    case = case_in("open")
    tag = tag_for(case.kind)
    # Another writer set the tag after this agent's read and before its write.
    stale = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(disposition=tag)
    services.transition_case(case_id=stale.pk, name="mark_pending", actor=agent)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == "pending"
    assert fresh.disposition_id == tag.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_concurrent_field_change_is_not_lost_to_a_transition(agent):
    """A holds the row (a flow recording the decision's tag); B moves the case meanwhile and
    waits on A's lock: B's write keeps A's tag, and B's event is written once."""
    case = case_in("open")
    tag = tag_for(case.kind)
    a_locked, results = threading.Event(), {}

    def a():
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)
                a_locked.set()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.4)")
                Case.objects.filter(pk=case.pk).update(disposition=tag)
        finally:
            connections.close_all()

    def b():
        try:
            a_locked.wait(timeout=10)
            results["b"] = services.transition_case(
                case_id=case.pk, name="mark_pending", actor=agent
            )
        except Exception as exc:  # asserted below
            results["b"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert isinstance(results["b"], Case), results
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.disposition_id) == ("pending", tag.pk)
    assert CaseEvent.objects.filter(case=case, type=EventType.TRANSITION).count() == 1


@pytest.mark.django_db
def test_an_unknown_case_is_a_404(agent):
    from core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.transition_case(case_id=0, name="open", actor=agent)
