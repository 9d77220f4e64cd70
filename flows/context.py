"""What a flow reads from the case's records: the FlowContext, cached per run."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import (
    Booking,
    BookingStatus,
    CancellationCode,
    Case,
    CaseEvent,
    EventType,
)
from policies.calendar import BusinessCalendar, calendar_for
from policies.parameters import Policy
from policies.selectors import policy_in_force
from policies.sop import followups


class FlowContext:
    """The case a flow runs on and what its records say; reads are cached per run."""

    def __init__(self, case: Case, *, now: datetime | None = None) -> None:
        self.case = case
        self.now = now or timezone.now()

    @property
    def booking(self) -> Booking | None:
        return self.case.booking

    @cached_property
    def original(self) -> Booking | None:
        """The booking a revisit was made for (the booking itself when it is no revisit)."""
        return original_booking(self.booking) if self.booking is not None else None

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.case.city.region.timezone)

    def local_date(self, moment: datetime) -> date:
        return timezone.localtime(moment, self.zone).date()

    @property
    def today(self) -> date:
        return self.local_date(self.now)

    @property
    def opened_on(self) -> date:
        """The day the customer or partner got in touch: the case's creation, local time."""
        return self.local_date(self.case.created_at)

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone)

    @cached_property
    def case_policy(self) -> Policy:
        return policy_in_force(self.case.created_at)

    @cached_property
    def prior_revisits(self) -> int:
        return prior_revisits_of(self.original) if self.original is not None else 0

    @cached_property
    def call_attempts(self) -> tuple[tuple[date, str], ...]:
        """The case's earlier follow-up calls, (local day, outcome), oldest first."""
        rows = (
            CaseEvent.objects.filter(case_id=self.case.pk, type=EventType.CALL_ATTEMPT)
            .order_by("at", "id")
            .values_list("payload", flat=True)
        )
        attempts = []
        for payload in rows:
            at = parse_datetime(str(payload.get("at", "")))
            if at is not None and payload.get("outcome") in followups.CALL_OUTCOMES:
                attempts.append((self.local_date(at), payload["outcome"]))
        return tuple(attempts)

    def calendar(self, around: datetime) -> BusinessCalendar:
        """The region's business days (weekend and public holidays) around a moment."""
        year = self.local_date(around).year
        cache = self.__dict__.setdefault("_calendars", {})
        if year not in cache:
            region = self.case.city.region
            cache[year] = calendar_for(
                region.country,
                range(year - 1, year + 2),
                weekend_days=region.weekend_days or None,
            )
        return cache[year]


def original_booking(booking: Booking) -> Booking:
    """Follow revisit_of to the job the issue is about."""
    seen = {booking.pk}
    while booking.revisit_of_id is not None and booking.revisit_of_id not in seen:
        booking = booking.revisit_of
        seen.add(booking.pk)
    return booking


def prior_revisits_of(original: Booking) -> int:
    """Revisits already made on the issue; one cancelled as "placed by mistake" was none."""
    return (
        Booking.objects.filter(revisit_of=original)
        .exclude(
            status=BookingStatus.CANCELLED,
            cancellation_code=CancellationCode.PLACED_REVISIT_BY_MISTAKE,
        )
        .count()
    )


def service_day_start(booking: Booking) -> datetime:
    """Warranty decisions use the version in force when the service day began (region time)."""
    zone = ZoneInfo(booking.city.region.timezone)
    return datetime.combine(booking.service_date, time.min, tzinfo=zone)
