"""Reads for backtests: the stored decisions of a period, streamed with the few facts of each
case the tally needs; who may run and read backtests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from cases.models import Case, CaseEvent, EventType, GateRefusal
from core import roles
from core.roles import User
from policies.parameters import Policy, PolicyParameters

from .models import Backtest
from .replay import CHANGED, replay
from .sla_replay import Timeline, moves_of
from .tally import Facts

BACKTESTERS = frozenset({roles.SUPERVISOR, roles.FINANCE})
CHUNK = 2000  # rows per fetch of the server-side cursor

_COLUMNS = (
    "id",
    "case_id",
    "at",
    "payload",
    "case__team",
    "case__city__name",
    "case__partner_id",
    "case__booking__partner_id",
    "case__booking__currency",
    "case__city__region__currency",
    "case__booking_id",
)


def may_backtest(user: User | None) -> bool:
    """Supervisors and finance run and read backtests; agents may not."""
    return roles.has_role(user, BACKTESTERS)


def _narrowed(qs: QuerySet, filters: Mapping[str, Any], **paths: str) -> QuerySet:
    """The backtest's filters on a queryset, each through its path from the queryset's rows
    (`paths`: filter name -> lookup); a filter the rows cannot take is not given a path."""
    for name, path in paths.items():
        if filters.get(name):
            qs = qs.filter(**{path: filters[name]})
    return qs


def decisions(start: datetime, end: datetime, filters: Mapping[str, Any]) -> QuerySet:
    """The period's stored decisions (the partial index caseevent_decision_at), filtered."""
    qs = CaseEvent.objects.filter(type=EventType.DECISION, at__gte=start, at__lt=end)
    qs = _narrowed(
        qs,
        filters,
        region="case__city__region_id",
        city="case__city_id",
        kind="case__kind",
        flow="payload__flow",
    )
    if filters.get("partner"):
        partner = filters["partner"]
        qs = qs.filter(Q(case__partner_id=partner) | Q(case__booking__partner_id=partner))
    return qs


def refusals(start: datetime, end: datetime, filters: Mapping[str, Any]) -> QuerySet:
    """The period's gate refusals (requests answered 422: flows.refusals), filtered."""
    return _narrowed(
        GateRefusal.objects.filter(at__gte=start, at__lt=end),
        filters,
        region="booking__city__region_id",
        city="booking__city_id",
        kind="case__kind",
        flow="payload__flow",
        partner="booking__partner_id",
    )


def decision_count(start: datetime, end: datetime, filters: Mapping[str, Any]) -> int:
    return decisions(start, end, filters).count() + refusals(start, end, filters).count()


_REFUSAL_COLUMNS = (
    "id",
    "case_id",
    "at",
    "payload",
    "case__team",
    "booking__city__name",
    "case__partner_id",
    "booking__partner_id",
    "booking__currency",
    "booking__city__region__currency",
    "booking_id",
)


def decision_stream(
    start: datetime,
    end: datetime,
    filters: Mapping[str, Any],
    *,
    ids: tuple[int, int] | None = None,
    with_refusals: bool = True,
) -> Iterator[tuple[dict[str, Any], Facts]]:
    """(payload, facts) per stored decision (those with ids in [low, high] when `ids` is
    given: one process's part), then per gate refusal, each in time order, through a
    server-side cursor in chunks, so memory stays flat however long the period."""
    qs = decisions(start, end, filters)
    if ids is not None:
        qs = qs.filter(id__gte=ids[0], id__lte=ids[1])
    yield from _stream(qs.values_list(*_COLUMNS))
    if with_refusals:
        yield from _stream(refusals(start, end, filters).values_list(*_REFUSAL_COLUMNS))


def decision_id_bounds(
    start: datetime, end: datetime, filters: Mapping[str, Any]
) -> tuple[int | None, int | None]:
    """The lowest and highest id of the period's decisions (to split them between processes)."""
    from django.db.models import Max, Min

    row = decisions(start, end, filters).aggregate(low=Min("id"), high=Max("id"))
    return row["low"], row["high"]


def _stream(rows: QuerySet) -> Iterator[tuple[dict[str, Any], Facts]]:
    rows = rows.order_by("at", "id")
    for (
        event_id,
        case_id,
        at,
        payload,
        team,
        city,
        partner_id,
        booking_partner_id,
        booking_currency,
        region_currency,
        booking_id,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            payload,
            Facts(
                event_id=event_id,
                case_id=case_id,
                at=at,
                team=team,
                city=city or "",
                partner_id=partner_id or booking_partner_id,
                currency=booking_currency or region_currency or "",
                booking_id=booking_id,
            ),
        )


def backtests_visible_to(user: User | None) -> QuerySet[Backtest]:
    if not may_backtest(user):
        return Backtest.objects.none()
    return Backtest.objects.select_related("version", "created_by")


def latest_backtest_of(version_id: int) -> Backtest | None:
    return Backtest.objects.filter(version_id=version_id).order_by("-created_at", "-id").first()


def candidate_policy(backtest: Backtest) -> Policy:
    """The backtest's parameters as a policy, named after its version (or the backtest)."""
    name = backtest.version.version if backtest.version_id else f"backtest-{backtest.pk}"
    return Policy(version=name, params=PolicyParameters.from_dict(backtest.parameters))


def changed_decisions(backtest: Backtest) -> Iterator[tuple[Facts, Any]]:
    """Every decision of the backtest's period that the candidate changes (replayed again as
    it streams: nothing but the counts and a sample is stored), with its replay."""
    policy = candidate_policy(backtest)
    for payload, facts in decision_stream(
        backtest.period_start, backtest.period_end, backtest.filters
    ):
        result = replay(payload, policy)
        if result.status == CHANGED:
            yield facts, result


def case_decisions(case_id: int) -> list[tuple[datetime, dict[str, Any]]]:
    """A case's stored decisions and gate refusals, oldest first (the one-case what-if)."""
    events = CaseEvent.objects.filter(case_id=case_id, type=EventType.DECISION).values_list(
        "at", "payload"
    )
    kept = GateRefusal.objects.filter(case_id=case_id).values_list("at", "payload")
    return sorted([*events, *kept], key=lambda row: row[0])


def comparable(a: Backtest, b: Backtest) -> bool:
    """Two backtests compare when they replayed the same decisions: one period, one filter."""
    return (a.period_start, a.period_end, a.filters) == (b.period_start, b.period_end, b.filters)


def comparison(a: Backtest, b: Backtest) -> list[dict[str, Any]]:
    """Their headline figures side by side: counts, then each money kind per currency."""
    rows = [
        {"what": name, "a": a.result["counts"].get(name, 0), "b": b.result["counts"].get(name, 0)}
        for name in ("decisions", "changed", "not_replayable")
    ]
    currencies = sorted(set(a.result.get("money", {})) | set(b.result.get("money", {})))
    for currency in currencies:
        kinds = sorted(
            set(a.result.get("money", {}).get(currency, {}))
            | set(b.result.get("money", {}).get(currency, {}))
        )
        for kind in kinds:
            left = a.result.get("money", {}).get(currency, {}).get(kind, {})
            right = b.result.get("money", {}).get(currency, {}).get(kind, {})
            rows.append(
                {
                    "what": f"{kind} ({currency}), candidate",
                    "a": left.get("candidate", "0"),
                    "b": right.get("candidate", "0"),
                    "stored": left.get("stored") or right.get("stored") or "0",
                }
            )
    return rows


SLA_CHUNK = 500  # cases per batch of timeline reads


def _opened_cases(start: datetime, end: datetime, filters: Mapping[str, Any]) -> QuerySet:
    cases = Case.objects.filter(created_at__gte=start, created_at__lt=end).exclude(sla_version="")
    return _narrowed(cases, filters, region="city__region_id", city="city_id", kind="kind")


def sla_versions(start: datetime, end: datetime, filters: Mapping[str, Any]) -> list[str]:
    """The versions the period's cases were opened with (their SLA targets)."""
    rows = _opened_cases(start, end, filters).order_by().values_list("sla_version", flat=True)
    return sorted(set(rows.distinct()))


def case_timelines(
    start: datetime, end: datetime, filters: Mapping[str, Any]
) -> Iterator[tuple[Timeline, int, str]]:
    """(timeline, region id, version opened with) of every case opened in the period with
    SLA clocks, in chunks: the case, then its transitions and its first priority change
    (the priority at opening is the first change's "from", else today's priority)."""
    rows = (
        _opened_cases(start, end, filters)
        .order_by("id")
        .values_list(
            "id",
            "created_at",
            "kind",
            "priority",
            "city__region_id",
            "sla_version",
            "first_responded_at",
        )
    )
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == SLA_CHUNK:
            yield from _timelines(chunk)
            chunk = []
    if chunk:
        yield from _timelines(chunk)


def _timelines(rows: list[tuple]) -> Iterator[tuple[Timeline, int, str]]:
    ids = [row[0] for row in rows]
    moves: dict[int, list] = {}
    for case_id, at, source, target in CaseEvent.objects.filter(
        case_id__in=ids, type=EventType.TRANSITION
    ).values_list("case_id", "at", "from_state", "to_state"):
        moves.setdefault(case_id, []).append((at, source, target))
    # The priority at opening: the "from" of its first change, by an agent (FIELD_CHANGE) or
    # by a breach that raised it (CLOCK, priority_from).
    first_priority: dict[int, str] = {}
    changes = CaseEvent.objects.filter(case_id__in=ids).filter(
        Q(type=EventType.FIELD_CHANGE, payload__field="priority")
        | Q(type=EventType.CLOCK, payload__has_key="priority_from")
    )
    for case_id, payload in changes.order_by("case_id", "at", "id").values_list(
        "case_id", "payload"
    ):
        before = payload.get("from") if "field" in payload else payload.get("priority_from")
        first_priority.setdefault(case_id, str(before or ""))
    for case_id, opened_at, kind, priority, region_id, version, responded_at in rows:
        yield (
            Timeline(
                case_id=case_id,
                opened_at=opened_at,
                kind=kind,
                priority=first_priority.get(case_id) or priority,
                moves=moves_of(moves.get(case_id, ())),
                first_responded_at=responded_at,
            ),
            region_id,
            version,
        )
