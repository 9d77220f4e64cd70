"""The one adapter over django-fsm beyond its public API (`transition`, `can_proceed`,
`has_transition_perm`, `get_available_*_transitions`).

Two things the public API does not give: a transition's permission checked on its own
(the public `has_transition_perm` also checks its conditions, which the case's transition
path checks later, after it applied the caller's inputs), and marking a row saved after a
write made outside `save()` (the case's single statement that moves and audits). Both reach
django-fsm's private members here and nowhere else; tests/core/test_fsm_adapter.py fails on
a django-fsm upgrade that changes them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django_fsm import ConcurrentTransitionMixin, Transition


def _meta(model: type[models.Model] | models.Model, name: str) -> Any:
    method = getattr(model, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise LookupError(f"{name!r} is not a transition of {model}.")
    return meta


def transition_from(model: type[models.Model], name: str, state: str) -> Transition | None:
    """The transition `name` as it is declared from `state` (None: not from there)."""
    return _meta(model, name).get_transition(state)


def any_transition(model: type[models.Model], name: str) -> Transition:
    """One declaration of the transition `name` (for its label and custom data)."""
    return next(iter(_meta(model, name).transitions.values()))


def may_take(instance: models.Model, name: str, user: Any) -> bool:
    """Whether `user` holds the permission of transition `name` from the row's state, its
    conditions left aside."""
    meta = _meta(type(instance), name)
    return bool(meta.has_transition_perm(instance, meta.field.get_state(instance), user))


def mark_saved(instance: ConcurrentTransitionMixin) -> None:
    """The row now holds the instance's state (it was written by a statement of our own):
    what ConcurrentTransitionMixin.save does after its write."""
    instance._update_initial_state()
