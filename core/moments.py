"""Inputs that say when something happened (a call was made, an amount was debited): one rule
for every caller, the API, the flows and the console. A moment more than the tolerance
(settings.FUTURE_TIME_TOLERANCE_SECONDS) ahead of now has not happened yet: a 400 on the field.
Inputs that mean a time to come (park until, an appointment) do not use it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from django.conf import settings
from django.utils import timezone

from .errors import InvalidInput


def tolerance() -> timedelta:
    """How far ahead of now a "when it happened" moment may be (clock drift)."""
    return timedelta(seconds=settings.FUTURE_TIME_TOLERANCE_SECONDS)


def future_error(
    value: datetime | date, *, zone: tzinfo | None = None, now: datetime | None = None
) -> str | None:
    """Why the moment cannot have happened yet, or None when it may have.

    A date is compared with the day it is now (plus the tolerance) in `zone` (the case's or
    the booking's region; the server's zone when not given)."""
    latest = (now or timezone.now()) + tolerance()
    if isinstance(value, datetime):
        moment = value if timezone.is_aware(value) else timezone.make_aware(value)
        if moment > latest:
            return (
                f"{moment.isoformat(timespec='seconds')} is in the future: give when it "
                f"happened (at most {settings.FUTURE_TIME_TOLERANCE_SECONDS} seconds ahead "
                "of now)."
            )
        return None
    today = timezone.localtime(latest, zone).date()
    if value > today:
        return f"{value.isoformat()} is in the future: give the day it happened (today at most)."
    return None


def refuse_future(
    value: datetime | date | None,
    field: str,
    *,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> None:
    """Raise InvalidInput (400 on `field`) when the moment has not happened yet."""
    if value is None:
        return
    why = future_error(value, zone=zone, now=now)
    if why:
        raise InvalidInput({field: why})
