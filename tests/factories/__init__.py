"""factory-boy factories, one module per app; cities, regions, tags and role groups come from
the seed migrations."""

from .cases import (
    BookingFactory,
    BookingLineFactory,
    CaseFactory,
    CustomerFactory,
    NotificationFactory,
    TaskFactory,
    tag_for,
)
from .partners import CalendarSlotFactory, PartnerFactory, city
from .payouts import (
    LedgerEntryFactory,
    PafFactory,
    PayoutRunFactory,
    PenaltyFactory,
    RefundFactory,
    ReversalRequestFactory,
)
from .users import UserFactory

__all__ = [
    "BookingFactory",
    "BookingLineFactory",
    "CalendarSlotFactory",
    "CaseFactory",
    "CustomerFactory",
    "LedgerEntryFactory",
    "NotificationFactory",
    "PafFactory",
    "PartnerFactory",
    "PayoutRunFactory",
    "PenaltyFactory",
    "RefundFactory",
    "ReversalRequestFactory",
    "TaskFactory",
    "UserFactory",
    "city",
    "tag_for",
]
