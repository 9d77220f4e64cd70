"""What the system does with every outcome of every flow, for docs/sop-coverage.md: each
decision function is run over sample inputs (no database) and the actions of each outcome are
listed with how they are carried out (flows.handlers.CARRIED_OUT)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from cases.catalog import CaseKind
from policies.calendar import calendar_for
from policies.decision import Decision
from policies.parameters import DEFAULT_POLICY
from policies.sop import followups

from .flow import Flow
from .handlers import CARRIED_OUT
from .inputs import BOOL, CHOICE, DATE, DATETIME, DECIMAL, INT, LIST, STR, InputSpec
from .table import FLOWS

START = "<!-- generated: what the system does (python manage.py sop_coverage --write) -->"
END = "<!-- generated: end -->"

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=ZoneInfo("Africa/Cairo"))
SAMPLES = {
    DECIMAL: (Decimal("0"), Decimal("499.99"), Decimal("500"), Decimal("4500")),
    DATE: (TODAY - timedelta(days=2), TODAY - timedelta(days=40)),
    DATETIME: (NOW - timedelta(hours=4), NOW + timedelta(hours=1)),
    INT: (0, 1, 3),
    STR: ("", "Cairo", "Delhi", "moving house"),
    LIST: ((), ("fan",)),
}
# Values the records would fill, for the enumeration (no database here).
FILLED = {
    "attempts": ((), ((TODAY - timedelta(days=1), "no_answer"),)),
    "calendar": (calendar_for("EG", [2026]),),
    "flow": followups.FLOWS,
    "area": (None, "Cairo"),
    "ticket_status": ("waiting on customer", "open"),
    "contacted_on": (TODAY,),
    "requested_on": (TODAY,),
    "today": (TODAY,),
    "now": (NOW,),
    "at": (NOW,),
    "city": ("Delhi", "Jaipur"),
    "fraud_score": (Decimal("0.1"), Decimal("0.9")),
    "payment_mode": ("online", "cash"),
    "distance_m": (10.0, 900.0),
    "new_appointment_at": (None,),
}
LIMIT = 4000


def sample_values(spec: InputSpec, kind: str) -> tuple:
    """The values a parameter is tried with."""
    if spec.name == "flow":
        first = kind == CaseKind.FOLLOW_UP_FIRST_VISIT
        return (followups.FLOW_FIRST_VISIT if first else followups.FLOW_SECOND_APPOINTMENT,)
    if spec.name in FILLED:
        return FILLED[spec.name]
    if spec.type == BOOL:
        return (None, True, False) if spec.nullable else (True, False)
    if spec.type == CHOICE:
        return spec.choices
    return SAMPLES[spec.type]


def sample_decisions(flow: Flow, kind: str) -> Iterator[Decision]:
    """The decisions the flow reaches over the sample inputs (bad combinations skipped)."""
    names = [spec.name for spec in flow.parameters]
    pools = [sample_values(spec, kind) for spec in flow.parameters]
    for combo in itertools.islice(itertools.product(*pools), LIMIT):
        try:
            yield flow.decide(**dict(zip(names, combo, strict=True)), policy=DEFAULT_POLICY)
        except (ValueError, TypeError):
            continue


def outcome_actions(flow: Flow) -> dict[str, list[str]]:
    """Each outcome the flow reaches, with the action kinds it carries (first seen order)."""
    out: dict[str, list[str]] = {}
    for kind in flow.kinds:
        for decision in sample_decisions(flow, kind):
            seen = out.setdefault(decision.outcome, [])
            for action_kind in decision.action_kinds:
                if action_kind not in seen:
                    seen.append(action_kind)
    return out


def markdown() -> str:
    """The generated section of docs/sop-coverage.md, markers included."""
    lines = [
        START,
        "## What the system does",
        "",
        "Every action a decision names is carried out by its handler (`flows.handlers`) in the "
        "decision's transaction, or becomes a task with an owner team (and person) and a due "
        "time; the DECISION event lists both. Generated from the code: "
        "`python manage.py sop_coverage --write`; a test keeps it current.",
        "",
        "| action | what the system does |",
        "|---|---|",
        *(f"| `{kind.value}` | {text} |" for kind, text in sorted(CARRIED_OUT.items())),
        "",
        "| flow | outcome | actions (each carried out as above) |",
        "|---|---|---|",
    ]
    for name, flow in FLOWS.items():
        for outcome, kinds in sorted(outcome_actions(flow).items()):
            shown = ", ".join(f"`{kind}`" for kind in kinds) or "none: the answer is recorded"
            lines.append(f"| {name} | `{outcome}` | {shown} |")
    lines.append(END)
    return "\n".join(lines) + "\n"
