"""The baseline: every flow of the table, walked through its apply scenario
(tests/flows/test_every_flow.py), leaves decisions that replay to the same result under their
own version. A decision that cannot be replayed fails here unless its reason is listed."""

import pytest

from backtests.replay import NOT_REPLAYABLE, SAME
from backtests.services import replay_under_own_version
from cases.models import CaseEvent, EventType
from flows.table import FLOWS
from tests.flows.test_every_flow import SCENARIOS, users  # noqa: F401  (the walk's fixture)

pytestmark = pytest.mark.django_db

# Decisions whose stored inputs cannot hold everything their function reads, by flow.
NOT_REPLAYABLE_BY_DESIGN: dict[str, str] = {}


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_every_flows_decisions_replay_the_same_under_their_own_version(name, users):  # noqa: F811
    SCENARIOS[name](users)
    events = list(CaseEvent.objects.filter(type=EventType.DECISION).order_by("id"))
    assert events, f"{name}: the scenario made no decision"
    for event in events:
        result = replay_under_own_version(event.payload)
        if result.status == NOT_REPLAYABLE:
            assert NOT_REPLAYABLE_BY_DESIGN.get(result.flow) == result.why, (
                f"{event.payload.get('flow') or 'gate'}: not replayable: {result.why}"
            )
            continue
        assert result.status == SAME, (
            event.payload.get("flow"),
            event.payload["outcome"],
            result.candidate.to_dict() if result.candidate else None,
        )
