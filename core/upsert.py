"""Create-or-update by the platform's external id, safe to repeat and to race.

The existing row is locked (SELECT ... FOR UPDATE) before it is changed; when two callers
insert the same new id at once the loser's INSERT hits the unique index inside a savepoint,
after which it locks the winner's row and updates it instead. Either way one row remains.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

from .errors import InvalidInput

M = TypeVar("M", bound=models.Model)


def _is_external_id_clash(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    return (
        getattr(cause, "sqlstate", None) == "23505"
        and diag is not None
        and "external_id" in (diag.constraint_name or "")
    )


def check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    """400 naming every field the caller may not set here."""
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput({f: "This field cannot be set here." for f in sorted(unknown)})


def _differs(row: models.Model, name: str, value: Any) -> bool:
    field = row._meta.get_field(name)
    if field.many_to_one:  # compare ids: reading the related row would cost a query
        return getattr(row, field.attname) != (value.pk if value is not None else None)
    return getattr(row, name) != value


def upsert_by_external_id(
    model: type[M], *, external_id: str, fields: dict[str, Any]
) -> tuple[M, bool]:
    """Insert or update one row by external_id; call inside a transaction. Returns (row, created).

    Fields left out keep their current value on update and the model default on insert.
    """
    rows = model._default_manager.select_for_update(of=("self",))
    row = rows.filter(external_id=external_id).first()
    if row is None:
        try:
            with transaction.atomic():  # savepoint: a lost insert race leaves the outer intact
                row = model._default_manager.create(external_id=external_id, **fields)
            return row, True
        except IntegrityError as exc:
            if not _is_external_id_clash(exc):
                raise
            # Another caller inserted it between our read and our insert; it has committed
            # (the unique index made us wait), so this read sees it.
            row = rows.get(external_id=external_id)
    changed = [name for name, value in fields.items() if _differs(row, name, value)]
    for name in changed:
        setattr(row, name, fields[name])
    if changed:
        row.save()
    return row, False
