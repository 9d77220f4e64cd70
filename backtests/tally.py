"""What a backtest adds up, decision by decision: counts, the outcome matrix, money under the
stored decisions and under the candidate (per currency, partner, city and week), workload,
and a sample of changed cases. Pure: it reads replays and the few facts of each decision's
case that the stream carries; the result is plain JSON (amounts as exact strings)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from policies.actions import ActionKind

from .replay import CHANGED, NOT_REPLAYABLE, SAME, Replay

SAMPLE = 50  # changed cases kept with both reasons
TOP_PARTNERS = 20
MONEY = ("penalties", "refunds", "goodwill", "recoveries", "bonuses")
# Actions that put work on a team's queue (a task or a call the system creates).
WORK_ACTIONS = frozenset(
    {
        ActionKind.CALL_PARTNER,
        ActionKind.CALL_CUSTOMER,
        ActionKind.SCHEDULE_FOLLOWUP,
        ActionKind.REQUEST_IMAGES,
        ActionKind.SEND_OB_FORM,
        ActionKind.CREATE_COMPLAINT_TICKET,
        ActionKind.OFFER_REVERSAL_FORM,
        ActionKind.START_CLOCK,
    }
)


@dataclass(frozen=True)
class Facts:
    """What the stream carries about a decision's case (ids and labels, nothing that moved)."""

    event_id: int
    case_id: int | None  # None: a gate refusal that opened no case
    at: datetime
    team: str | None
    city: str
    partner_id: int | None
    currency: str
    booking_id: int | None = None


def money_of(actions: Iterable[Mapping[str, Any]]) -> dict[str, Decimal]:
    """The money a decision's actions name, by kind (each amount as the action gives it)."""
    out = dict.fromkeys(MONEY, Decimal("0"))
    for action in actions:
        kind, params = action.get("kind"), action.get("params") or {}
        amount = params.get("amount")
        if amount is None:
            continue
        value = Decimal(str(amount))
        if kind == ActionKind.CREATE_PENALTY:
            out["penalties"] += value
        elif kind == ActionKind.CREATE_REFUND:
            goodwill = str(params.get("reason", "")).startswith("goodwill")
            out["goodwill" if goodwill else "refunds"] += value
        elif kind == ActionKind.DEDUCT_FROM_PARTNER:
            out["recoveries"] += value
        elif kind == ActionKind.PARTNER_BONUS:
            out["bonuses"] += value
    return out


def partner_effect(money: Mapping[str, Decimal]) -> Decimal:
    """What the decision does to the partner's next payout: bonuses in, penalties and
    recoveries out."""
    return money["bonuses"] - money["penalties"] - money["recoveries"]


def work_of(actions: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(work items, escalations) a decision's actions create."""
    kinds = [a.get("kind") for a in actions]
    return sum(k in WORK_ACTIONS for k in kinds), sum(k == ActionKind.ESCALATE for k in kinds)


def _week(at: datetime) -> str:
    day = at.date()
    return (day - timedelta(days=day.weekday())).isoformat()


def _pair() -> dict[str, Decimal]:
    return {"stored": Decimal("0"), "candidate": Decimal("0")}


def _money_table() -> dict[str, dict[str, Decimal]]:
    return defaultdict(_pair)


def _money_tables() -> dict:
    return defaultdict(_money_table)


def _add_tables(into: dict, other: Mapping) -> None:
    for key, table in other.items():
        for kind, row in table.items():
            into[key][kind]["stored"] += row["stored"]
            into[key][kind]["candidate"] += row["candidate"]


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    not_replayable: Counter = field(default_factory=Counter)
    by_flow: dict[str, Counter] = field(default_factory=partial(defaultdict, Counter))
    matrix: Counter = field(default_factory=Counter)
    # Module-level factories only, so a tally made in another process pickles back.
    money: dict = field(default_factory=_money_tables)  # currency -> kind
    partners: dict = field(default_factory=_money_tables)  # (partner, currency)
    cities: dict = field(default_factory=_money_tables)  # (city, currency)
    weeks: dict = field(default_factory=_money_tables)  # (week, currency)
    work: dict = field(default_factory=partial(defaultdict, Counter))  # team -> counts
    sample: list = field(default_factory=list)
    changed_cases: dict = field(default_factory=partial(defaultdict, list))  # matrix cell

    def add(self, replay: Replay, facts: Facts) -> None:
        self.counts["decisions"] += 1
        self.counts[replay.status] += 1
        self.by_flow[replay.flow or "(none)"][replay.status] += 1
        if replay.status == NOT_REPLAYABLE:
            self.not_replayable[replay.why] += 1
            return
        self.counts["replayed"] += 1
        cell = f"{replay.flow}: {replay.stored['outcome']} -> {replay.candidate_outcome}"
        self.matrix[cell] += 1
        candidate_actions = replay.candidate_data["actions"]
        stored_money = money_of(replay.stored["actions"])
        candidate_money = money_of(candidate_actions)
        currency = facts.currency or "?"
        for kind in MONEY:
            self.money[currency][kind]["stored"] += stored_money[kind]
            self.money[currency][kind]["candidate"] += candidate_money[kind]
        effect_stored, effect_candidate = (
            partner_effect(stored_money),
            partner_effect(candidate_money),
        )
        total_stored = sum(stored_money.values(), Decimal("0"))
        total_candidate = sum(candidate_money.values(), Decimal("0"))
        if facts.partner_id is not None and effect_stored != effect_candidate:
            row = self.partners[(facts.partner_id, currency)]["payout"]
            row["stored"] += effect_stored
            row["candidate"] += effect_candidate
        for table, key in ((self.cities, facts.city), (self.weeks, _week(facts.at))):
            row = table[(key, currency)]["total"]
            row["stored"] += total_stored
            row["candidate"] += total_candidate
        work_stored, escalations_stored = work_of(replay.stored["actions"])
        work_candidate, escalations_candidate = work_of(candidate_actions)
        team = self.work[facts.team or "(none)"]
        team["work_stored"] += work_stored
        team["work_candidate"] += work_candidate
        team["escalations_stored"] += escalations_stored
        team["escalations_candidate"] += escalations_candidate
        if replay.status == CHANGED:
            if facts.case_id is not None and len(self.changed_cases[cell]) < 200:
                self.changed_cases[cell].append(facts.case_id)
            if len(self.sample) < SAMPLE:
                self.sample.append(
                    {
                        "case": facts.case_id,
                        "booking": facts.booking_id,
                        "event": facts.event_id,
                        "flow": replay.flow,
                        "stored_outcome": replay.stored["outcome"],
                        "candidate_outcome": replay.candidate_outcome,
                        "stored_reason": replay.stored["reason"],
                        "candidate_reason": replay.candidate.reason,
                    }
                )

    def merge(self, other: Tally) -> None:
        """Add another part's tally (a process over another id range) to this one."""
        self.counts.update(other.counts)
        self.not_replayable.update(other.not_replayable)
        for flow, counts in other.by_flow.items():
            self.by_flow[flow].update(counts)
        self.matrix.update(other.matrix)
        for mine, theirs in (
            (self.money, other.money),
            (self.partners, other.partners),
            (self.cities, other.cities),
            (self.weeks, other.weeks),
        ):
            _add_tables(mine, theirs)
        for team, counts in other.work.items():
            self.work[team].update(counts)
        self.sample.extend(other.sample[: max(SAMPLE - len(self.sample), 0)])
        for cell, ids in other.changed_cases.items():
            room = 200 - len(self.changed_cases[cell])
            self.changed_cases[cell].extend(ids[: max(room, 0)])

    def result(self) -> dict[str, Any]:
        def pair(row: Mapping[str, Decimal]) -> dict[str, str]:
            return {
                "stored": str(row["stored"]),
                "candidate": str(row["candidate"]),
                "difference": str(row["candidate"] - row["stored"]),
            }

        partners = sorted(
            (
                (partner, currency, table["payout"])
                for (partner, currency), table in self.partners.items()
            ),
            key=lambda item: (-abs(item[2]["candidate"] - item[2]["stored"]), item[0]),
        )[:TOP_PARTNERS]
        return {
            "counts": {k: self.counts[k] for k in ("decisions", "replayed", SAME, CHANGED)}
            | {NOT_REPLAYABLE: self.counts[NOT_REPLAYABLE]},
            "not_replayable": dict(self.not_replayable.most_common()),
            "by_flow": {flow: dict(c) for flow, c in sorted(self.by_flow.items())},
            "matrix": dict(sorted(self.matrix.items())),
            "money": {
                currency: {kind: pair(row) for kind, row in kinds.items()}
                for currency, kinds in sorted(self.money.items())
            },
            "partners": [
                {"partner": partner, "currency": currency, **pair(row)}
                for partner, currency, row in partners
            ],
            "cities": [
                {"city": city, "currency": currency, **pair(table["total"])}
                for (city, currency), table in sorted(self.cities.items())
            ],
            "weeks": [
                {"week": week, "currency": currency, **pair(table["total"])}
                for (week, currency), table in sorted(self.weeks.items())
            ],
            "work": {team: dict(c) for team, c in sorted(self.work.items())},
            "sample": self.sample,
            "changed_cases": {cell: ids for cell, ids in sorted(self.changed_cases.items())},
        }
