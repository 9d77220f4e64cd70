"""The flow registry covers every SOP decision and every case kind, derives what each flow
asks from its decision function, and every tag a flow can record resolves in the taxonomy."""

import inspect
from datetime import date
from decimal import Decimal

import pytest

from cases.catalog import CaseKind
from cases.taxonomy import TAXONOMY
from flows.coverage import sample_decisions
from flows.inputs import (
    BOOL,
    CHOICE,
    DATE,
    DATETIME,
    DECIMAL,
    INPUT_TYPES,
    INT,
    LIST,
    STR,
    FieldError,
    InputSpec,
)
from flows.table import FLOWS, flows_for_kind
from policies.decision import Decision
from policies.sop import followups, l1, oos, painting, pre_services, revisits

SOP_MODULES = [revisits, l1, pre_services, oos, followups, painting]


def decision_functions():
    """Every public function of the SOP modules that returns a Decision."""
    for module in SOP_MODULES:
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and inspect.signature(value).return_annotation in ("Decision", Decision)
            ):
                yield value


# Decisions a service takes where it writes, never asked of an agent: the revisit penalty's
# SOP path is checked by payouts.services.create_revisit_penalty for every caller.
SERVICE_DECISIONS = {revisits.decide_revisit_penalty}


def test_every_decision_function_has_a_flow():
    registered = {flow.decide for flow in FLOWS.values()} | SERVICE_DECISIONS
    missing = [f"{f.__module__}.{f.__name__}" for f in decision_functions() if f not in registered]
    assert missing == []


@pytest.mark.django_db
def test_every_case_kind_has_a_flow_but_those_the_system_opens():
    from cases.catalog import SYSTEM_OPENED_KINDS
    from cases.models import DispositionTag

    without = [kind for kind in CaseKind.values if not flows_for_kind(kind)]
    assert without == list(SYSTEM_OPENED_KINDS)
    for kind in SYSTEM_OPENED_KINDS:  # people resolve them with a tag of their own
        assert DispositionTag.objects.filter(is_selectable=True, kinds__contains=[kind]).exists()


def test_flow_names_say_their_sop_and_scenario():
    assert "revisit.scenario_4" in FLOWS
    for name, flow in FLOWS.items():
        assert name == flow.name
        assert "." in name and flow.kinds and flow.title


def test_inputs_come_from_the_function_signature_minus_policy():
    flow = FLOWS["revisit.scenario_4"]
    assert [spec.name for spec in flow.parameters] == ["partner_failure", "original_invoice_amount"]
    failure, invoice = flow.parameters
    assert failure.type == CHOICE and "no_show" in failure.choices
    assert invoice.type == DECIMAL and invoice.required
    scenario_3 = {spec.name: spec for spec in FLOWS["revisit.scenario_3"].parameters}
    sku = scenario_3["customer_accepts_new_sku"]
    assert (sku.type, sku.nullable, sku.required) == (BOOL, True, False)
    reschedule = {spec.name: spec for spec in FLOWS["l1.status_check_open"].parameters}
    assert reschedule["preferred_date"].type == DATE
    assert reschedule["spd_breached"].required is False  # has a default


def test_every_input_has_a_known_type():
    for flow in FLOWS.values():
        for spec in flow.parameters:
            assert spec.type in INPUT_TYPES, (flow.name, spec.name)
            if spec.type == CHOICE:
                assert spec.choices, (flow.name, spec.name)


@pytest.mark.parametrize(
    "spec, raw, expected",
    [
        (InputSpec("x", BOOL), True, True),
        (InputSpec("x", BOOL), "false", False),
        (InputSpec("x", DECIMAL, minimum=Decimal(0)), 499.99, Decimal("499.99")),
        (InputSpec("x", DECIMAL, minimum=Decimal(0)), "500", Decimal("500")),
        (InputSpec("x", INT), "2", 2),
        (InputSpec("x", DATE), "2026-03-01", date(2026, 3, 1)),
        (InputSpec("x", CHOICE, choices=("a", "b")), "b", "b"),
        (InputSpec("x", STR), "  words ", "words"),
        (InputSpec("x", LIST), "a\nb, c", ("a", "b", "c")),
        (InputSpec("x", BOOL, nullable=True), None, None),
    ],
)
def test_inputs_are_coerced(spec, raw, expected):
    assert spec.coerce(raw) == expected


@pytest.mark.parametrize(
    "spec, raw",
    [
        (InputSpec("x", BOOL), "yes please"),
        (InputSpec("x", DECIMAL, minimum=Decimal(0)), "-1"),
        (InputSpec("x", DECIMAL, minimum=Decimal(0)), "abc"),
        (InputSpec("x", DECIMAL), True),
        (InputSpec("x", INT), -3),
        (InputSpec("x", INT), 2.5),
        (InputSpec("x", DATE), "2026-13-01"),
        (InputSpec("x", DATE), "2026-03-01T10:00:00"),
        (InputSpec("x", DATETIME), "tomorrow"),
        (InputSpec("x", CHOICE, choices=("a",)), "z"),
        (InputSpec("x", BOOL), None),
    ],
)
def test_bad_inputs_are_field_errors(spec, raw):
    with pytest.raises(FieldError):
        spec.coerce(raw)


# --- every tag a flow can record resolves, for every kind the flow runs on ------------------

TAG_KINDS: dict[str, set[str]] = {}
for _path, _kinds in TAXONOMY:
    TAG_KINDS.setdefault(_path, set()).update(str(kind) for kind in _kinds)


@pytest.mark.parametrize(
    "name, kind", [(name, kind) for name in sorted(FLOWS) for kind in FLOWS[name].kinds]
)
def test_every_tag_a_flow_records_applies_to_the_case_kind(name, kind):
    flow = FLOWS[name]
    seen = 0
    for decision in sample_decisions(flow, kind):
        seen += 1
        path = flow.disposition_path(decision)
        if path is None:
            # Resolving needs a tag: a decision that resolves the case must give one.
            resolves = any(
                a.kind in ("set_status", "set_ticket_view")
                and a.param("status") == "resolved"
                and a.param("ticket") != "duplicate"
                for a in decision.actions
            )
            assert not resolves or decision.refused, (name, decision.outcome)
            continue
        assert path in TAG_KINDS, (name, decision.outcome, path)
        assert str(kind) in TAG_KINDS[path], (name, kind, decision.outcome, path)
    assert seen, f"no sample inputs reach a decision of {name}"


def test_every_action_kind_has_exactly_one_handler():
    from flows.handlers import HANDLERS
    from policies.actions import ActionKind

    assert set(HANDLERS) == set(ActionKind)
    assert all(callable(handler) for handler in HANDLERS.values())


def test_an_action_kind_without_a_handler_fails_loudly(monkeypatch):
    from flows import handlers
    from policies.actions import ActionKind
    from policies.decision import Action

    monkeypatch.delitem(handlers.HANDLERS, ActionKind.NO_PAF)
    with pytest.raises(LookupError, match="no_paf"):
        handlers.carry_out(None, Action.of(ActionKind.NO_PAF))


@pytest.mark.parametrize(
    "source, target, path",
    [
        ("new", "open", ["open"]),
        ("new", "resolved", ["open", "resolve"]),
        ("new", "waiting_on_customer", ["open", "wait_on_customer"]),
        ("pending", "waiting_on_customer", ["wait_on_customer"]),
        ("waiting_on_customer", "pending", ["resume", "mark_pending"]),
        ("parked", "open", ["unpark"]),
        ("open", "open", []),
        ("resolved", "open", None),  # reopening is for people (supervisors), not decisions
    ],
)
def test_ticket_statuses_are_reached_by_named_transitions(source, target, path):
    from flows.decision_run import status_path

    assert status_path(source, target) == path


def test_the_coverage_doc_says_what_the_system_does_for_every_outcome():
    from pathlib import Path

    from flows.coverage import markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "sop-coverage.md").read_text()
    assert markdown() in doc, "run: python manage.py sop_coverage --write"


def test_every_action_kind_is_described():
    from flows.handlers import CARRIED_OUT
    from policies.actions import ActionKind

    assert set(CARRIED_OUT) == set(ActionKind)
