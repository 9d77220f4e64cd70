"""Bulk benchmark data through PostgreSQL COPY (manage.py generate_load --cases N).

Writes N cases plus the customers (N/10), partners (N/50) and bookings (N/2) they refer to,
spread over every city, kind, team and priority, with statuses that follow the age of the
case (old cases are mostly closed, recent ones still in the queues) and created_at spread
over the last year. Rows go straight in with COPY in batches, bypassing the state machine
on purpose: this is load for benchmarks, not business history. The database's own CHECK and
foreign-key constraints still hold every row.
"""

from __future__ import annotations

import bisect
import json
import random
import time
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.contrib.auth.models import Group, User
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from faker import Faker

from cases.catalog import CaseKind, Team, default_team
from cases.models import (
    PLATFORM_FIELDS,
    Booking,
    BookingStatus,
    CancellationCode,
    CancelledBy,
    Case,
    CaseEvent,
    CaseStatus,
    Customer,
    DispositionTag,
    Priority,
)
from core import roles
from demo.seed import (
    EGYPTIAN_FAMILY_NAMES,
    EGYPTIAN_GIVEN_NAMES,
    FOLLOW_UP_KINDS,
    NO_BOOKING_KINDS,
    PARTNER_KINDS,
    SKUS,
    SLA_HOURS,
    VOICE,
    profile,
    sku_price,
)
from partners.models import City, LineOfBusiness, Partner, Programme

S = CaseStatus
CASE_STATUSES = list(S.values)
# Share of each status by the age of the case: new work sits in the queues, old work is closed.
# (max age in days, weights in CASE_STATUSES order: new open pending parked woc wotp resolved
# closed)
STATUS_BY_AGE: list[tuple[float, tuple[float, ...]]] = [
    (2, (25, 30, 10, 8, 10, 7, 8, 2)),
    (14, (3, 15, 10, 5, 12, 8, 25, 22)),
    (60, (0.2, 3, 2, 0.5, 3, 1.5, 15, 75)),
    (float("inf"), (0, 0.5, 0.3, 0, 0.5, 0.2, 3.5, 95)),
]
KIND_WEIGHTS: dict[str, float] = {
    CaseKind.STATUS_CHECK: 14,
    CaseKind.RESCHEDULE: 9,
    CaseKind.CANCELLATION_REQUEST: 7,
    CaseKind.PRE_SERVICE_CANCELLATION: 7,
    CaseKind.POST_SERVICE_COMPLAINT: 6,
    CaseKind.REFUND_STATUS: 5,
    CaseKind.FOLLOW_UP_FIRST_VISIT: 5,
    CaseKind.OUT_OF_SCOPE: 4,
    CaseKind.SERVICE_ENQUIRY: 4,
    CaseKind.EXTRA_CHARGES: 3,
    CaseKind.REVISIT_PARTNER_FAULT: 3,
    CaseKind.SAFETY_INCIDENT: 0.3,
}
PRIORITY_WEIGHTS = (35, 40, 18, 7)  # low, medium, high, urgent
OTHER_TEAMS = [Team.ESCALATIONS, Team.ENGINEERING_OPS, Team.FINANCE, Team.TRAINING]
NULL = "\\N"


def _text(value) -> str:
    """A Python value as COPY's text format spells it (only for constant default columns)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        return "{" + ",".join(str(v) for v in value) + "}"
    if isinstance(value, dict):
        value = json.dumps(value)
    if isinstance(value, datetime):
        value = value.isoformat()
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


class Timestamps:
    """Fast UTC timestamp text for whole epoch seconds; the date part is cached per day."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, epoch: float) -> str:
        seconds = int(epoch)
        day, rest = divmod(seconds, 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = (date(1970, 1, 1) + timedelta(days=day)).isoformat()
        hours, rest = divmod(rest, 3600)
        return f"{prefix} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}+00"


class Picker:
    """Weighted choice by bisect on cumulative weights (random.choices without the overhead)."""

    def __init__(self, rng: random.Random, items, weights) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]
        self.rng = rng

    def __call__(self):
        return self.items[bisect.bisect(self.cum, self.rng.random() * self.total)]


class BulkLoad:
    def __init__(self, *, cases: int, batch: int, seed: int, days: int, events: bool, out):
        self.n_cases = cases
        self.batch = batch
        self.days = days
        self.events = events
        self.out = out
        self.rng = random.Random(seed)
        self.ts = Timestamps()
        self.now = time.time()
        self.run_tag = f"L{int(self.now * 1000):x}"[-10:].upper()
        self.n_customers = max(cases // 10, 50)
        self.n_partners = max(cases // 50, 25)
        self.n_bookings = max(cases // 2, 50)
        self.cities = list(City.objects.select_related("region").order_by("id"))
        self.city_weights = [profile(c.name).weight for c in self.cities]
        self.timings: dict[str, float] = {}

    # plumbing

    def _log(self, message: str) -> None:
        self.out.write(message)
        self.out.flush()

    def _reserve_ids(self, model: type[models.Model], count: int) -> int:
        """Reserve a block of primary keys; returns the first. Brief lock against inserts."""
        table = model._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    def _columns(self, model: type[models.Model], generated: list[str]) -> tuple[list[str], str]:
        """Columns COPY writes: the generated ones, then constants for any other field.

        Other engineers add fields; a new field with a default (or nullable) gets that value on
        every row, so the generator keeps working. One without either needs a line here.
        """
        extra_columns, extra_values = [], []
        for f in model._meta.concrete_fields:
            if f.column in generated or f.primary_key:
                continue
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                value = timezone.now()
            elif f.has_default() or not f.null:
                value = f.get_default()  # "" for text fields without a default
            else:
                value = None
            if value is None and not f.null:
                raise CommandError(
                    f"generate_load does not know how to fill {model.__name__}.{f.name}; "
                    "give the field a default or teach the generator about it."
                )
            extra_columns.append(f.column)
            extra_values.append(_text(value))
        suffix = "".join("\t" + v for v in extra_values)
        return generated + extra_columns, suffix

    def _copy(self, model: type[models.Model], columns: list[str], lines: list[str]) -> None:
        if not lines:
            return
        table = model._meta.db_table
        sql = f'COPY "{table}" ({", ".join(columns)}) FROM STDIN'
        with connection.cursor() as cursor:
            pg_cursor = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            with pg_cursor.copy(sql) as copy:
                chunk = 20000
                for start in range(0, len(lines), chunk):
                    copy.write("\n".join(lines[start : start + chunk]) + "\n")

    def _timed(self, name: str, started: float) -> None:
        self.timings[name] = time.perf_counter() - started

    # people

    def _name_pools(self) -> tuple[list[str], list[str]]:
        fake = Faker("en_IN")
        fake.seed_instance(self.rng.randrange(2**31))
        indian = list({f"{fake.first_name()} {fake.last_name()}" for _ in range(600)})
        egyptian = [f"{g} {f}" for g in EGYPTIAN_GIVEN_NAMES for f in EGYPTIAN_FAMILY_NAMES]
        return indian, egyptian

    def _city_sequence(self, count: int) -> list[int]:
        """Indexes into self.cities: every city first, then by weight."""
        picks = list(range(min(count, len(self.cities))))
        picks += self.rng.choices(
            range(len(self.cities)), weights=self.city_weights, k=count - len(picks)
        )
        return picks

    def _phone(self, city: City) -> str:
        if city.region.country == "EG":
            return f"+201{self.rng.choice('0125')}{self.rng.randrange(10**8):08d}"
        return f"+91{self.rng.choice('6789')}{self.rng.randrange(10**9):09d}"

    def users(self) -> None:
        """A stable pool of bench logins per team (reused across runs, unusable passwords)."""
        started = time.perf_counter()
        size = min(max(self.n_cases // 10000, 5), 100)
        pools = {
            roles.AGENT: ("load-agent", size),
            roles.PARTNER_SUPPORT: ("load-partnersup", size // 3 + 1),
            roles.SUPERVISOR: ("load-supervisor", size // 10 + 1),
        }
        self.staff: dict[str, list[int]] = {}
        for group_name, (prefix, count) in pools.items():
            names = [f"{prefix}-{i:03d}" for i in range(1, count + 1)]
            existing = set(
                User.objects.filter(username__in=names).values_list("username", flat=True)
            )
            new = []
            for name in names:
                if name not in existing:
                    user = User(username=name, is_staff=True, email=f"{name}@casework.example")
                    user.set_unusable_password()
                    new.append(user)
            User.objects.bulk_create(new)
            group = Group.objects.get(name=group_name)
            ids = list(User.objects.filter(username__in=names).values_list("pk", flat=True))
            group.user_set.add(*ids)
            self.staff[group_name] = ids
        self._timed("users", started)

    def customers(self) -> None:
        started = time.perf_counter()
        indian, egyptian = self.name_pools
        first = self._reserve_ids(Customer, self.n_customers)
        columns, suffix = self._columns(
            Customer,
            ["id", "external_id", "name", "phone", "email", "city_id", "fraud_score", "created_at"],
        )
        created = self.ts(self.now - self.days * 86400)
        lines = []
        self.customer_city: list[int] = []  # index into self.cities, per customer index
        for i, c in enumerate(self._city_sequence(self.n_customers)):
            city = self.cities[c]
            name = self.rng.choice(egyptian if city.region.country == "EG" else indian)
            external_id = f"{self.run_tag}-CX{i:08d}"
            email = f"{external_id.lower()}@example.com" if self.rng.random() < 0.7 else ""
            fraud = min(self.rng.expovariate(12), 0.99)
            lines.append(
                f"{first + i}\t{external_id}\t{name}\t{self._phone(city)}\t{email}\t{city.pk}\t"
                f"{fraud:.3f}\t{created}{suffix}"
            )
            self.customer_city.append(c)
        self._copy(Customer, columns, lines)
        self.first_customer = first
        self._timed("customers", started)

    def partners(self) -> None:
        started = time.perf_counter()
        indian, egyptian = self.name_pools
        first = self._reserve_ids(Partner, self.n_partners)
        columns, suffix = self._columns(
            Partner,
            [
                "id",
                "external_id",
                "name",
                "phone",
                "city_id",
                "hub",
                "categories",
                "is_sme",
                "programmes",
                "rating",
                "is_active",
                "created_at",
            ],
        )
        lobs = list(LineOfBusiness.values)
        created = self.ts(self.now - self.days * 86400)
        lines = []
        self.partners_by_city: dict[int, list[int]] = {}
        for i, c in enumerate(self._city_sequence(self.n_partners)):
            city = self.cities[c]
            name = self.rng.choice(egyptian if city.region.country == "EG" else indian)
            locality = self.rng.choice(profile(city.name).localities)
            categories = ",".join(sorted(self.rng.sample(lobs, self.rng.choice((1, 1, 2, 3)))))
            programmes = []
            if city.name in ("Delhi", "Mumbai") and self.rng.random() < 0.3:
                programmes.append(Programme.RWM.value)
            if self.rng.random() < 0.25:
                programmes.append(Programme.MG_PLAN.value)
            sme = "t" if self.rng.random() < 0.15 else "f"
            active = "t" if self.rng.random() < 0.95 else "f"
            lines.append(
                f"{first + i}\t{self.run_tag}-PX{i:07d}\t{name}\t{self._phone(city)}\t{city.pk}\t"
                f"{city.name} - {locality}\t{{{categories}}}\t{sme}\t{{{','.join(programmes)}}}\t"
                f"{self.rng.uniform(3.5, 5):.2f}\t{active}\t{created}{suffix}"
            )
            self.partners_by_city.setdefault(c, []).append(first + i)
        self._copy(Partner, columns, lines)
        self._timed("partners", started)

    def bookings(self) -> None:
        started = time.perf_counter()
        first = self._reserve_ids(Booking, self.n_bookings)
        columns, suffix = self._columns(
            Booking,
            [
                "id",
                "external_id",
                # revisit_of stays NULL: bulk bookings are first visits.
                *(
                    f"{name}_id" if Booking._meta.get_field(name).many_to_one else name
                    for name in PLATFORM_FIELDS
                    if name != "revisit_of"
                ),
                "status",
                "cancellation_code",
                "cancelled_by",
                "created_at",
                "updated_at",
            ],
        )
        b = BookingStatus
        future_pick = Picker(self.rng, [b.CREATED, b.ALLOCATED, b.CANCELLED], (45, 45, 10))
        today_pick = Picker(self.rng, [b.STARTED, b.COMPLETED, b.CANCELLED], (50, 30, 20))
        past_pick = Picker(self.rng, [b.COMPLETED, b.CANCELLED], (78, 22))
        lob_pick = Picker(self.rng, list(SKUS), [1] * len(SKUS))
        codes = list(CancellationCode.values)
        cancelled_by = list(CancelledBy.values)
        rng = self.rng
        # Booking times rise with the index, from a year ago to a week ahead, so a case can
        # pick a booking from around its own creation time.
        self.b_start = self.now - self.days * 86400
        self.b_span = self.days * 86400 + 7 * 86400
        # Per booking: customer index, partner id or 0, city index (what cases copy from it).
        self.b_customer: list[int] = [0] * self.n_bookings
        self.b_partner: list[int] = [0] * self.n_bookings
        self.b_city: list[int] = [0] * self.n_bookings
        lines = []
        for i in range(self.n_bookings):
            cust = rng.randrange(self.n_customers)
            c = self.customer_city[cust]
            city = self.cities[c]
            at = self.b_start + self.b_span * (i + rng.random()) / self.n_bookings
            if at > self.now:
                status = future_pick()
            elif at > self.now - 5 * 3600:
                status = today_pick()
            else:
                status = past_pick()
            partner = 0 if status == BookingStatus.CREATED else rng.choice(self.partners_by_city[c])
            code = by = ""
            if status == BookingStatus.CANCELLED:
                code, by = rng.choice(codes), rng.choice(cancelled_by)
                if rng.random() < 0.4:
                    partner = 0  # cancelled before allocation
            lob = lob_pick()
            sku = rng.choice(SKUS[lob])
            cart = sku_price(sku[2], city.region.currency) * rng.choice((1, 1, 1, 2))
            centre = profile(city.name)
            when = self.ts(at)
            day = when[:10]
            self.b_customer[i], self.b_partner[i], self.b_city[i] = cust, partner, c
            lines.append(
                f"{first + i}\t{self.run_tag}-BK{i:08d}\t{self.first_customer + cust}\t"
                f"{partner or NULL}\t{city.pk}\t{lob}\t{city.region.currency}\t{cart}\t{cart}\t"
                f"{'online' if rng.random() < 0.6 else 'cash'}\t{when}\t{day}\t{day}\t"
                f"{rng.randint(1, 999)}, {rng.choice(profile(city.name).localities)}, "
                f"{city.name}\t"
                f"{centre.latitude + rng.uniform(-0.06, 0.06):.6f}\t"
                f"{centre.longitude + rng.uniform(-0.06, 0.06):.6f}\t"
                f"{'t' if rng.random() < 0.05 else 'f'}\tf\t{status}\t{code}\t{by}\t"
                f"{self.ts(min(at, self.now) - 86400)}\t{self.ts(min(at, self.now))}{suffix}"
            )
            if len(lines) >= self.batch:
                with transaction.atomic():
                    self._copy(Booking, columns, lines)
                lines = []
        with transaction.atomic():
            self._copy(Booking, columns, lines)
        self.first_booking = first
        self._timed("bookings", started)

    # cases

    def cases(self) -> None:
        started = time.perf_counter()
        rng = self.rng
        kinds = list(CaseKind.values)
        kind_pick = Picker(rng, kinds, [KIND_WEIGHTS.get(k, 2) for k in kinds])
        priority_pick = Picker(rng, Priority.values, PRIORITY_WEIGHTS)
        status_picks = [(age, Picker(rng, CASE_STATUSES, w)) for age, w in STATUS_BY_AGE]
        tags: dict[str, list[int]] = {k: [] for k in kinds}
        for pk, tag_kinds in DispositionTag.objects.filter(is_selectable=True).values_list(
            "pk", "kinds"
        ):
            for k in tag_kinds:
                if k in tags:
                    tags[k].append(pk)
        labels = {k: CaseKind(k).label for k in kinds}
        teams = {k: default_team(k) for k in kinds}
        voice = {k: VOICE.get(k, "") for k in kinds}
        staff_by_team = {
            Team.PARTNER_SUPPORT.value: self.staff[roles.PARTNER_SUPPORT],
            Team.ESCALATIONS.value: self.staff[roles.SUPERVISOR],
        }
        agents = self.staff[roles.AGENT]
        sla = {p: SLA_HOURS[p] * 3600 for p in Priority.values}
        generated = [
            "id",
            "kind",
            "channel",
            "reporter",
            "subject",
            "description",
            "booking_id",
            "customer_id",
            "partner_id",
            "city_id",
            "team",
            "assignee_id",
            "priority",
            "status",
            "disposition_id",
            "parked_until",
            "due_at",
            "resolved_at",
            "closed_at",
            "created_by_id",
            "created_at",
            "updated_at",
        ]
        columns, suffix = self._columns(Case, generated)
        event_columns, event_suffix = self._columns(
            CaseEvent, ["case_id", "type", "at", "to_state", "payload", "policy_version"]
        )
        first = self._reserve_ids(Case, self.n_cases)
        span = self.days * 86400
        start_at = self.now - span
        done_states = (S.RESOLVED, S.CLOSED)
        n = self.n_cases
        n_bookings = self.n_bookings
        cities = self.cities
        for batch_start in range(0, n, self.batch):
            lines, events = [], []
            for g in range(batch_start, min(batch_start + self.batch, n)):
                created = start_at + span * (g + rng.random()) / n
                age_days = (self.now - created) / 86400
                for max_age, pick in status_picks:
                    if age_days < max_age:
                        status = pick()
                        break
                kind = kind_pick()
                if not tags[kind] and status in done_states:
                    status = S.OPEN
                if kind not in NO_BOOKING_KINDS and rng.random() < 0.9:
                    # A booking from a few days around the contact (before it, mostly).
                    near = created + rng.uniform(-10 * 86400, 3 * 86400) - self.b_start
                    b = min(max(int(near / self.b_span * n_bookings), 0), n_bookings - 1)
                    cust, partner, c = self.b_customer[b], self.b_partner[b], self.b_city[b]
                    booking = str(self.first_booking + b)
                    subject = f"{labels[kind]}: {self.run_tag}-BK{b:08d}"
                else:
                    cust = rng.randrange(self.n_customers)
                    partner, c, booking = 0, self.customer_city[cust], NULL
                    subject = labels[kind]
                team = teams[kind] if rng.random() < 0.94 else rng.choice(OTHER_TEAMS)
                priority = priority_pick()
                if kind in PARTNER_KINDS:
                    channel, reporter = "partner_app", "partner"
                elif kind in FOLLOW_UP_KINDS:
                    channel, reporter = "system", "customer"
                else:
                    r = rng.random()
                    channel = "inbound_call" if r < 0.6 else "chat" if r < 0.9 else "email"
                    reporter = "customer"
                staff = staff_by_team.get(team, agents)
                assigned = rng.random() < (0.1 if status == S.NEW else 0.9)
                assignee = str(rng.choice(staff)) if assigned else NULL
                creator = (
                    str(rng.choice(agents))
                    if channel != "system" and (rng.random() < 0.7)
                    else NULL
                )
                parked = disposition = resolved = closed = NULL
                updated = created
                if status == S.PARKED:
                    parked = self.ts(self.now + rng.uniform(3600, 72 * 3600))
                elif status in done_states:
                    disposition = str(rng.choice(tags[kind]))
                    resolved_at = min(created + rng.uniform(1800, 5 * 86400), self.now)
                    resolved = self.ts(resolved_at)
                    updated = resolved_at
                    if status == S.CLOSED:
                        closed_at = min(resolved_at + rng.uniform(3600, 3 * 86400), self.now)
                        closed = self.ts(closed_at)
                        updated = closed_at
                elif status != S.NEW:
                    updated = min(created + rng.uniform(600, 2 * 86400), self.now)
                created_text = self.ts(created)
                case_id = first + g
                lines.append(
                    f"{case_id}\t{kind}\t{channel}\t{reporter}\t{subject}\t{voice[kind]}\t"
                    f"{booking}\t{self.first_customer + cust}\t{partner or NULL}\t"
                    f"{cities[c].pk}\t{team}\t{assignee}\t{priority}\t{status}\t{disposition}\t"
                    f"{parked}\t{self.ts(created + sla[priority])}\t{resolved}\t{closed}\t"
                    f"{creator}\t{created_text}\t{self.ts(updated)}{suffix}"
                )
                if self.events:
                    events.append(
                        f"{case_id}\tcreated\t{created_text}\tnew\t"
                        f'{{"kind": "{kind}", "bulk": true}}\tbulk-load{event_suffix}'
                    )
            with transaction.atomic():
                self._copy(Case, columns, lines)
                self._copy(CaseEvent, event_columns, events)
            done = min(batch_start + self.batch, n)
            elapsed = time.perf_counter() - started
            self._log(f"  cases {done:,}/{n:,} ({done / elapsed:,.0f}/s)")
        self._timed("cases", started)

    def analyze(self) -> None:
        started = time.perf_counter()
        tables = [m._meta.db_table for m in (Customer, Partner, Booking, Case)]
        if self.events:
            tables.append(CaseEvent._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(f'"{t}"' for t in tables))
        self._timed("analyze", started)

    def run(self) -> None:
        self.name_pools = self._name_pools()
        self.users()
        self.customers()
        self._log(f"  customers {self.n_customers:,}")
        self.partners()
        self._log(f"  partners {self.n_partners:,}")
        self.bookings()
        self._log(f"  bookings {self.n_bookings:,}")
        self.cases()
        self.analyze()
