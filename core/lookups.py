"""`field__contains_ci`: a case-insensitive substring match written as ILIKE on the column
itself, so a pg_trgm GIN index on the column serves it (Django's icontains wraps the column
in UPPER(), which that index cannot serve)."""

from __future__ import annotations

from django.db.models import CharField, Lookup


@CharField.register_lookup
class ContainsCaseInsensitive(Lookup):
    lookup_name = "contains_ci"

    def process_rhs(self, compiler, connection):
        sql, params = super().process_rhs(compiler, connection)
        escaped = [
            "%" + str(p).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for p in params
        ]
        return sql, escaped

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs}::text ILIKE {rhs}", [*lhs_params, *rhs_params]
