"""The flow table: every SOP scenario as a Flow, one module per SOP, as data."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from policies.decision import Decision

from ..flow import Flow
from . import follow_ups, l1, oos, pre_services, revisits

FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (
        *revisits.FLOWS,
        *l1.FLOWS,
        *pre_services.FLOWS,
        *oos.FLOWS,
        *follow_ups.FLOWS,
    )
}


def flow_named(name: str) -> Flow | None:
    """The flow of that name, or None."""
    return FLOWS.get(name)


def flows_for_kind(kind: str) -> list[Flow]:
    """The flows an agent may run on cases of a kind, in table order (not the clocks')."""
    return [flow for flow in FLOWS.values() if flow.applies_to(kind) and not flow.system]


def decision_functions() -> Iterable[Callable[..., Decision]]:
    """Every decision function some flow calls."""
    return {flow.decide for flow in FLOWS.values()}
