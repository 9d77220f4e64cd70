"""Put a case straight into a state for tests (bypassing the FSM on purpose, like a fixture)."""

from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from tests.factories import CaseFactory, tag_for


def case_in(status: str, **kwargs) -> Case:
    case = CaseFactory(**kwargs)
    extra: dict = {"status": status}
    if status == "parked":
        extra["parked_until"] = timezone.now() + timedelta(hours=3)
    if status in ("resolved", "closed"):
        extra["disposition"] = tag_for(case.kind)
    Case.objects.filter(pk=case.pk).update(**extra)
    case.refresh_from_db()
    return case
