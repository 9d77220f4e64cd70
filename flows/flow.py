"""A Flow: one SOP scenario, the decision function that decides it, the case kinds it applies to,
what it asks and what the records fill, and the policy version it is decided under."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from django.utils import timezone

from core.errors import InvalidInput
from core.moments import future_error
from policies.calendar import BusinessCalendar
from policies.decision import Decision
from policies.parameters import Policy

from .context import FlowContext
from .fills import Fill
from .inputs import MISSING, NON_FIELD, STR, FieldError, InputSpec, input_from_hint

Reference = Callable[[FlowContext, Mapping[str, Any]], datetime]


def opened_at(ctx: FlowContext, values: Mapping[str, Any]) -> datetime:
    """Most decisions use the version in force when the case was opened."""
    return ctx.case.created_at


def service_day_reference(param: str) -> Reference:
    """A reference time: the start of the day of service named by a parameter."""

    def reference(ctx: FlowContext, values: Mapping[str, Any]) -> datetime:
        return ctx.day_start(values[param])

    reference.__doc__ = f"The version in force on the day of service ({param})."
    return reference


@dataclass(frozen=True)
class PreparedCall:
    """A flow's call, ready: the decision function's arguments and where each came from."""

    kwargs: dict[str, Any]
    given: dict[str, Any]  # what the agent answered (coerced)
    filled: dict[str, Any]  # what the records answered


@dataclass(frozen=True)
class Flow:
    """One SOP scenario: the decision function, the case kinds it decides, what it asks."""

    name: str
    title: str
    sop: str
    kinds: tuple[str, ...]
    decide: Callable[..., Decision]
    fills: Mapping[str, Fill] = field(default_factory=dict)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    help: Mapping[str, str] = field(default_factory=dict)
    reference: Reference = opened_at
    # Dispositions for outcomes whose decision carries no tag (the taxonomy's pre-service
    # and follow-up paths, named after the SOP step they record).
    outcome_tags: Mapping[str, str] = field(default_factory=dict)
    # Writes a CALL_ATTEMPT event before applying (the follow-up call flow).
    records_call_attempt: bool = False
    # A gate asks whether something may be created (a revisit, an OOS ticket): the SOP's
    # refusal there writes nothing and answers 422. Elsewhere a refusal is the answer the
    # customer or partner was given, and is recorded on the case like any other decision
    # (its tag, its next steps, e.g. "Post Policy-Service Denial").
    gate: bool = False
    # The contact ends with the decision's answer (L1: a tag that is not "Unresolved"), so the
    # case is resolved with it; an unresolved complaint stays open for its follow-up.
    resolves_when_answered: bool = False
    # Run by a clock the system keeps (flows.clocks), never offered to an agent.
    system: bool = False
    # Inputs that say when something happened (the call was made, the amount was debited):
    # a value ahead of now (beyond the tolerance, core.moments) is a 400 on the input. Inputs
    # that mean a time to come (an appointment, a preferred slot) are not listed.
    happened: tuple[str, ...] = ()

    @cached_property
    def parameters(self) -> tuple[InputSpec, ...]:
        """Every keyword parameter of the decision function but `policy`, as an input."""
        hints = typing.get_type_hints(self.decide)
        specs = []
        for name, param in inspect.signature(self.decide).parameters.items():
            if name == "policy":
                continue
            if param.kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(f"{self.name}: {name} must be keyword-only")
            if name in self.fills and not self._derivable(name, hints[name]):
                specs.append(InputSpec(name=name, type=STR, required=False))
                continue
            specs.append(
                input_from_hint(
                    name,
                    hints[name],
                    param.default,
                    tuple(self.choices.get(name, ())),
                    self.labels.get(name, ""),
                    self.help.get(name, ""),
                )
            )
        return tuple(specs)

    @staticmethod
    def _derivable(name: str, hint: Any) -> bool:
        try:
            input_from_hint(name, hint, None, (), "", "")
        except TypeError:
            return False
        return True

    def applies_to(self, kind: str) -> bool:
        return kind in self.kinds

    def fills_for(self, ctx: FlowContext) -> dict[str, Fill]:
        """The parameters the records answer for this case."""
        return {name: fill for name, fill in self.fills.items() if fill.available(ctx)}

    def asked(self, ctx: FlowContext) -> list[InputSpec]:
        """What the agent must (or may) give for this case."""
        fills = self.fills_for(ctx)
        out: list[InputSpec] = []
        for spec in self.parameters:
            fill = fills.get(spec.name)
            if fill is None:
                out.append(spec)
            elif fill.overridable:
                out.append(replace(spec, required=False))
            else:
                out.extend(fill.needs)
        return out

    def filled_preview(self, ctx: FlowContext) -> dict[str, Any]:
        """The values the records give now (those needing agent inputs are left out)."""
        out = {}
        for name, fill in self.fills_for(ctx).items():
            if not fill.needs:
                value = fill.get(ctx, {})
                if value is not MISSING:
                    out[name] = value
        return out

    def prepare(self, ctx: FlowContext, raw: Mapping[str, Any] | None) -> PreparedCall:
        """Validate the agent's inputs (400 with field errors) and fill the rest."""
        raw = dict(raw or {})
        asked = {spec.name: spec for spec in self.asked(ctx)}
        errors: dict[str, list[str]] = {}
        for name in sorted(set(raw) - set(asked)):
            why = (
                "Filled from the case's records."
                if name in self.fills
                else "Not an input of this flow."
            )
            errors[name] = [why]
        given: dict[str, Any] = {}
        for name, spec in asked.items():
            if name not in raw:
                if spec.required:
                    errors[name] = ["This field is required."]
                continue
            try:
                given[name] = spec.coerce(raw[name])
            except FieldError as exc:
                errors[name] = [str(exc)]
                continue
            if name in self.happened and given[name] is not None:
                why = future_error(given[name], zone=ctx.zone)
                if why:
                    errors[name] = [why]
        if errors:
            raise InvalidInput(errors)
        fills = self.fills_for(ctx)
        kwargs: dict[str, Any] = {}
        filled: dict[str, Any] = {}
        for spec in self.parameters:
            fill = fills.get(spec.name)
            if spec.name in given:
                kwargs[spec.name] = given[spec.name]
            elif fill is not None:
                value = fill.get(ctx, given)
                if value is MISSING:  # pragma: no cover - available() said it would answer
                    raise InvalidInput({spec.name: ["The case's records do not say."]})
                kwargs[spec.name] = filled[spec.name] = value
            elif spec.nullable and not spec.has_default:
                kwargs[spec.name] = None  # "not known yet" is an answer
            # else: optional and not given, the function's default applies
        for name, value in kwargs.items():
            if isinstance(value, datetime):
                # Decisions take the day of a moment (.date()): the case's local day.
                kwargs[name] = timezone.localtime(value, ctx.zone)
        return PreparedCall(kwargs=kwargs, given=given, filled=filled)

    def reference_at(self, ctx: FlowContext, prepared: PreparedCall) -> datetime:
        return self.reference(ctx, prepared.kwargs)

    def run(self, prepared: PreparedCall, policy: Policy) -> Decision:
        """Call the pure decision function; an input it rejects is a 400, not a 500."""
        try:
            return self.decide(**prepared.kwargs, policy=policy)
        except ValueError as exc:
            raise InvalidInput({NON_FIELD: [str(exc)]}) from exc

    def disposition_path(self, decision: Decision) -> str | None:
        return decision.tag or self.outcome_tags.get(decision.outcome)

    def to_dict(self, ctx: FlowContext | None = None) -> dict[str, Any]:
        from policies.decision import to_jsonable

        data: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "sop": self.sop,
            "kinds": list(self.kinds),
        }
        if ctx is not None:
            fills = self.fills_for(ctx)
            preview = self.filled_preview(ctx)
            data["inputs"] = [spec.to_dict() for spec in self.asked(ctx)]
            data["filled"] = [
                {
                    "name": name,
                    "source": fill.source,
                    "value": to_jsonable(plain_value(preview[name])) if name in preview else None,
                }
                for name, fill in fills.items()
            ]
        return data


def plain_value(value: Any) -> Any:
    """A filled value as the audit trail and the API show it. A calendar is written whole
    (its holidays as dates, so a backtest can replay the decision), with its count."""
    if isinstance(value, BusinessCalendar):
        return {
            "weekend_days": sorted(value.weekend_days),
            "holidays": len(value.holidays),
            "holiday_dates": sorted(day.isoformat() for day in value.holidays),
        }
    return value
