"""The demo world: partners, customers, bookings moved through their life cycle, and cases
created and moved only through cases.services, so its audit trail reads like the real thing."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone
from faker import Faker

from cases.models import (
    Booking,
    BookingLine,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    Customer,
    PaymentMode,
)
from partners.models import (
    City,
    LineOfBusiness,
    Partner,
    Programme,
)

from .bank import demo_bank_details
from .seed import (
    EGYPT_STREETS,
    EGYPTIAN_FAMILY_NAMES,
    EGYPTIAN_GIVEN_NAMES,
    RWM_CITIES,
    SKUS,
    egyptian_mobile,
    indian_mobile,
    near,
    profile,
    sku_price,
)
from .summary import DemoSummary
from .world_cases import WorldCases


class WorldBuilder(WorldCases):
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
                    **demo_bank_details(i, name, city.region.country),
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
