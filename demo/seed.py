"""The demo world's tables: role logins, cities and their areas, names, SKUs and prices, what
customers say. Shared by load_demo and the bulk generator generate_load."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from cases.catalog import CaseKind
from cases.models import (
    Priority,
)
from core import roles
from partners.models import (
    LineOfBusiness,
)

DEMO_PASSWORD = "demo1234"
# The first demo partner doubles as the marker: when it exists the demo data is loaded.
MARKER_EXTERNAL_ID = "DEMO-PX-0001"
# The history's jobs (demo.history); the first is the history's marker.
HISTORY_PREFIX = "DEMO-HX-"
HISTORY_MARKER_EXTERNAL_ID = f"{HISTORY_PREFIX}0001"
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


def transition_reason(name: str) -> str:
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


def counts_text(counter: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))
