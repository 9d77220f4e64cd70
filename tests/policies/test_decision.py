"""Decision and Action value objects, plus static checks over every decision module."""

import ast
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from policies.decision import ACTION_KINDS, Action, Decision, make_decision, to_jsonable
from policies.parameters import DEFAULT_POLICY, Policy

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
# Every module of the SOP package, and the vocabulary the decisions are written in.
DECISION_MODULES = [
    *(str(path.relative_to(POLICIES_DIR)) for path in sorted((POLICIES_DIR / "sop").rglob("*.py"))),
    "calendar.py",
    "decision.py",
    "actions.py",
]

AGREED_KINDS = {
    "create_revisit_booking",
    "mark_sme_revisit",
    "mark_paf",
    "create_penalty",
    "no_paf",
    "refuse_reversal",
    "offer_reversal_form",
    "create_refund",
    "deduct_from_partner",
    "partner_bonus",
    "park",
    "unpark",
    "set_status",
    "set_priority",
    "assign_team",
    "set_ticket_view",
    "cancel_booking",
    "reschedule_booking",
    "ask_customer_to_cancel",
    "ask_partner_to_cancel",
    "call_partner",
    "call_customer",
    "escalate",
    "request_images",
    "close_at_bpc",
    "rating_reversal_form",
    "exclude_from_mg_plan",
    "schedule_followup",
    "create_complaint_ticket",
    "send_ob_form",
    "record_tag",
    "route_to_sop",
}


def test_vocabulary_includes_every_agreed_kind():
    assert AGREED_KINDS <= ACTION_KINDS


def test_action_of_keeps_parameter_order_and_reads_them():
    action = Action.of("create_refund", amount=Decimal("100"), reason="goodwill")
    assert action.params == (("amount", Decimal("100")), ("reason", "goodwill"))
    assert action.param("amount") == Decimal("100")
    assert action.param("missing", "default") == "default"


def test_unknown_action_kind_is_refused():
    with pytest.raises(ValueError):
        Action.of("send_flowers")


def test_actions_and_decisions_are_hashable_values():
    action = Action.of("escalate", to="x", cc=["a", "b"])
    assert action.param("cc") == ("a", "b")
    decision = make_decision(
        DEFAULT_POLICY,
        sop="Test SOP",
        outcome="done",
        reason="because",
        actions=[action],
        inputs={"attempts": [(date(2026, 1, 1), "no_answer")]},
    )
    assert hash(decision) == hash(decision)
    assert decision.input("attempts") == ((date(2026, 1, 1), "no_answer"),)


def test_make_decision_cites_sop_and_version():
    policy = Policy(version="test-9")
    decision = make_decision(policy, sop="Revisit SOP", outcome="x", reason="why")
    assert decision.reason == "Revisit SOP: why (policy test-9)"
    assert decision.policy_version == "test-9"
    assert decision.code == "x"
    assert decision.refused is False
    assert decision.tag is None


def test_decision_helpers():
    decision = make_decision(
        DEFAULT_POLICY,
        sop="S",
        outcome="o",
        reason="r",
        actions=[Action.of("park", hours=3), Action.of("call_partner"), Action.of("park")],
    )
    assert decision.action_kinds == ("park", "call_partner", "park")
    assert decision.has_action("call_partner")
    assert not decision.has_action("unpark")
    assert decision.action("park") == Action.of("park", hours=3)
    assert decision.action("unpark") is None


def test_decision_to_dict_is_json_for_the_audit_trail():
    decision = make_decision(
        DEFAULT_POLICY,
        sop="Revisit SOP",
        outcome="paf_and_penalty_marked",
        reason="r",
        actions=[Action.of("create_penalty", rate=Decimal("0.60"), amount=Decimal("600.00"))],
        tag="1.3 Money-revisit issue : revisit work related info",
        refused=False,
        inputs={"service_date": date(2026, 10, 1), "at": datetime(2026, 10, 2, 9, 30)},
    )
    data = decision.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["actions"] == [
        {"kind": "create_penalty", "params": {"rate": "0.60", "amount": "600.00"}}
    ]
    assert data["inputs"] == {"service_date": "2026-10-01", "at": "2026-10-02T09:30:00"}
    assert data["policy_version"] == "sop-2026.1"
    assert data["outcome"] == "paf_and_penalty_marked"


def test_to_jsonable_refuses_unknown_objects():
    with pytest.raises(TypeError):
        to_jsonable(object())


def test_decision_requires_actions_and_outcome():
    with pytest.raises(ValueError):
        Decision(outcome="", actions=(), tag=None, reason="r", policy_version="v")
    with pytest.raises(TypeError):
        Decision(outcome="o", actions=("park",), tag=None, reason="r", policy_version="v")


def _tree(name: str) -> ast.Module:
    return ast.parse((POLICIES_DIR / name).read_text(), filename=name)


@pytest.mark.parametrize("module", DECISION_MODULES)
def test_every_action_kind_written_in_code_is_in_the_vocabulary(module):
    for node in ast.walk(_tree(module)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "of"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            assert node.args[0].value in ACTION_KINDS, (module, node.args[0].value)


# Numbers a decision module may write: 0 and 1 (counting, "1 + rate"), geometry in oos.py and
# weekday numbers in calendar.py. None of them is an SOP number.
ALLOWED_NUMBERS = {"sop/oos.py": {2, 90, 6_371_008.8}, "calendar.py": {4, 5, 6, 7}}


@pytest.mark.parametrize("module", DECISION_MODULES)
def test_no_sop_number_is_a_literal_in_decision_code(module):
    allowed = {0, 1} | ALLOWED_NUMBERS.get(module, set())
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            assert node.value in allowed, f"{module}:{node.lineno} literal {node.value}"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Decimal"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            raise AssertionError(f"{module}:{node.lineno} Decimal literal in decision code")


@pytest.mark.parametrize("module", DECISION_MODULES)
def test_decision_code_reads_no_clock_and_no_orm(module):
    source = (POLICIES_DIR / module).read_text()
    for forbidden in ("datetime.now", "date.today", "timezone.now", "time.time", "django"):
        assert forbidden not in source, (module, forbidden)
