"""factory-boy factories, one module per app; cities, regions, tags and role groups come from
the seed migrations."""

from .cases import BookingFactory, BookingLineFactory, CaseFactory, CustomerFactory, tag_for
from .partners import CalendarSlotFactory, PartnerFactory, city
from .payouts import LedgerEntryFactory, PafFactory, PayoutRunFactory, RefundFactory
from .users import UserFactory

__all__ = [
    "BookingFactory",
    "BookingLineFactory",
    "CalendarSlotFactory",
    "CaseFactory",
    "CustomerFactory",
    "LedgerEntryFactory",
    "PafFactory",
    "PartnerFactory",
    "PayoutRunFactory",
    "RefundFactory",
    "UserFactory",
    "city",
    "tag_for",
]
