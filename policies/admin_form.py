"""The policy version form: one typed field per SOP number, grouped by SOP, each with the
SOP's own words (the comments above the parameter in policies.parameters) as help text, all
validated by PolicyParameters itself."""

from __future__ import annotations

import inspect
import re
from dataclasses import Field, fields
from decimal import Decimal
from functools import cache
from typing import Any

from django import forms

from .models import PolicyVersion
from .parameters import (
    HOUSE,
    L1,
    OOS,
    PCA,
    PRE,
    REVISIT,
    PolicyParameters,
    PolicyValidationError,
)
from .words import label_of, source_in_words, value_in_words

PREFIX = "p_"


@cache
def sop_words() -> dict[str, str]:
    """The comment block above each parameter, read from the source: the SOP's words."""
    words: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(PolicyParameters).splitlines():
        stripped = line.strip()
        if stripped.startswith("# ---"):
            pending = []
        elif stripped.startswith("#"):
            pending.append(stripped.lstrip("# ").strip())
        elif match := re.match(r"^(\w+): [\w\[\], .]+ = _param\(", stripped):
            words[match.group(1)] = " ".join(pending)
            pending = []
        elif not stripped or stripped.startswith(")"):
            continue
        else:
            pending = [] if stripped.endswith(":") or "def " in stripped else pending
    return words


GROUPS = {
    REVISIT: "Revisit work",
    PRE: "Pre-services",
    L1: "L1 installation and maintenance",
    OOS: "Out-of-scope cancellations",
    PCA: "Pending customer action (follow-ups)",
    HOUSE: "House rules (no SOP number)",
}


def group_of(f: Field) -> str:
    """The SOP a parameter comes from (its first source), in words."""
    source = str(f.metadata["sop"])
    return next((label for key, label in GROUPS.items() if source.startswith(key)), GROUPS[HOUSE])


def _pairs(value: dict[str, int]) -> str:
    return ", ".join(f"{name}={number}" for name, number in value.items())


class PairsField(forms.CharField):
    """name=number, name=number (minutes per priority, days per payment mode)."""

    def to_python(self, value: Any) -> dict[str, int]:
        text = super().to_python(value)
        out: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, number = part.partition("=")
            if not sep or not number.strip().lstrip("-").isdigit():
                raise forms.ValidationError(f"Write name=number, e.g. high=60 (not {part!r}).")
            out[name.strip()] = int(number)
        return out


class NamesField(forms.CharField):
    """A comma-separated list of names."""

    def to_python(self, value: Any) -> list[str]:
        text = super().to_python(value)
        return [name.strip() for name in text.split(",") if name.strip()]


def form_field(f: Field, words: str) -> forms.Field:
    meta = f.metadata
    source = source_in_words(str(meta["sop"]))
    help_text = f"{words} From: {source}." if words else f"From: {source}."
    label = label_of(f.name)
    common = {"label": label, "help_text": help_text}
    if meta["choices"]:
        return forms.ChoiceField(choices=[(c, c) for c in meta["choices"]], **common)
    if f.type == "int":
        return forms.IntegerField(min_value=meta["minimum"], **common)
    if f.type == "Decimal":
        if meta["rate"]:
            return forms.DecimalField(
                min_value=Decimal(0), max_value=Decimal(1), decimal_places=4, **common
            )
        return forms.DecimalField(min_value=Decimal(0), decimal_places=2, **common)
    if f.type in ("_DAYS_BY_MODE", "_NUMBERS_BY_NAME"):
        return PairsField(required=False, **common)
    if f.type == "_NAMES":
        return NamesField(required=False, **common)
    return forms.CharField(**common)


def parameter_groups() -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for f in fields(PolicyParameters):
        groups.setdefault(group_of(f), []).append(PREFIX + f.name)
    return list(groups.items())


def initial_values(parameters: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(PolicyParameters):
        value = parameters.get(f.name)
        if value is None:
            continue
        if isinstance(value, dict):
            value = _pairs(value)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out[PREFIX + f.name] = value
    return out


class _Base(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["version", "effective_from", "change_note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = (
            self.instance.parameters
            if self.instance.pk and self.instance.parameters
            else self.initial.get("parameters") or PolicyParameters().to_dict()
        )
        for name, value in initial_values(source).items():
            self.initial.setdefault(name, value)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        typed = {
            f.name: data[PREFIX + f.name]
            for f in fields(PolicyParameters)
            if PREFIX + f.name in data and data[PREFIX + f.name] is not None
        }
        try:
            params = PolicyParameters.from_dict(typed)
        except PolicyValidationError as exc:
            for name, message in exc.errors.items():
                field = PREFIX + name if PREFIX + name in self.fields else None
                self.add_error(field, message)
            return data
        self.instance.parameters = params.to_dict()
        return data


def policy_version_form() -> type[forms.ModelForm]:
    """The form class, with a declared field per parameter (the admin needs them declared)."""
    words = sop_words()
    declared = {
        PREFIX + f.name: form_field(f, words.get(f.name, "")) for f in fields(PolicyParameters)
    }
    return type("PolicyVersionForm", (_Base,), declared)


def shown_value(name: str, rate: bool):
    """The read-only field of one parameter on an active or retired version's page: its value
    in words (the admin would otherwise find no model field of that name and show '-')."""

    def show(model_admin, obj: PolicyVersion) -> str:
        return value_in_words((obj.parameters or {}).get(name), rate=rate)

    show.short_description = label_of(name)  # type: ignore[attr-defined]
    show.__name__ = PREFIX + name
    return show


def shown_values() -> dict[str, Any]:
    """One read-only display per parameter, keyed by its form field's name."""
    return {
        PREFIX + f.name: shown_value(f.name, bool(f.metadata["rate"]))
        for f in fields(PolicyParameters)
    }
