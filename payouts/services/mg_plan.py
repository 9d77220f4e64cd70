"""The minimum-guarantee (MG) plan: bookings that do not count toward a partner's plan."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from cases import services as case_services
from cases.models import Booking, Case
from core.roles import User, actor_or_none
from partners.models import Programme

from ..models import MgPlanExclusion


def exclude_from_mg_plan(
    *,
    booking: Booking,
    reason: str,
    actor: User | None,
    case: Case | None = None,
    policy_version: str = "",
) -> tuple[MgPlanExclusion | None, bool]:
    """Exclude the booking from its partner's MG plan count, once. Returns (exclusion,
    created); (None, False) when the partner is not on the MG plan."""
    case_services.require_case_of_booking(case, booking)
    partner = booking.partner
    if partner is None or Programme.MG_PLAN not in partner.programmes:
        return None, False
    existing = MgPlanExclusion.objects.filter(booking=booking).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return (
                MgPlanExclusion.objects.create(
                    booking=booking,
                    partner=partner,
                    case=case,
                    reason=reason[:200],
                    excluded_by=actor_or_none(actor),
                    policy_version=policy_version,
                ),
                True,
            )
    except IntegrityError:  # excluded by someone else a moment ago
        return MgPlanExclusion.objects.get(booking=booking), False
