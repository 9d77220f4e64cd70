"""Row locks: every write that changes a record reads it with SELECT ... FOR UPDATE first."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from .errors import NotFoundError

M = TypeVar("M", bound=models.Model)


def lock_row(model: type[M], pk: int, *related: str) -> M:
    """The row, locked until the transaction ends (404 when there is none). Related rows
    named in `related` are joined but not locked."""
    rows = model._default_manager.select_for_update(of=("self",))
    if related:
        rows = rows.select_related(*related)
    try:
        return rows.get(pk=pk)
    except model.DoesNotExist:
        name = str(model._meta.verbose_name).capitalize()
        raise NotFoundError(f"{name} {pk} does not exist.") from None
