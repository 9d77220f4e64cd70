"""The audit trail is append-only at the database level."""

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from cases import services
from cases.models import CaseEvent
from tests.helpers import case_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(agent):
    case = case_in("new")
    services.transition_case(case_id=case.pk, name="open", actor=agent, reason="first")
    return CaseEvent.objects.get(case=case)


def test_orm_update_is_refused(event):
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    event.refresh_from_db()
    assert event.reason == "first"


def test_orm_delete_is_refused(event):
    with pytest.raises(ProgrammingError), transaction.atomic():
        event.delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_and_delete_are_refused(event):
    for sql in (
        "UPDATE cases_caseevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM cases_caseevent WHERE id = %s",
    ):
        with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).reason == "first"


def test_appending_still_works(event, agent):
    services.add_note(case_id=event.case_id, actor=agent, text="called the customer")
    assert CaseEvent.objects.filter(case_id=event.case_id).count() == 2
