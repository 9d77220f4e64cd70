"""A case with the rows the flows read, joined in one query: locked to decide, unlocked to
list and preview."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import Case
from core.errors import NotFoundError


def cases_with_records() -> QuerySet[Case]:
    return Case.objects.select_related(
        "city__region",
        "customer",
        "partner",
        "disposition",
        "booking__partner",
        "booking__customer",
        "booking__city__region",
        "booking__revisit_of",
    )


def lock_case_with_records(case_id: int) -> Case:
    """The case locked, with what the flows read joined (not locked)."""
    try:
        return cases_with_records().select_for_update(of=("self",)).get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFoundError(f"Case {case_id} does not exist.") from None


def case_with_records(case_id: int) -> Case:
    """The case with what the flows read, for listing and previewing them (no lock)."""
    try:
        return cases_with_records().get(pk=case_id)
    except Case.DoesNotExist:
        raise NotFoundError(f"Case {case_id} does not exist.") from None
