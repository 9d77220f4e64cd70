"""Related records named together must agree: a case named with a booking is about that
booking. One check for every service that takes both (refunds, PAFs, reversal requests,
MG plan exclusions, bonuses), so the API and the console refuse the same way: a 400 on the
field that disagrees, before anything is written."""

from __future__ import annotations

from core.errors import InvalidInput

from ..models import Booking, Case


def require_case_of_booking(
    case: Case | None, booking: Booking | None, *, field: str = "case"
) -> None:
    """400 on `field` unless the case is about the booking: its booking is the booking, or,
    for a case opened without a booking, its customer is the booking's customer."""
    if case is None or booking is None:
        return
    if case.booking_id is not None:
        if case.booking_id != booking.pk:
            other = Booking.objects.filter(pk=case.booking_id).values_list("external_id", flat=True)
            raise InvalidInput(
                {
                    field: f"Case #{case.pk} is about booking {other.first()}, not "
                    f"{booking.external_id}."
                }
            )
        return
    if case.customer_id is not None and case.customer_id != booking.customer_id:
        raise InvalidInput(
            {
                field: f"Case #{case.pk} is about another customer than booking "
                f"{booking.external_id}."
            }
        )
