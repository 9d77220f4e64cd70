"""core.joined.JoinedRead reads a row and its relations as select_related would, in one
statement written once."""

import pytest

from cases.models import Case, DispositionTag, Task
from core.joined import JoinedRead
from tests.factories import CaseFactory, TaskFactory

pytestmark = pytest.mark.django_db

PATHS = ("booking", "customer", "partner", "city__region", "disposition")


def _same_fields(ours, theirs) -> None:
    assert type(ours) is type(theirs)
    for field in type(theirs)._meta.concrete_fields:
        assert getattr(ours, field.attname) == getattr(theirs, field.attname), field.name


def test_a_case_and_its_relations_are_what_select_related_gives_with_no_more_queries(
    django_assert_num_queries,
):
    case = CaseFactory(subject="Joined read", disposition=DispositionTag.objects.first())
    read = JoinedRead(Case, *PATHS)
    with django_assert_num_queries(1):
        ours = read.get(case.pk)
        # Reading the relations afterwards asks the database nothing.
        related = (ours.booking, ours.customer, ours.partner, ours.city.region, ours.disposition)
    theirs = Case.objects.select_related(*PATHS).get(pk=case.pk)
    _same_fields(ours, theirs)
    for mine, orms in zip(
        related,
        (theirs.booking, theirs.customer, theirs.partner, theirs.city.region, theirs.disposition),
        strict=True,
    ):
        _same_fields(mine, orms)
    assert ours.subject == "Joined read" and ours.disposition is not None
    assert not ours._state.adding and ours._state.db == "default"


def test_an_empty_relation_is_none_and_so_is_what_hangs_below_it(django_assert_num_queries):
    case = CaseFactory(booking=None, customer=None, partner=None)
    with django_assert_num_queries(1):
        ours = JoinedRead(Case, "booking__customer", "partner", "disposition").get(case.pk)
        assert ours.booking is None and ours.partner is None and ours.disposition is None


def test_json_columns_are_decoded_as_the_orm_decodes_them():
    task = TaskFactory(params={"amount": "250.00", "days": [1, 2]})
    ours = JoinedRead(Task, "case__city").get(task.pk)
    assert ours.params == {"amount": "250.00", "days": [1, 2]}
    assert ours.case.pk == task.case_id and ours.case.city.pk == task.case.city_id


def test_no_row_is_none_even_for_an_id_no_column_can_hold():
    read = JoinedRead(Case, "booking")
    assert read.get(0) is None
    assert read.get(2**63) is None  # out of bigint's range: nothing, not a database error


def test_only_forward_foreign_keys_may_be_joined():
    with pytest.raises(TypeError, match="not a forward foreign key"):
        JoinedRead(Case, "tasks")
    with pytest.raises(TypeError, match="subject: not a forward foreign key"):
        JoinedRead(Case, "subject")
