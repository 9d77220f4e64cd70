"""Actions that ask people to do something: recorded on the decision as its next steps."""

from __future__ import annotations

from policies.actions import ActionKind
from policies.decision import Action

from ..decision_run import DecisionRun

# Actions no service records yet: kept as next steps until payouts (or the order system
# integration) can carry them out.
AWAITING_SERVICE = {
    ActionKind.EXCLUDE_FROM_MG_PLAN: "no payouts service excludes a booking from the MG plan yet",
    ActionKind.REVERSE_PAF: "the PAF is reversed at the training or review date",
}


def instruct(run: DecisionRun, action: Action) -> None:
    """An instruction to a person: a next step of the decision."""
    run.next_step(action)


def await_service(run: DecisionRun, action: Action) -> None:
    """A step no service carries out yet: a next step, saying what it waits for."""
    run.next_step(action, awaiting=AWAITING_SERVICE[action.kind])
