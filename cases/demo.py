"""Demo data for the console and the API: role users, partners, customers, bookings and cases.

`load_demo` builds a small, realistic world for both regions. Bookings move through their FSM
transitions and cases are created and moved only through `cases.services`, so the audit trail
of the demo reads like the real thing. The tables below (cities, SKUs, what customers say) are
shared with the bulk generator `generate_load`.

The payouts part (end of the module) is added once on top, also to a database that holds the
demo world from before it existed: partner money made through `payouts.services` and the SOP
flows, so the payouts acceptance can be walked on the demo data.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from faker import Faker

from partners.models import (
    CalendarSlot,
    City,
    LineOfBusiness,
    Partner,
    Programme,
    Region,
    SlotStatus,
)
from payouts import services as payouts
from payouts.models import (
    EntryKind,
    LedgerEntry,
    PafState,
    PartnerAtFault,
    PayoutRun,
    Penalty,
    PenaltyState,
    Refund,
    ReversalKind,
    ReversalRequest,
    ReversalState,
    RunState,
)
from policies.decision import Decision
from policies.selectors import policy_in_force

from . import booking_services, flows, roles, services
from .catalog import CaseKind, Team, default_team
from .models import (
    Booking,
    BookingLine,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    Case,
    CaseStatus,
    Channel,
    Customer,
    DispositionTag,
    PaymentMode,
    Priority,
    Reporter,
)

DEMO_PASSWORD = "demo1234"
# The first demo partner doubles as the marker: when it exists the demo data is loaded.
MARKER_EXTERNAL_ID = "DEMO-PX-0001"
SEED = 20240601

# username -> role group (None: superuser, who holds every role).
ROLE_USERS: dict[str, str | None] = {
    "agent": roles.AGENT,
    "partnersup": roles.PARTNER_SUPPORT,
    "finance": roles.FINANCE,
    "supervisor": roles.SUPERVISOR,
    "admin": None,
}


@dataclass(frozen=True)
class CityProfile:
    latitude: float
    longitude: float
    weight: int  # share of partners, customers and bookings
    localities: tuple[str, ...]


CITY_PROFILES: dict[str, CityProfile] = {
    "Delhi": CityProfile(28.6139, 77.2090, 14, ("Saket", "Dwarka", "Rohini", "Lajpat Nagar")),
    "Mumbai": CityProfile(19.0760, 72.8777, 14, ("Andheri", "Bandra", "Powai", "Thane")),
    "Bangalore": CityProfile(12.9716, 77.5946, 12, ("Koramangala", "Whitefield", "HSR Layout")),
    "Hyderabad": CityProfile(17.3850, 78.4867, 8, ("Gachibowli", "Kondapur", "Banjara Hills")),
    "Pune": CityProfile(18.5204, 73.8567, 6, ("Kothrud", "Hinjewadi", "Viman Nagar")),
    "Chennai": CityProfile(13.0827, 80.2707, 6, ("Adyar", "Velachery", "Anna Nagar")),
    "Kolkata": CityProfile(22.5726, 88.3639, 5, ("Salt Lake", "Ballygunge", "New Town")),
    "Ahmedabad": CityProfile(23.0225, 72.5714, 4, ("Navrangpura", "Satellite", "Bopal")),
    "Jaipur": CityProfile(26.9124, 75.7873, 2, ("Malviya Nagar", "Vaishali Nagar")),
    "Lucknow": CityProfile(26.8467, 80.9462, 2, ("Gomti Nagar", "Hazratganj")),
    "Chandigarh": CityProfile(30.7333, 76.7794, 2, ("Sector 17", "Sector 35")),
    "Indore": CityProfile(22.7196, 75.8577, 1, ("Vijay Nagar", "Palasia")),
    "Nagpur": CityProfile(21.1458, 79.0882, 1, ("Dharampeth", "Sitabuldi")),
    "Kochi": CityProfile(9.9312, 76.2673, 1, ("Kakkanad", "Edappally")),
    "Surat": CityProfile(21.1702, 72.8311, 1, ("Adajan", "Vesu")),
    "Bhopal": CityProfile(23.2599, 77.4126, 1, ("Arera Colony", "MP Nagar")),
    "Cairo": CityProfile(30.0444, 31.2357, 10, ("Nasr City", "Heliopolis", "Maadi", "Zamalek")),
    "Alex": CityProfile(31.2001, 29.9187, 5, ("Smouha", "Sidi Gaber", "Stanley", "Miami")),
    "Sahel": CityProfile(30.8700, 28.9500, 2, ("Marina", "Marassi", "Hacienda Bay")),
}
DEFAULT_PROFILE = CityProfile(0.0, 0.0, 1, ("Central",))
RWM_CITIES = ("Delhi", "Mumbai")

# Faker's ar_EG locale has no person provider (it falls back to en_US), so Egyptian names
# come from these common given and family names, transliterated as agents type them.
EGYPTIAN_GIVEN_NAMES = (
    "Mohamed",
    "Ahmed",
    "Mahmoud",
    "Mostafa",
    "Omar",
    "Youssef",
    "Karim",
    "Hassan",
    "Hossam",
    "Tarek",
    "Amr",
    "Sherif",
    "Khaled",
    "Islam",
    "Ibrahim",
    "Ali",
    "Mina",
    "Peter",
    "Fady",
    "Sara",
    "Mariam",
    "Nour",
    "Aya",
    "Salma",
    "Heba",
    "Dina",
    "Rana",
    "Yasmin",
    "Mona",
    "Reem",
)
EGYPTIAN_FAMILY_NAMES = (
    "Abdelrahman",
    "El-Sayed",
    "Hassan",
    "Mansour",
    "Fathy",
    "Shawky",
    "Ragab",
    "Abdelaziz",
    "Soliman",
    "Farouk",
    "Gamal",
    "Hamdy",
    "Naguib",
    "Youssef",
    "Kamel",
    "Saad",
    "Zaki",
    "Mahrous",
    "Tawfik",
    "Helmy",
    "Ghaly",
    "Botros",
    "Wahba",
    "Salem",
)
EGYPT_STREETS = (
    "Abbas El Akkad St",
    "Makram Ebeid St",
    "El Nasr Rd",
    "Road 9",
    "El Horreya Rd",
    "Fouad St",
    "Port Said St",
    "Gamal Abdel Nasser St",
    "El Merghany St",
    "Corniche Rd",
)

# Priced services per line of business, in rupees; Egyptian prices are scaled by EGP_FACTOR.
# Both straddle the 500 goodwill threshold on purpose.
SKUS: dict[str, tuple[tuple[str, str, int], ...]] = {
    LineOfBusiness.APPLIANCES: (
        ("APP-WM-REP", "Washing machine repair", 449),
        ("APP-FR-REP", "Refrigerator repair", 499),
        ("APP-MW-REP", "Microwave repair", 349),
        ("APP-CH-INS", "Chimney installation", 799),
    ),
    LineOfBusiness.AC: (
        ("AC-SRV-LITE", "AC lite service", 399),
        ("AC-SRV-JET", "AC foam-jet service", 649),
        ("AC-GAS-FILL", "AC gas refill", 2499),
        ("AC-INS-SPLIT", "Split AC installation", 1499),
    ),
    LineOfBusiness.RO: (
        ("RO-SRV", "RO service", 349),
        ("RO-FILTER", "RO filter change", 1199),
        ("RO-INS", "RO installation", 499),
    ),
    LineOfBusiness.CLEANING: (
        ("CLN-BATH", "Bathroom deep cleaning", 549),
        ("CLN-KITCHEN", "Kitchen deep cleaning", 1299),
        ("CLN-SOFA", "Sofa cleaning (3 seats)", 599),
        ("CLN-HOME-2BHK", "Full home cleaning 2BHK", 3499),
    ),
    LineOfBusiness.PAINTING: (
        ("PNT-INSPECT", "Painting inspection visit", 199),
        ("PNT-ROOM", "Room painting", 6999),
        ("PNT-WATERPROOF", "Terrace waterproofing", 9999),
    ),
    LineOfBusiness.PLUMBING: (
        ("PLB-TAP", "Tap repair", 149),
        ("PLB-BLOCK", "Drain blockage removal", 299),
        ("PLB-WC-INS", "Western toilet installation", 1199),
    ),
    LineOfBusiness.ELECTRICAL: (
        ("ELE-FAN-INS", "Ceiling fan installation", 249),
        ("ELE-SWITCH", "Switchboard repair", 179),
        ("ELE-WIRING", "Room wiring", 2999),
    ),
    LineOfBusiness.INSTALLATION: (
        ("INS-TV-WALL", "TV wall mount installation", 549),
        ("INS-GEYSER", "Geyser installation", 499),
        ("INS-CURTAIN", "Curtain rod installation", 299),
    ),
}
EGP_FACTOR = Decimal("0.55")

# What the customer or partner typically says, one line per case kind (the VOC).
VOICE: dict[str, str] = {
    CaseKind.REVISIT_CUSTOMER_CANCELLED: "Customer cancelled the revisit after booking it.",
    CaseKind.REVISIT_WORK_NOT_REQUIRED: "Pro says the revisit needs no work; customer agrees.",
    CaseKind.REVISIT_NEW_WORK_DENIED: "Revisit found new work; customer refused to pay for it.",
    CaseKind.REVISIT_PARTNER_FAULT: "Customer says the first job was done poorly.",
    CaseKind.REVISIT_PAYMENT: "Partner asks why the SME revisit payout is missing.",
    CaseKind.PAF_REVERSAL: "Partner disputes the PAF mark: the customer was not at home.",
    CaseKind.STATUS_CHECK: "Customer asks when the technician will arrive.",
    CaseKind.POST_SERVICE_COMPLAINT: "Appliance stopped working again a week after service.",
    CaseKind.CANCELLATION_REQUEST: "Customer wants to cancel the order.",
    CaseKind.ADDRESS_CHANGE: "Customer moved and wants the installation at the new flat.",
    CaseKind.PROPERTY_DAMAGE: "Technician cracked a floor tile while moving the machine.",
    CaseKind.MISSING_INVOICE: "No invoice was shared after the job.",
    CaseKind.PAYMENT_NOT_CONFIRMED: "Amount debited from the card but no booking confirmation.",
    CaseKind.REFUND_STATUS: "Customer asks when the refund will reach the account.",
    CaseKind.EXTRA_CHARGES: "Technician collected cash above the invoice.",
    CaseKind.SAFETY_INCIDENT: "Customer reports inappropriate behaviour by the technician.",
    CaseKind.PRODUCT_PICKUP: "Motor taken for repair has not been returned.",
    CaseKind.CHANGE_REQUEST: "Customer wants to add a second AC to the booking.",
    CaseKind.RESCHEDULE: "Customer wants the visit moved to the weekend.",
    CaseKind.PREFERRED_PROFESSIONAL: "Customer asks for the same pro as last time.",
    CaseKind.PRE_SERVICE_CANCELLATION: "Customer no longer needs the service.",
    CaseKind.WRONG_JOB_STARTED: "Pro started a deep clean instead of the booked sofa clean.",
    CaseKind.CONTACT_EDIT: "Customer wants to change the phone number on the booking.",
    CaseKind.SERVICE_ENQUIRY: "Customer asks whether we service inverter ACs.",
    CaseKind.UNABLE_TO_BOOK: "App shows no slots for the customer's pincode.",
    CaseKind.OB_FORM: "Customer wants the quotation by e-mail.",
    CaseKind.OUT_OF_SCOPE: "Pro at the site: job needs work outside the category.",
    CaseKind.OOS_OTP_OR_PAYMENT: "Customer refuses to share the start-job OTP.",
    CaseKind.RATING_REVERSAL: "Partner asks to reverse a low rating after a genuine OOS.",
    CaseKind.FOLLOW_UP_FIRST_VISIT: "First visit cancelled; call to set a new appointment.",
    CaseKind.FOLLOW_UP_SECOND_APPOINTMENT: "Material price confirmed; book the second visit.",
    CaseKind.FOLLOW_UP_PAINTING: "Painting quotation sent; confirm the start date.",
}

PARTNER_KINDS = frozenset(
    {
        CaseKind.PAF_REVERSAL,
        CaseKind.OUT_OF_SCOPE,
        CaseKind.OOS_OTP_OR_PAYMENT,
        CaseKind.RATING_REVERSAL,
        CaseKind.REVISIT_PAYMENT,
    }
)
FOLLOW_UP_KINDS = frozenset(
    {
        CaseKind.FOLLOW_UP_FIRST_VISIT,
        CaseKind.FOLLOW_UP_SECOND_APPOINTMENT,
        CaseKind.FOLLOW_UP_PAINTING,
    }
)
NO_BOOKING_KINDS = frozenset({CaseKind.SERVICE_ENQUIRY, CaseKind.UNABLE_TO_BOOK})

# Response time by priority, in hours: what due_at is set from.
SLA_HOURS = {Priority.URGENT: 4, Priority.HIGH: 12, Priority.MEDIUM: 24, Priority.LOW: 48}


def profile(city_name: str) -> CityProfile:
    return CITY_PROFILES.get(city_name, DEFAULT_PROFILE)


def indian_mobile(rng: random.Random) -> str:
    return f"+91{rng.choice('6789')}{rng.randrange(10**9):09d}"


def egyptian_mobile(rng: random.Random) -> str:
    return f"+201{rng.choice('0125')}{rng.randrange(10**8):08d}"


def sku_price(price_inr: int, currency: str) -> Decimal:
    if currency == "EGP":
        # Round to the nearest 5 pounds, as price lists do.
        return (Decimal(price_inr) * EGP_FACTOR / 5).quantize(Decimal("1")) * 5
    return Decimal(price_inr)


def near(rng: random.Random, centre: float, spread: float = 0.06) -> Decimal:
    """A coordinate within a few kilometres of the centre (6 decimals, as the column stores)."""
    return Decimal(f"{centre + rng.uniform(-spread, spread):.6f}")


# --- load_demo -------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    already_loaded: bool = False
    users_created: int = 0
    partners: int = 0
    slots: int = 0
    customers: int = 0
    bookings: Counter = field(default_factory=Counter)
    revisits: int = 0
    sme_revisits: int = 0
    cases: Counter = field(default_factory=Counter)
    kinds: int = 0
    transitions: int = 0
    overdue: int = 0
    seconds: float = 0.0

    money_added: bool = False
    money: MoneySummary | None = None

    @property
    def nothing_done(self) -> bool:
        return self.already_loaded and not self.money_added and not self.users_created

    def lines(self) -> list[str]:
        if self.already_loaded:
            lines = [
                f"Demo data already loaded (partner {MARKER_EXTERNAL_ID} exists)"
                + ("; nothing to do." if self.nothing_done else ".")
                + (
                    f" Created {self.users_created} missing role user(s)."
                    if self.users_created
                    else ""
                )
            ]
        else:
            lines = [
                f"Demo data loaded in {self.seconds:.1f} s (role users' password: "
                f"{DEMO_PASSWORD}).",
                f"  users created: {self.users_created} ({', '.join(ROLE_USERS)})",
                f"  partners: {self.partners}, calendar slots: {self.slots}, "
                f"customers: {self.customers}",
                f"  bookings: {sum(self.bookings.values())} "
                f"({_counts(self.bookings)}); revisits {self.revisits}, "
                f"SME revisits {self.sme_revisits}",
                f"  cases: {sum(self.cases.values())} over {self.kinds} kinds "
                f"({_counts(self.cases)}); {self.transitions} transitions, {self.overdue} overdue",
            ]
        if self.money_added:
            lines.append(
                f"Payouts demo added in {self.seconds:.1f} s (marker booking "
                f"{MONEY_MARKER_EXTERNAL_ID})."
            )
        else:
            lines.append(
                f"Payouts demo already loaded (booking {MONEY_MARKER_EXTERNAL_ID} exists); "
                "nothing to do."
            )
        if self.money is not None:
            lines += self.money.lines()
        return lines


def _counts(counter: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))


def ensure_role_users() -> tuple[dict[str, User], int]:
    """The five demo logins; existing ones are left exactly as they are."""
    users: dict[str, User] = {}
    created = 0
    for username, group_name in ROLE_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@casework.example",
                is_staff=True,
                is_superuser=group_name is None,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            if group_name is not None:
                user.groups.add(Group.objects.get(name=group_name))
            created += 1
        users[username] = user
    return users, created


def demo_loaded() -> bool:
    return Partner.objects.filter(external_id=MARKER_EXTERNAL_ID).exists()


def load_demo(*, seed: int = SEED) -> DemoSummary:
    """Create the demo world once, and its payouts part once (each has its own marker, so a
    database holding the demo world from before the payouts part existed gets that part
    added); a later call only reports what is there."""
    started = timezone.now()
    with transaction.atomic():
        users, users_created = ensure_role_users()
        if demo_loaded():
            summary = DemoSummary(already_loaded=True)
        else:
            summary = _DemoBuilder(seed=seed, users=users).build()
        summary.users_created = users_created
        notes: list[str] = []
        if not money_demo_loaded():
            notes = _MoneyDemoBuilder(seed=seed, users=users).build()
            summary.money_added = True
        summary.money = MoneySummary.read(notes=notes)
    summary.seconds = (timezone.now() - started).total_seconds()
    return summary


class _DemoBuilder:
    N_PARTNERS = 50
    N_CUSTOMERS = 200
    N_BOOKINGS = 460  # first visits; revisits and SME revisits come on top (~500 in all)
    N_REVISITS = 34
    N_SME_REVISITS = 10
    N_CASES = 300

    def __init__(self, *, seed: int, users: dict[str, User]) -> None:
        self.rng = random.Random(seed)
        self.fake_in = Faker("en_IN")
        self.fake_in.seed_instance(seed)
        self.users = users
        self.now = timezone.now()
        self.cities = list(City.objects.select_related("region").order_by("id"))
        self.summary = DemoSummary()

    # helpers

    def _tz(self, city: City) -> ZoneInfo:
        return ZoneInfo(city.region.timezone)

    def _weighted_cities(self, k: int) -> list[City]:
        """k cities by weight, every city at least once when k allows."""
        picked = list(self.cities[:k])
        weights = [profile(c.name).weight for c in self.cities]
        picked += self.rng.choices(self.cities, weights=weights, k=max(k - len(picked), 0))
        self.rng.shuffle(picked)
        return picked

    def _person(self, city: City) -> tuple[str, str]:
        if city.region.country == "EG":
            name = (
                f"{self.rng.choice(EGYPTIAN_GIVEN_NAMES)} {self.rng.choice(EGYPTIAN_FAMILY_NAMES)}"
            )
            return name, egyptian_mobile(self.rng)
        return self.fake_in.name(), indian_mobile(self.rng)

    def _address(self, city: City) -> str:
        locality = self.rng.choice(profile(city.name).localities)
        if city.region.country == "EG":
            street = self.rng.choice(EGYPT_STREETS)
            return (
                f"Building {self.rng.randint(1, 120)}, {street}, {locality}, {city.name}, "
                f"flat {self.rng.randint(1, 30)}"
            )
        return (
            f"{self.fake_in.building_number()}, {self.fake_in.street_name()}, {locality}, "
            f"{city.name} {self.fake_in.postcode()}"
        )

    def _local(self, city: City, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self._tz(city))

    # build

    def build(self) -> DemoSummary:
        self._partners()
        self._customers()
        self._bookings()
        self._revisits()
        self._calendar()
        self._cases()
        return self.summary

    def _partners(self) -> None:
        lobs = list(LineOfBusiness.values)
        partners = []
        for i, city in enumerate(self._weighted_cities(self.N_PARTNERS), start=1):
            name, phone = self._person(city)
            programmes = []
            if city.name in RWM_CITIES and self.rng.random() < 0.4:
                programmes.append(Programme.RWM)
            if self.rng.random() < 0.3:
                programmes.append(Programme.MG_PLAN)
            partners.append(
                Partner(
                    external_id=f"DEMO-PX-{i:04d}",
                    name=name,
                    phone=phone,
                    city=city,
                    hub=f"{city.name} - {self.rng.choice(profile(city.name).localities)}",
                    categories=sorted(self.rng.sample(lobs, self.rng.choice((1, 1, 2, 3)))),
                    is_sme=self.rng.random() < 0.2,
                    programmes=programmes,
                    rating=Decimal(f"{self.rng.uniform(3.6, 5.0):.2f}"),
                    is_active=self.rng.random() < 0.95,
                )
            )
        self.partners = Partner.objects.bulk_create(partners)
        self.partners_by_city: dict[int, list[Partner]] = {}
        for partner in self.partners:
            self.partners_by_city.setdefault(partner.city_id, []).append(partner)
        # Every city gets an SME, so SME revisits can be delivered anywhere.
        for city_partners in self.partners_by_city.values():
            if not any(p.is_sme for p in city_partners):
                city_partners[0].is_sme = True
                city_partners[0].save(update_fields=["is_sme"])
        self.summary.partners = len(self.partners)

    def _customers(self) -> None:
        customers = []
        for i, city in enumerate(self._weighted_cities(self.N_CUSTOMERS), start=1):
            name, phone = self._person(city)
            handle = name.lower().replace(" ", ".").replace("-", "")
            customers.append(
                Customer(
                    external_id=f"DEMO-CX-{i:05d}",
                    name=name,
                    phone=phone,
                    email=f"{handle}{i}@example.com" if self.rng.random() < 0.8 else "",
                    city=city,
                    fraud_score=Decimal(f"{min(self.rng.expovariate(12), 0.99):.3f}"),
                )
            )
        self.customers = Customer.objects.bulk_create(customers)
        self.summary.customers = len(self.customers)
        self.homes = {c.pk: self._home(c.city) for c in self.customers}

    def _home(self, city: City) -> tuple[str, Decimal, Decimal]:
        centre = profile(city.name)
        return (
            self._address(city),
            near(self.rng, centre.latitude),
            near(self.rng, centre.longitude),
        )

    def _partner_for(self, city: City, lob: str, *, sme: bool = False) -> Partner:
        pool = self.partners_by_city[city.pk]
        fitting = [p for p in pool if lob in p.categories and (p.is_sme or not sme)]
        if not fitting and sme:
            fitting = [p for p in pool if p.is_sme]
        return self.rng.choice(fitting or pool)

    def _lines(self, lob: str, currency: str, *, free: bool = False) -> list[BookingLine]:
        lines = []
        for sku, description, price in self.rng.sample(SKUS[lob], self.rng.choice((1, 1, 2))):
            unit_price = Decimal("0.00") if free else sku_price(price, currency)
            quantity = 1 if free else self.rng.choice((1, 1, 1, 2))
            lines.append(
                BookingLine(
                    sku=sku, description=description, quantity=quantity, unit_price=unit_price
                )
            )
        return lines

    def _booking_time(self, city: City, status: str) -> datetime:
        """A booking time consistent with the status: future for created, past for completed."""
        if status == BookingStatus.STARTED:
            return self.now - timedelta(minutes=self.rng.randint(20, 300))
        if status in (BookingStatus.CREATED, BookingStatus.ALLOCATED):
            days = self.rng.randint(0 if status == BookingStatus.ALLOCATED else 1, 10)
        elif status == BookingStatus.COMPLETED:
            days = -self.rng.randint(1, 45)
        else:
            days = self.rng.randint(-40, 7)
        day = (self.now + timedelta(days=days)).astimezone(self._tz(city)).date()
        at = self._local(city, day, self.rng.randint(8, 19), self.rng.choice((0, 30)))
        if status == BookingStatus.ALLOCATED and at <= self.now:
            at += timedelta(days=1)
        return at

    def _move(self, booking: Booking, status: str, *, partner: Partner | None = None) -> None:
        """Walk the booking's FSM to the status (the status field cannot be assigned)."""
        if status == BookingStatus.CANCELLED:
            stage = self.rng.choice(
                (BookingStatus.CREATED, BookingStatus.ALLOCATED, BookingStatus.STARTED)
            )
            self._move(booking, stage, partner=partner)
            code, by = self._cancellation(booking, stage)
            booking.cancel(code=code, cancelled_by=by)
            return
        order = [BookingStatus.ALLOCATED, BookingStatus.STARTED, BookingStatus.COMPLETED]
        for step in order[: order.index(status) + 1] if status in order else []:
            if step == BookingStatus.ALLOCATED:
                booking.allocate(partner=partner)
            elif step == BookingStatus.STARTED:
                booking.start()
            else:
                booking.complete()

    def _cancellation(self, booking: Booking, stage: str) -> tuple[str, str]:
        if booking.revisit_of_id is not None and self.rng.random() < 0.6:
            return (
                self.rng.choice(
                    (CancellationCode.PLACED_REVISIT_BY_MISTAKE, CancellationCode.ISSUE_RESOLVED)
                ),
                CancelledBy.CUSTOMER,
            )
        if stage == BookingStatus.STARTED:
            # On the job: the out-of-scope flow, led by the partner.
            return (
                self.rng.choice(
                    (
                        CancellationCode.INCORRECT_SERVICE_BOOKED,
                        CancellationCode.PRO_CANNOT_DELIVER,
                        CancellationCode.CANT_DELIVER,
                    )
                ),
                CancelledBy.PARTNER,
            )
        if stage == BookingStatus.ALLOCATED and self.rng.random() < 0.3:
            return (
                self.rng.choice((CancellationCode.NO_SHOW, CancellationCode.NO_RESPONSE)),
                self.rng.choice((CancelledBy.AGENT, CancelledBy.SYSTEM)),
            )
        return (
            self.rng.choice(
                (
                    CancellationCode.CUSTOMER_VOC,
                    CancellationCode.ISSUE_RESOLVED,
                    CancellationCode.INCORRECT_SERVICE_BOOKED,
                )
            ),
            CancelledBy.CUSTOMER,
        )

    def _save_bookings(self, pairs: list[tuple[Booking, list[BookingLine]]]) -> list[Booking]:
        bookings = Booking.objects.bulk_create([b for b, _ in pairs])
        lines = []
        for booking, booking_lines in pairs:
            for line in booking_lines:
                line.booking = booking
                lines.append(line)
        BookingLine.objects.bulk_create(lines)
        for booking in bookings:
            self.summary.bookings[booking.status] += 1
        return bookings

    def _bookings(self) -> None:
        statuses = list(BookingStatus.values)
        weights = [12, 18, 6, 46, 18]  # created, allocated, started, completed, cancelled
        pairs = []
        for i in range(1, self.N_BOOKINGS + 1):
            customer = self.rng.choice(self.customers)
            city = customer.city
            status = (
                statuses[i - 1]
                if i <= len(statuses)
                else self.rng.choices(statuses, weights=weights)[0]
            )
            partners = self.partners_by_city[city.pk]
            lob = self.rng.choice(self.rng.choice(partners).categories)
            if i % 23 == 0:
                lob = LineOfBusiness.PAINTING  # the painting follow-ups need some
            address, latitude, longitude = self.homes[customer.pk]
            if self.rng.random() < 0.3:  # booked for another address (office, parents' home)
                address, latitude, longitude = self._home(city)
            booking_time = self._booking_time(city, status)
            currency = city.region.currency
            lines = self._lines(lob, currency)
            cart_value = sum((ln.unit_price * ln.quantity for ln in lines), Decimal("0.00"))
            local_day = booking_time.astimezone(self._tz(city)).date()
            booking = Booking(
                external_id=f"DEMO-BK-{i:06d}",
                customer=customer,
                city=city,
                lob=lob,
                currency=currency,
                cart_value=cart_value,
                invoice_amount=cart_value,
                payment_mode=self.rng.choices(
                    (PaymentMode.ONLINE, PaymentMode.CASH), weights=(6, 4)
                )[0],
                booking_time=booking_time,
                service_date=local_day,
                spd=local_day + timedelta(days=self.rng.choice((0, 0, 1, 2))),
                address=address,
                latitude=latitude,
                longitude=longitude,
                is_commercial=self.rng.random() < 0.06,
            )
            self._move(booking, status, partner=self._partner_for(city, lob))
            pairs.append((booking, lines))
        self.bookings = self._save_bookings(pairs)

    def _revisit(self, original: Booking, number: int, *, sme: bool) -> tuple[Booking, list]:
        city = original.city
        status = self.rng.choices(
            (
                BookingStatus.COMPLETED,
                BookingStatus.ALLOCATED,
                BookingStatus.CANCELLED,
                BookingStatus.CREATED,
            ),
            weights=(6, 2, 2, 1),
        )[0]
        if sme:
            status = BookingStatus.COMPLETED if number % 3 else BookingStatus.ALLOCATED
        # Inside the 30-day warranty of the visit it follows.
        after = timedelta(days=self.rng.randint(2, 12), hours=self.rng.randint(0, 6))
        booking_time = min(original.booking_time + after, self.now - timedelta(hours=2))
        if booking_time <= original.booking_time + timedelta(hours=1):
            status = BookingStatus.ALLOCATED  # too recent to have happened yet
        if status in (BookingStatus.ALLOCATED, BookingStatus.CREATED):
            booking_time = self.now + timedelta(days=self.rng.randint(1, 4))
        booking_time = booking_time.replace(second=0, microsecond=0)
        local_day = booking_time.astimezone(self._tz(city)).date()
        booking = Booking(
            external_id=f"DEMO-RV-{number:05d}",
            customer=original.customer,
            city=city,
            lob=original.lob,
            currency=original.currency,
            cart_value=Decimal("0.00"),
            invoice_amount=Decimal("0.00"),
            payment_mode=original.payment_mode,
            booking_time=booking_time,
            service_date=local_day,
            spd=local_day,
            address=original.address,
            latitude=original.latitude,
            longitude=original.longitude,
            is_commercial=original.is_commercial,
            revisit_of=original,
            is_sme_revisit=sme,
        )
        partner = self._partner_for(city, original.lob, sme=sme)
        self._move(booking, status, partner=partner)
        return booking, self._lines(original.lob, original.currency, free=True)

    def _revisits(self) -> None:
        completed = [b for b in self.bookings if b.status == BookingStatus.COMPLETED]
        recent = [b for b in completed if b.booking_time > self.now - timedelta(days=30)]
        firsts = self.rng.sample(recent, min(self.N_REVISITS, len(recent)))
        revisits = self._save_bookings(
            [self._revisit(b, n, sme=False) for n, b in enumerate(firsts, start=1)]
        )
        done = [r for r in revisits if r.status == BookingStatus.COMPLETED]
        seconds = self.rng.sample(done, min(self.N_SME_REVISITS, len(done)))
        sme_revisits = self._save_bookings(
            [self._revisit(b, len(revisits) + n, sme=True) for n, b in enumerate(seconds, start=1)]
        )
        self.revisit_bookings = revisits + sme_revisits
        self.summary.revisits = len(revisits)
        self.summary.sme_revisits = len(sme_revisits)
        self.all_bookings = self.bookings + self.revisit_bookings

    def _calendar(self) -> None:
        """Working slots for upcoming allocated jobs; a few partners on leave."""
        slots = []
        busy: dict[int, set[date]] = {}
        for booking in self.all_bookings:
            if booking.status != BookingStatus.ALLOCATED or booking.partner is None:
                continue
            slots.append(
                CalendarSlot(
                    partner=booking.partner,
                    starts_at=booking.booking_time,
                    ends_at=booking.booking_time + timedelta(hours=2),
                    status=SlotStatus.WORKING,
                    note=f"Job {booking.external_id}",
                )
            )
            busy.setdefault(booking.partner_id, set()).add(booking.service_date)
        for partner in self.rng.sample(self.partners, len(self.partners) // 5):
            city = partner.city
            today = self.now.astimezone(self._tz(city)).date()
            first = today + timedelta(days=self.rng.randint(0, 8))
            for offset in range(self.rng.randint(1, 3)):
                day = first + timedelta(days=offset)
                if day in busy.get(partner.pk, set()):
                    continue
                slots.append(
                    CalendarSlot(
                        partner=partner,
                        starts_at=self._local(city, day, 8),
                        ends_at=self._local(city, day, 21),
                        status=SlotStatus.ON_LEAVE,
                        note=self.rng.choice(("Family function", "Sick leave", "Festival")),
                    )
                )
        CalendarSlot.objects.bulk_create(slots)
        self.summary.slots = len(slots)

    # cases

    def _booking_for(self, kind: str) -> Booking | None:
        b = BookingStatus
        if kind in NO_BOOKING_KINDS:
            return None
        if kind.startswith("revisit_") or kind == CaseKind.PAF_REVERSAL:
            pool = self.revisit_bookings
            if kind == CaseKind.REVISIT_PAYMENT:
                pool = [r for r in pool if r.is_sme_revisit] or pool
        elif kind in (CaseKind.OUT_OF_SCOPE, CaseKind.OOS_OTP_OR_PAYMENT, CaseKind.RATING_REVERSAL):
            pool = [
                x
                for x in self.bookings
                if x.cancelled_by == CancelledBy.PARTNER or x.status == b.STARTED
            ]
        elif kind == CaseKind.FOLLOW_UP_PAINTING:
            pool = [x for x in self.bookings if x.lob == LineOfBusiness.PAINTING]
        elif kind == CaseKind.FOLLOW_UP_FIRST_VISIT:
            pool = [x for x in self.bookings if x.status == b.CANCELLED]
        elif kind in (CaseKind.REFUND_STATUS,):
            pool = [
                x
                for x in self.bookings
                if x.status == b.CANCELLED and x.payment_mode == PaymentMode.ONLINE
            ]
        elif kind == CaseKind.PAYMENT_NOT_CONFIRMED:
            pool = [
                x
                for x in self.bookings
                if x.status == b.CREATED and x.payment_mode == PaymentMode.ONLINE
            ]
        elif kind in (
            CaseKind.STATUS_CHECK,
            CaseKind.CANCELLATION_REQUEST,
            CaseKind.ADDRESS_CHANGE,
            CaseKind.CHANGE_REQUEST,
            CaseKind.RESCHEDULE,
            CaseKind.PREFERRED_PROFESSIONAL,
            CaseKind.PRE_SERVICE_CANCELLATION,
            CaseKind.CONTACT_EDIT,
            CaseKind.OB_FORM,
        ):
            pool = [x for x in self.bookings if x.status in (b.CREATED, b.ALLOCATED)]
        elif kind == CaseKind.WRONG_JOB_STARTED:
            pool = [x for x in self.bookings if x.status in (b.STARTED, b.COMPLETED)]
        else:  # after service: complaints, damage, invoice, extra charges, second appointment
            pool = [x for x in self.bookings if x.status == b.COMPLETED]
        return self.rng.choice(pool or self.bookings)

    def _status_plan(self) -> list[str]:
        s = CaseStatus
        weights = {
            s.NEW: 10,
            s.OPEN: 18,
            s.PENDING: 10,
            s.PARKED: 8,
            s.WAITING_ON_CUSTOMER: 10,
            s.WAITING_ON_THIRD_PARTY: 6,
            s.RESOLVED: 14,
            s.CLOSED: 24,
        }
        plan = list(weights)  # every status at least once
        plan += self.rng.choices(
            list(weights), weights=list(weights.values()), k=self.N_CASES - len(plan)
        )
        self.rng.shuffle(plan)
        return plan

    def _path(self, kind: str, status: str) -> list[str]:
        """The transitions that take a new case to the status, with some detours."""
        s = CaseStatus
        r = self.rng.random()
        if status == s.NEW:
            return []
        if status == s.OPEN:
            return ["open", "resolve", "reopen"] if r < 0.12 else ["open"]
        if status == s.PENDING:
            return ["open", "mark_pending"]
        if status == s.PARKED:
            return ["park"] if r < 0.25 else ["open", "park"]
        if status == s.WAITING_ON_CUSTOMER:
            return (
                ["open", "mark_pending", "wait_on_customer"]
                if r < 0.3
                else ["open", "wait_on_customer"]
            )
        if status == s.WAITING_ON_THIRD_PARTY:
            return ["open", "wait_on_third_party"]
        if status == s.RESOLVED:
            return ["open", "mark_pending", "resume", "resolve"] if r < 0.3 else ["open", "resolve"]
        return (
            ["open", "resolve", "reopen", "resolve", "close"]
            if r < 0.1
            else ["open", "resolve", "close"]
        )

    def _priority(self, kind: str) -> str:
        if kind == CaseKind.SAFETY_INCIDENT:
            return Priority.URGENT
        if kind == CaseKind.PROPERTY_DAMAGE:
            return Priority.HIGH
        return self.rng.choices(Priority.values, weights=(35, 40, 18, 7))[0]

    def _cases(self) -> None:
        agent, partner_support = self.users["agent"], self.users["partnersup"]
        supervisor = self.users["supervisor"]
        tags = {
            kind: list(
                DispositionTag.objects.filter(
                    is_selectable=True, kinds__contains=[kind]
                ).values_list("path", flat=True)
            )
            for kind in CaseKind.values
        }
        kinds = list(CaseKind.values)
        kinds_seen: set[str] = set()
        for i, status in enumerate(self._status_plan()):
            kind = kinds[i % len(kinds)]
            if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and not tags[kind]:
                status = CaseStatus.OPEN  # nothing to resolve it with
            booking = self._booking_for(kind)
            is_partner = kind in PARTNER_KINDS
            if is_partner:
                channel, reporter, creator = Channel.PARTNER_APP, Reporter.PARTNER, partner_support
            elif kind in FOLLOW_UP_KINDS:
                channel, reporter, creator = Channel.SYSTEM, Reporter.CUSTOMER, None
            else:
                channel = self.rng.choices(
                    (Channel.INBOUND_CALL, Channel.CHAT, Channel.EMAIL), weights=(6, 3, 1)
                )[0]
                reporter, creator = Reporter.CUSTOMER, agent
            team = default_team(kind)
            priority = self._priority(kind)
            if priority == Priority.URGENT and self.rng.random() < 0.5:
                team = Team.ESCALATIONS
            elif kind in (CaseKind.FOLLOW_UP_SECOND_APPOINTMENT, CaseKind.FOLLOW_UP_PAINTING):
                team = self.rng.choice((team, Team.ENGINEERING_OPS))
            due_at = self.now + timedelta(hours=SLA_HOURS[priority])
            overdue = status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and (
                self.rng.random() < 0.2
            )
            if overdue:
                due_at = self.now - timedelta(hours=self.rng.randint(1, 72))
                self.summary.overdue += 1
            customer = booking.customer if booking else self.rng.choice(self.customers)
            subject = CaseKind(kind).label
            if booking is not None:
                subject = f"{subject}: {booking.external_id}"
            case = services.create_case(
                actor=creator,
                kind=kind,
                channel=channel,
                reporter=reporter,
                subject=subject,
                description=VOICE.get(kind, ""),
                booking=booking,
                customer=customer,
                team=team,
                priority=priority,
                due_at=due_at,
            )
            worker = {
                Team.PARTNER_SUPPORT: partner_support,
                Team.ESCALATIONS: supervisor,
            }.get(team, agent)
            if status != CaseStatus.NEW or self.rng.random() < 0.3:
                services.update_case(
                    case_id=case.pk,
                    actor=worker,
                    changes={"assignee": worker},
                    reason="Assigned from the queue.",
                )
            for name in self._path(kind, status):
                data = {}
                if name == "park":
                    hours = 3 if kind == CaseKind.OUT_OF_SCOPE else self.rng.randint(2, 72)
                    data["parked_until"] = self.now + timedelta(hours=hours)
                elif name == "resolve":
                    data["disposition"] = self.rng.choice(tags[kind])
                actor = supervisor if name == "reopen" else worker
                case = services.transition_case(
                    case_id=case.pk,
                    name=name,
                    actor=actor,
                    data=data,
                    reason=_reason(name),
                )
                self.summary.transitions += 1
            self.summary.cases[case.status] += 1
            kinds_seen.add(kind)
        self.summary.kinds = len(kinds_seen)


def _reason(name: str) -> str:
    return {
        "open": "Picked up from the queue.",
        "mark_pending": "Waiting for an internal answer.",
        "park": "Parked per SOP until the follow-up time.",
        "wait_on_customer": "Called the customer twice; no answer.",
        "wait_on_third_party": "Waiting on the partner's confirmation.",
        "resume": "Answer received.",
        "resolve": "Resolved and tagged.",
        "close": "No reply within the closing window.",
        "reopen": "Customer called back: the issue is not fixed.",
    }.get(name, "")


# --- the payouts part ------------------------------------------------------------------------
#
# Partner money for the payouts acceptance, made only through the payout services and the SOP
# flows: earnings for every completed demo job, changed-address bonuses, revisit PAFs and
# penalties (scenario 4 pending for the next run; scenarios 1-3 deducted in last month's paid
# run and disputed now), goodwill and wrong-job refunds, OOS tickets, follow-up calls, and one
# paid India run for last month (computed by the supervisor, approved by finance). Its jobs are
# pushed like the booking platform pushes them (DEMO-MN-*), so the part does not depend on when
# the demo world was loaded; the first of them is its marker.

MONEY_PREFIX = "DEMO-MN-"
MONEY_MARKER_EXTERNAL_ID = f"{MONEY_PREFIX}0001"
DEMO_PREFIX = "DEMO-"

SKU_INDEX: dict[str, tuple[str, str, int]] = {
    sku: (lob, description, price)
    for lob, items in SKUS.items()
    for sku, description, price in items
}

# Last month's revisits that the partner app cancelled with a PAF and a penalty, disputed this
# month: (scenario, case kind, who cancelled, cancellation code, flow inputs, PAF genuine).
PAF_DISPUTES: tuple[tuple[int, str, str, str, dict[str, bool], bool], ...] = (
    (
        1,
        CaseKind.REVISIT_CUSTOMER_CANCELLED,
        CancelledBy.CUSTOMER,
        CancellationCode.CUSTOMER_VOC,
        {
            "pro_discussed_and_denied": False,
            "pro_shared_personal_number": False,
            "paf_marked": True,
            "penalty_marked": True,
            "paf_genuine": False,
        },
        False,
    ),
    (
        2,
        CaseKind.REVISIT_WORK_NOT_REQUIRED,
        CancelledBy.PARTNER,
        CancellationCode.ISSUE_RESOLVED,
        {
            "customer_responsive": False,
            "customer_agrees_to_cancel": False,
            "paf_marked": True,
            "paf_genuine": False,
        },
        False,
    ),
    (
        3,
        CaseKind.REVISIT_NEW_WORK_DENIED,
        CancelledBy.PARTNER,
        CancellationCode.CUSTOMER_VOC,
        {
            "customer_accepts_new_sku": False,
            "customer_agrees_to_cancel": False,
            "paf_marked": True,
            "paf_genuine": True,
        },
        True,
    ),
)
DISPUTE_SKUS = ("AC-SRV-JET", "CLN-KITCHEN", "APP-CH-INS")
# Scenario 4 this month: (country, SKU of the original job, the partner's failure).
SCENARIO_4 = (
    ("IN", "AC-GAS-FILL", "no_show"),
    ("IN", "CLN-SOFA", "denied_job"),
    ("IN", "APP-FR-REP", "poor_service"),
    ("EG", "AC-INS-SPLIT", "unresponsive"),
)
GOODWILL_SKUS = ("APP-MW-REP", "CLN-KITCHEN")  # cart value under and over the 500 threshold
BONUS_JOBS = (("IN", "INS-TV-WALL"), ("IN", "ELE-FAN-INS"), ("EG", "APP-WM-REP"))
# Out-of-scope tickets: SKU, the partner's distance from the customer (m), raised by the
# partner himself (partner app) or by partner support on his behalf.
OOS_JOBS = (("ELE-WIRING", 60, False), ("PLB-BLOCK", 240, False), ("PNT-WATERPROOF", 450, True))
FOLLOW_UP_CALLS = (("IN", "no_answer"), ("EG", "wants_followup"), ("IN", "new_appointment"))
METRES_PER_DEGREE = 111_195  # of latitude, on the mean earth radius the OOS check uses


def money_demo_loaded() -> bool:
    return Booking.objects.filter(external_id=MONEY_MARKER_EXTERNAL_ID).exists()


def _grouped(queryset, field_name: str) -> Counter:
    rows = queryset.order_by().values_list(field_name).annotate(n=Count("pk"))
    return Counter(dict(rows))


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


@dataclass
class MoneySummary:
    """What the payouts part of the demo holds, read from the database."""

    entries: Counter = field(default_factory=Counter)
    pafs: Counter = field(default_factory=Counter)
    penalties: Counter = field(default_factory=Counter)
    pending_penalties: list[str] = field(default_factory=list)
    refunds: Counter = field(default_factory=Counter)
    reversals: Counter = field(default_factory=Counter)
    runs: list[str] = field(default_factory=list)
    open_runs: int = 0
    to_try: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, *, notes: list[str] | None = None) -> MoneySummary:
        summary = cls(notes=list(notes or []))
        summary.entries = _grouped(LedgerEntry.objects.all(), "kind")
        summary.pafs = _grouped(PartnerAtFault.objects.all(), "state")
        summary.penalties = _grouped(Penalty.objects.all(), "state")
        pending = (
            Penalty.objects.filter(state=PenaltyState.PENDING)
            .order_by("currency")
            .values_list("currency")
            .annotate(total=Sum("amount"))
        )
        summary.pending_penalties = [_money(total, currency) for currency, total in pending]
        summary.refunds = _grouped(Refund.objects.all(), "state")
        summary.reversals = _grouped(ReversalRequest.objects.all(), "state")
        runs = (
            PayoutRun.objects.select_related("region", "computed_by", "approved_by")
            .annotate(
                n_lines=Count("lines"),
                paid=Sum("lines__net", filter=Q(lines__net__gt=0)),
            )
            .order_by("region__name", "period_end", "id")
        )
        for run in runs:
            summary.runs.append(
                f"#{run.pk} {run.region.name} {run.period_start}..{run.period_end} {run.state} "
                f"({run.n_lines} partner lines, {_money(run.paid or Decimal(0), run.currency)} "
                f"payable; computed by {run.computed_by or '-'}, approved by "
                f"{run.approved_by or '-'})"
            )
            summary.open_runs += run.state != RunState.PAID
        summary.to_try = _to_try()
        return summary

    def lines(self) -> list[str]:
        pending = f" ({' + '.join(self.pending_penalties)} due in the next run)"
        lines = [
            f"  ledger entries: {sum(self.entries.values())} ({_counts(self.entries)})",
            f"  PAFs: {_counts(self.pafs) or 'none'}; penalties: "
            f"{_counts(self.penalties) or 'none'}" + (pending if self.pending_penalties else ""),
            f"  refunds: {_counts(self.refunds) or 'none'}; reversal requests: "
            f"{_counts(self.reversals) or 'none'}",
            "  payout runs: " + ("; ".join(self.runs) or "none") + f"; open runs: {self.open_runs}",
        ]
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  to try: {step}" for step in self.to_try]
        return lines


def _to_try() -> list[str]:
    """The payouts acceptance, step by step, on the records that are there."""
    steps = []
    paf = (
        PartnerAtFault.objects.filter(state=PafState.NOT_GENUINE, reversal_requests__isnull=True)
        .order_by("pk")
        .first()
    )
    if paf is not None:
        steps.append(f"as partnersup, log the PAF and penalty reversal form for PAF #{paf.pk}")
    request = ReversalRequest.objects.filter(state=ReversalState.SUBMITTED).order_by("pk").first()
    if request is not None:
        steps.append(f"as finance, approve reversal request #{request.pk}")
    paid = PayoutRun.objects.filter(region__country="IN", state=RunState.PAID).order_by(
        "-period_end"
    )
    last = paid.first()
    if last is not None and not PayoutRun.objects.exclude(state=RunState.PAID).exists():
        start = last.period_end + timedelta(days=1)
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        steps.append(
            f"as supervisor, create and compute the India run for {start}..{end} (pending "
            "penalties and the compensating entry appear in it); approve it as finance"
        )
    return steps


class _MoneyDemoBuilder:
    """The payouts part of the demo; see the comment above MONEY_PREFIX."""

    def __init__(self, *, seed: int, users: dict[str, User]) -> None:
        self.rng = random.Random(seed + 1)
        self.agent = users["agent"]
        self.partnersup = users["partnersup"]
        self.finance = users["finance"]
        self.supervisor = users["supervisor"]
        self.now = timezone.now()
        self.pushed = 0
        self.case_ids: list[int] = []
        self.notes: list[str] = []
        self.india = Region.objects.get(country="IN")
        zone = ZoneInfo(self.india.timezone)
        self.month_start = self.now.astimezone(zone).date().replace(day=1)
        self.last_end = self.month_start - timedelta(days=1)
        self.last_start = self.last_end.replace(day=1)
        self._pools()

    def build(self) -> list[str]:
        disputed = self._disputed_revisits()  # pushed first: holds the marker
        originals = [self._recent_job(country, sku) for country, sku, _ in SCENARIO_4]
        goodwill = [self._goodwill_job(sku) for sku in GOODWILL_SKUS]
        wrong_job = self._job(
            city=self._city("IN"),
            sku="CLN-KITCHEN",
            status=BookingStatus.COMPLETED,
            at=self._local_at("IN", days=-1, hour=10),
        )
        bonus = [
            self._job(
                city=self._city(country),
                sku=sku,
                status=BookingStatus.ALLOCATED,
                at=self._local_at(country, days=1, hour=11),
            )
            for country, sku in BONUS_JOBS
        ]
        oos_jobs = [
            self._job(
                city=self._city("IN"),
                sku=sku,
                status=BookingStatus.STARTED,
                at=(self.now - timedelta(minutes=40)).replace(second=0, microsecond=0),
            )
            for sku, _, _ in OOS_JOBS
        ]
        follow_up = [
            self._job(
                city=self._city(country),
                sku=self.rng.choice(("AC-SRV-LITE", "RO-SRV", "PLB-TAP")),
                status=BookingStatus.CANCELLED,
                at=self._local_at(country, days=-1, hour=15),
                cancel=(CancellationCode.CUSTOMER_VOC, CancelledBy.CUSTOMER),
            )
            for country, _ in FOLLOW_UP_CALLS
        ]
        self._earnings()
        pafs = self._penalties_deducted_last_month(disputed)
        self._paid_run()
        self._paf_disputes(disputed, pafs)
        self._scenario_4(originals)
        self._refunds(goodwill, wrong_job)
        self._bonuses(bonus)
        self._oos_tickets(oos_jobs)
        self._follow_ups(follow_up)
        self._due_dates()
        return self.notes

    # pools and jobs

    def _pools(self) -> None:
        """Active demo partners (no RWM partners, so every job may go through OOS) and demo
        customers, by city; the cities that have both, by country."""
        self.partners: dict[int, list[Partner]] = {}
        partners = Partner.objects.filter(
            external_id__startswith=DEMO_PREFIX, is_active=True
        ).order_by("external_id")
        for partner in partners:
            if not partner.is_rwm:
                self.partners.setdefault(partner.city_id, []).append(partner)
        self.customers: dict[int, list[Customer]] = {}
        customers = Customer.objects.filter(
            external_id__startswith=DEMO_PREFIX, city_id__in=list(self.partners)
        ).order_by("external_id")
        for customer in customers:
            self.customers.setdefault(customer.city_id, []).append(customer)
        cities = City.objects.filter(pk__in=list(self.customers)).select_related("region")
        self.cities: dict[str, list[City]] = {}
        for city in sorted(cities, key=lambda c: (-profile(c.name).weight, c.name)):
            self.cities.setdefault(city.region.country, []).append(city)
        for country in ("IN", "EG"):
            if not self.cities.get(country):
                raise RuntimeError(f"No demo partners and customers in {country} to build on.")
        self.used_partners: set[int] = set()

    def _city(self, country: str) -> City:
        return self.rng.choice(self.cities[country][:6])

    def _local_at(self, country: str, *, days: int, hour: int) -> datetime:
        zone = ZoneInfo(self.cities[country][0].region.timezone)
        day = (self.now + timedelta(days=days)).astimezone(zone).date()
        return datetime.combine(day, time(hour), tzinfo=zone)

    def _partner(self, city: City, lob: str) -> Partner:
        """A partner of the city for the line, preferring one with no money story yet (so each
        partner's payout line tells one story)."""
        pool = self.partners[city.pk]
        fitting = [p for p in pool if lob in p.categories] or pool
        fresh = [p for p in fitting if p.pk not in self.used_partners] or fitting
        partner = self.rng.choice(fresh)
        self.used_partners.add(partner.pk)
        return partner

    def _job(
        self,
        *,
        city: City,
        sku: str,
        status: str,
        at: datetime,
        cancel: tuple[str, str] | None = None,
        revisit_of: Booking | None = None,
    ) -> Booking:
        """Push a job as the booking platform does (upsert, then its moves)."""
        lob, description, price = SKU_INDEX[sku]
        currency = city.region.currency
        zone = ZoneInfo(city.region.timezone)
        if revisit_of is not None:
            external_id = f"{revisit_of.external_id}-R1"
            customer, partner = revisit_of.customer, revisit_of.partner
            unit_price = Decimal("0.00")
            address, latitude, longitude = (
                revisit_of.address,
                revisit_of.latitude,
                revisit_of.longitude,
            )
        else:
            self.pushed += 1
            external_id = f"{MONEY_PREFIX}{self.pushed:04d}"
            customer = self.rng.choice(self.customers[city.pk])
            partner = self._partner(city, lob)
            unit_price = sku_price(price, currency)
            centre = profile(city.name)
            locality = self.rng.choice(centre.localities)
            address = f"{self.rng.randint(1, 240)}, {locality}, {city.name}"
            latitude = near(self.rng, centre.latitude)
            longitude = near(self.rng, centre.longitude)
        local_day = at.astimezone(zone).date()
        booking, _ = booking_services.upsert_booking(
            external_id=external_id,
            fields={
                "customer": customer,
                "city": city,
                "lob": lob,
                "currency": currency,
                "cart_value": unit_price,
                "invoice_amount": unit_price,
                "payment_mode": PaymentMode.ONLINE,
                "booking_time": at,
                "service_date": local_day,
                "spd": local_day,
                "address": address,
                "latitude": latitude,
                "longitude": longitude,
                "revisit_of": revisit_of,
            },
            lines=[
                {"sku": sku, "description": description, "quantity": 1, "unit_price": unit_price}
            ],
        )
        moves = {
            BookingStatus.CREATED: [],
            BookingStatus.ALLOCATED: ["allocate"],
            BookingStatus.STARTED: ["allocate", "start"],
            BookingStatus.COMPLETED: ["allocate", "start", "complete"],
            BookingStatus.CANCELLED: ["allocate"],
        }[status]
        for name in moves:
            booking_services.transition_booking(
                booking_id=booking.pk, name=name, partner=partner if name == "allocate" else None
            )
        if status == BookingStatus.CANCELLED:
            code, cancelled_by = cancel or (CancellationCode.CUSTOMER_VOC, CancelledBy.CUSTOMER)
            booking_services.transition_booking(
                booking_id=booking.pk, name="cancel", code=code, cancelled_by=cancelled_by
            )
        return Booking.objects.select_related("city__region", "partner", "customer").get(
            pk=booking.pk
        )

    def _disputed_revisits(self) -> list[Booking]:
        """Last month: a job, then its revisit, cancelled; one per PAF_DISPUTES row."""
        revisits = []
        zone = ZoneInfo(self.india.timezone)
        for i, (sku, dispute) in enumerate(zip(DISPUTE_SKUS, PAF_DISPUTES, strict=True)):
            _, _, cancelled_by, code, _, _ = dispute
            city = self.cities["IN"][i % len(self.cities["IN"])]
            day = self.last_start + timedelta(days=2 + 3 * i)
            at = datetime.combine(day, time(10 + 2 * i), tzinfo=zone)
            original = self._job(city=city, sku=sku, status=BookingStatus.COMPLETED, at=at)
            revisits.append(
                self._job(
                    city=city,
                    sku=sku,
                    status=BookingStatus.CANCELLED,
                    at=at + timedelta(days=5),
                    cancel=(code, cancelled_by),
                    revisit_of=original,
                )
            )
        return revisits

    def _recent_job(self, country: str, sku: str) -> Booking:
        """A job done a few days ago: inside the revisit warranty."""
        return self._job(
            city=self._city(country),
            sku=sku,
            status=BookingStatus.COMPLETED,
            at=self._local_at(country, days=-self.rng.randint(3, 8), hour=11),
        )

    def _goodwill_job(self, sku: str) -> Booking:
        """Yesterday's job that the partner did not show up for: cancelled on our side."""
        return self._job(
            city=self._city("IN"),
            sku=sku,
            status=BookingStatus.CANCELLED,
            at=self._local_at("IN", days=-1, hour=16),
            cancel=(CancellationCode.NO_SHOW, CancelledBy.AGENT),
        )

    # cases

    def _case(
        self,
        kind: str,
        booking: Booking,
        *,
        actor: User | None,
        reporter: str = Reporter.CUSTOMER,
        channel: str = Channel.INBOUND_CALL,
        subject: str = "",
        priority: str = Priority.MEDIUM,
    ) -> Case:
        case = services.create_case(
            actor=actor,
            kind=kind,
            channel=channel,
            reporter=reporter,
            subject=subject or f"{CaseKind(kind).label}: {booking.external_id}",
            description=VOICE.get(kind, ""),
            booking=booking,
            priority=priority,
            due_at=self.now + timedelta(hours=SLA_HOURS[priority]),
        )
        self.case_ids.append(case.pk)
        return case

    def _take(self, case_id: int, worker: User) -> None:
        """The worker assigns the case to himself and opens it."""
        services.update_case(
            case_id=case_id,
            actor=worker,
            changes={"assignee": worker},
            reason="Assigned from the queue.",
        )
        services.transition_case(case_id=case_id, name="open", actor=worker, reason=_reason("open"))

    def _flow(self, case_id: int, flow: str, inputs: dict[str, Any]) -> Decision:
        return flows.run_flow(case_id=case_id, flow=flow, inputs=inputs, actor=self.agent)

    def _resolve(self, case_id: int) -> None:
        """Resolve with the tag the flow set, when it set one."""
        case = Case.objects.select_related("disposition").get(pk=case_id)
        if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) or case.disposition is None:
            return
        services.transition_case(
            case_id=case_id,
            name="resolve",
            actor=self.agent,
            data={"disposition": case.disposition.path},
            reason="Decided with the SOP flow; partner and customer informed.",
        )

    # money

    def _earnings(self) -> None:
        """Every completed demo job earns its invoice once (record_earning). A job done before
        this month is dated when it was done, so last month's run takes it; record_earning
        has no date parameter, so that entry is posted first under the same key, and
        record_earning then finds it (checked)."""
        completed = (
            Booking.objects.filter(
                external_id__startswith=DEMO_PREFIX,
                status=BookingStatus.COMPLETED,
                invoice_amount__gt=0,
            )
            .select_related("city__region")
            .order_by("pk")
        )
        for booking in completed:
            zone = ZoneInfo(booking.city.region.timezone)
            month_start = datetime.combine(
                self.now.astimezone(zone).date().replace(day=1), time.min, tzinfo=zone
            )
            backdated = None
            if booking.booking_time < month_start:
                backdated, _ = payouts.post_entry(
                    key=f"booking:{booking.pk}:earning",
                    partner_id=booking.partner_id,
                    currency=booking.currency,
                    kind=EntryKind.EARNING,
                    amount=booking.invoice_amount,
                    occurred_at=booking.booking_time,
                    booking_id=booking.pk,
                    policy_version=policy_in_force(booking.booking_time).version,
                    memo=f"Job {booking.external_id} completed",
                )
            entry = payouts.record_earning(booking=booking)
            if backdated is not None and (entry is None or entry.pk != backdated.pk):
                raise RuntimeError(
                    f"record_earning wrote a second earning for {booking.external_id}: its "
                    "idempotency key changed; update the demo's backdated earnings."
                )

    def _penalties_deducted_last_month(self, revisits: list[Booking]) -> list[PartnerAtFault]:
        """The partner app marked PAF and penalty when each revisit was cancelled (scenarios
        1-3: "notified immediately"), dated then. create_revisit_penalty and schedule_penalty
        take no date, so the deduction entry is posted first under the penalty's own key,
        dated when the penalty arose, and schedule_penalty then finds it."""
        pafs = []
        for revisit, dispute in zip(revisits, PAF_DISPUTES, strict=True):
            scenario, _, cancelled_by, _, _, _ = dispute
            at = revisit.booking_time - timedelta(hours=2)
            who = "the customer" if cancelled_by == CancelledBy.CUSTOMER else "the partner"
            rate = policy_in_force(at).params.revisit_penalty_rate
            paf = payouts.mark_paf(
                partner=revisit.partner,
                booking=revisit,
                reason=f"Revisit cancelled by {who} (partner app, revisit SOP scenario {scenario})",
                actor=None,
                at=at,
            )
            penalty = payouts.create_revisit_penalty(
                paf=paf,
                reason=(
                    f"Notified by the partner app when revisit {revisit.external_id} was "
                    f"cancelled by {who}: {rate} x the original invoice, deducted from the "
                    "next payout."
                ),
            )
            payouts.post_entry(
                key=penalty.deduction_key,
                partner_id=penalty.partner_id,
                currency=penalty.currency,
                kind=EntryKind.PENALTY_DEDUCTION,
                amount=-penalty.amount,
                occurred_at=at,
                booking_id=penalty.booking_id,
                penalty_id=penalty.pk,
                policy_version=penalty.policy_version,
                memo=f"Revisit penalty #{penalty.pk}",
            )
            payouts.schedule_penalty(penalty_id=penalty.pk)
            pafs.append(paf)
        return pafs

    def _paid_run(self) -> None:
        """Last month's India run: the supervisor creates and computes it, finance approves,
        exports and marks it paid (the services refuse an approval by whoever computed)."""
        runs = PayoutRun.objects.filter(region=self.india)
        open_run = runs.exclude(state=RunState.PAID).first()
        covered = runs.filter(state=RunState.PAID, period_end__gte=self.last_end).first()
        if open_run is not None or covered is not None:
            blocker = open_run or covered
            self.notes.append(
                f"no paid run made for {self.last_start}..{self.last_end}: run #{blocker.pk} "
                f"({blocker.state}, up to {blocker.period_end}) is in the way"
            )
            return
        run = payouts.create_payout_run(
            region=self.india,
            period_start=self.last_start,
            period_end=self.last_end,
            actor=self.supervisor,
        )
        if payouts.compute_payout_run(run_id=run.pk, actor=self.supervisor) is None:
            raise RuntimeError(f"Payout run #{run.pk} is being computed by someone else.")
        payouts.approve_run(run_id=run.pk, actor=self.finance)
        _, rows = payouts.export_run(run_id=run.pk, actor=self.finance)
        for _ in rows:  # the bank file is downloaded
            pass
        payouts.mark_run_paid(run_id=run.pk, actor=self.finance)

    def _paf_disputes(self, revisits: list[Booking], pafs: list[PartnerAtFault]) -> None:
        """This month the partners dispute last month's PAFs: the agent decides each with its
        scenario flow; the supervisor (trainer) reviews the PAF; partner support logs the
        reversal form for the second, and leaves the first for the demo."""
        for revisit, paf, dispute in zip(revisits, pafs, PAF_DISPUTES, strict=True):
            scenario, kind, _, _, inputs, genuine = dispute
            case = self._case(
                kind,
                revisit,
                actor=self.agent,
                reporter=Reporter.PARTNER,
                subject=f"PAF and revisit penalty dispute: {revisit.external_id}",
            )
            self._take(case.pk, self.agent)
            self._flow(case.pk, f"revisit.scenario_{scenario}", inputs)
            payouts.review_paf(
                paf_id=paf.pk,
                actor=self.supervisor,
                genuine=genuine,
                reason=(
                    "Call recordings and the customer confirm the partner was at fault."
                    if genuine
                    else "Call recordings show the partner was not at fault."
                ),
            )
            if genuine:
                self._resolve(case.pk)
                continue
            services.update_case(
                case_id=case.pk,
                actor=self.agent,
                changes={"team": Team.PARTNER_SUPPORT, "assignee": self.partnersup},
                reason="Not a genuine PAF: partner support fills the reversal form.",
            )
            if scenario == 2:
                payouts.submit_reversal_request(
                    kind=ReversalKind.PAF_PENALTY,
                    actor=self.partnersup,
                    paf=paf,
                    case=Case.objects.get(pk=case.pk),
                    call_recording_ref=f"REC-{revisit.external_id}",
                    notes="Customer unresponsive; the partner cancelled as no work was required.",
                    evidence=[f"demo/reversals/{revisit.external_id}-chat.png"],
                )

    def _scenario_4(self, originals: list[Booking]) -> None:
        """The customer asks for a revisit, the partner fails it: PAF and a penalty of the
        policy's rate x the original invoice, pending for the next run."""
        for original, (_, _, failure) in zip(originals, SCENARIO_4, strict=True):
            result = flows.create_revisit(
                booking_id=original.pk,
                actor=self.agent,
                issue_note=VOICE[CaseKind.REVISIT_PARTNER_FAULT],
            )
            self.case_ids.append(result.case.pk)
            self._take(result.case.pk, self.agent)
            self._flow(result.case.pk, "revisit.scenario_4", {"partner_failure": failure})
            self._resolve(result.case.pk)

    def _refunds(self, goodwill: list[Booking], wrong_job: Booking) -> None:
        """Goodwill after a no-show (under and over the threshold) and a wrong job refunded
        and recovered from the partner; finance pays one goodwill, approves the wrong job
        (the recovery entry) and leaves the other goodwill in its queue."""
        for booking in goodwill:
            case = self._case(CaseKind.PRE_SERVICE_CANCELLATION, booking, actor=self.agent)
            self._take(case.pk, self.agent)
            self._flow(case.pk, "pre_services.goodwill_refund", {"refund_requested": True})
            self._resolve(case.pk)
        case = self._case(
            CaseKind.WRONG_JOB_STARTED, wrong_job, actor=self.agent, priority=Priority.HIGH
        )
        self._take(case.pk, self.agent)
        self._flow(
            case.pk,
            "pre_services.wrong_job_started",
            {
                "amount_paid": wrong_job.invoice_amount,
                "partner_responding": True,
                "unanswered_attempts": 0,
            },
        )
        self._resolve(case.pk)
        first = Refund.objects.filter(booking=goodwill[0]).get()
        payouts.approve_refund(
            refund_id=first.pk, actor=self.finance, reason="Goodwill as the SOP sets it."
        )
        payouts.mark_refund_paid(
            refund_id=first.pk, actor=self.finance, payment_reference=f"UTR-{first.pk:08d}"
        )
        recovered = Refund.objects.filter(booking=wrong_job).get()
        payouts.approve_refund(
            refund_id=recovered.pk,
            actor=self.finance,
            reason="Online payment for the wrong job: refund and recover from the partner.",
        )

    def _bonuses(self, bookings: list[Booking]) -> None:
        """The customer asks to change the address: refused, and the partner delivers at the
        new one for the changed-address bonus."""
        for booking in bookings:
            case = self._case(CaseKind.CONTACT_EDIT, booking, actor=self.agent)
            self._take(case.pk, self.agent)
            self._flow(
                case.pk,
                "pre_services.personal_details_edit",
                {"detail": "address", "partner_can_deliver_elsewhere": True},
            )
            self._resolve(case.pk)

    def _oos_tickets(self, bookings: list[Booking]) -> None:
        """Partners on the job raise OOS tickets within the radius, with images: each is
        opened, tagged and parked for the validation call."""
        for booking, (_, metres, by_partner) in zip(bookings, OOS_JOBS, strict=True):
            result = flows.raise_oos_ticket(
                booking_id=booking.pk,
                partner_actor_or_partner=booking.partner if by_partner else self.partnersup,
                latitude=booking.latitude + Decimal(metres) / METRES_PER_DEGREE,
                longitude=booking.longitude,
                images=[f"demo/oos/{booking.external_id}-{n}.jpg" for n in (1, 2)],
                note=VOICE[CaseKind.OUT_OF_SCOPE],
            )
            self.case_ids.append(result.case.pk)

    def _follow_ups(self, bookings: list[Booking]) -> None:
        """First visits the customer cancelled: the follow-up ticket, then the first call."""
        for booking, (_, outcome) in zip(bookings, FOLLOW_UP_CALLS, strict=True):
            case = self._case(
                CaseKind.FOLLOW_UP_FIRST_VISIT, booking, actor=None, channel=Channel.SYSTEM
            )
            services.update_case(
                case_id=case.pk,
                actor=self.agent,
                changes={"assignee": self.agent},
                reason="Assigned from the queue.",
            )
            self._flow(
                case.pk,
                "follow_up.open_first_visit_ticket",
                {"reason": "customer_asked_to_reschedule"},
            )
            flows.record_call_attempt(
                case_id=case.pk, actor=self.agent, outcome=outcome, at=timezone.now()
            )

    def _due_dates(self) -> None:
        """Cases the services opened without a due date get the SLA of their priority."""
        for case in Case.objects.filter(pk__in=self.case_ids, due_at__isnull=True):
            services.update_case(
                case_id=case.pk,
                actor=self.supervisor,
                changes={"due_at": case.created_at + timedelta(hours=SLA_HOURS[case.priority])},
                reason="Due date from the priority's SLA.",
            )
