"""core.fsm is the one place that reaches django-fsm's private members. These tests pin what
it relies on, so a django-fsm upgrade that changes them fails here, not on the case page."""

import pytest
from django_fsm import Transition

from cases.models import Case, CaseStatus
from cases.services import transition_names
from core import fsm
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_a_transition_is_found_from_its_state_and_not_from_elsewhere():
    t = fsm.transition_from(Case, "resolve", CaseStatus.OPEN)
    assert isinstance(t, Transition) and t.name == "resolve" and t.target == CaseStatus.RESOLVED
    assert fsm.transition_from(Case, "resolve", CaseStatus.CLOSED) is None
    assert fsm.any_transition(Case, "open").custom["label"] == "Open"


def test_a_name_that_is_no_transition_is_a_lookup_error():
    with pytest.raises(LookupError):
        fsm.transition_from(Case, "save", CaseStatus.OPEN)


def test_the_permission_is_checked_without_the_conditions(agent, finance_user):
    # resolve has a condition (a tag) the case does not meet yet: the permission alone is
    # asked, as the transition path asks it before applying the caller's inputs.
    case = CaseFactory(status=CaseStatus.OPEN)
    assert fsm.may_take(case, "resolve", agent) is True
    assert fsm.may_take(case, "resolve", finance_user) is False
    assert fsm.may_take(case, "close", agent) is False  # not from open at all


def test_mark_saved_makes_the_state_the_one_saved(agent):
    # After our own statement wrote the row, a later save() must compare against the new
    # state (ConcurrentTransitionMixin): marked saved, it writes; left stale, it refuses.
    case = CaseFactory(status=CaseStatus.NEW)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.OPEN)
    case.open()
    fsm.mark_saved(case)
    case.subject = "Renamed"
    case.save()
    assert Case.objects.get(pk=case.pk).subject == "Renamed"


def test_the_button_order_lists_every_transition_once():
    assert sorted(Case.BUTTON_ORDER) == sorted(transition_names())
    assert len(set(Case.BUTTON_ORDER)) == len(Case.BUTTON_ORDER)


def test_no_module_but_the_adapter_reaches_django_fsm_private_members():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("core", "cases", "payouts", "flows", "partners", "console", "events")
        for path in (root / app).rglob("*.py")
        if path != root / "core" / "fsm.py"
        and any(m in path.read_text() for m in ("_django_fsm", "_update_initial_state"))
    ]
    assert offenders == []
