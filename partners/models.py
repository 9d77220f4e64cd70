"""Regions, cities, partners (professionals) and their calendars."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower


class Currency(models.TextChoices):
    INR = "INR", "Indian rupee"
    EGP = "EGP", "Egyptian pound"


class Region(models.Model):
    """A country we operate in: its currency, clock and working week."""

    country = models.CharField(max_length=2, unique=True, help_text="ISO 3166 code, e.g. IN")
    name = models.CharField(max_length=64)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    timezone = models.CharField(max_length=64)
    # ISO weekday numbers, Monday=0; Egypt rests Friday and Saturday, India Sunday.
    weekend_days = ArrayField(models.PositiveSmallIntegerField(), default=list)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="cities")
    name = models.CharField(max_length=64)
    is_metro = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "cities"
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="city_unique_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class LineOfBusiness(models.TextChoices):
    APPLIANCES = "appliances", "Appliances"
    AC = "ac", "AC service & repair"
    RO = "ro", "RO water purifier"
    CLEANING = "cleaning", "Cleaning"
    PAINTING = "painting", "Painting"
    PLUMBING = "plumbing", "Plumbing"
    ELECTRICAL = "electrical", "Electrical"
    INSTALLATION = "installation", "Installation & maintenance"


class Programme(models.TextChoices):
    RWM = "rwm", "RWM"
    MG_PLAN = "mg_plan", "MG plan"


class Partner(models.Model):
    """A professional who delivers jobs."""

    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=128)
    phone = models.CharField(max_length=32)
    email = models.EmailField(blank=True, help_text="Where messages from a case reach them.")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="partners")
    hub = models.CharField(max_length=64, blank=True)
    categories = ArrayField(
        models.CharField(max_length=32, choices=LineOfBusiness.choices), default=list, blank=True
    )
    is_sme = models.BooleanField("subject-matter expert", default=False)
    programmes = ArrayField(
        models.CharField(max_length=16, choices=Programme.choices), default=list, blank=True
    )
    rating = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
    )
    # Where the partner's payouts go: an Indian account (number and IFSC) or an IBAN. Shown
    # masked in the console; complete only in the bank file.
    payout_account_holder = models.CharField(max_length=128, blank=True)
    payout_account_number = models.CharField(max_length=34, blank=True)
    payout_ifsc = models.CharField("IFSC", max_length=11, blank=True)
    payout_iban = models.CharField("IBAN", max_length=34, blank=True)
    is_active = models.BooleanField(default=True)
    user = models.OneToOneField(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner",
        help_text="The login a partner app uses; its token sees only this partner's records.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["city", "is_active"]),
            # Console search by part of a name (pg_trgm).
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="partner_name_trgm"),
            # An inbound e-mail's sender found by address.
            models.Index(Lower("email"), name="partner_email_lower"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=0, rating__lte=5), name="partner_rating_0_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    @property
    def payout_account_masked(self) -> str:
        """The payout account as the console shows it: the last four characters only."""
        number = self.payout_iban or self.payout_account_number
        if not number:
            return "not on file"
        shown = f"{'•' * 4}{number[-4:]}"
        return f"IBAN {shown}" if self.payout_iban else f"{shown} · IFSC {self.payout_ifsc or '?'}"

    @property
    def is_rwm(self) -> bool:
        return Programme.RWM in self.programmes


class SlotStatus(models.TextChoices):
    WORKING = "working", "Working on a job"
    ON_LEAVE = "on_leave", "On leave"
    FREE = "free", "Free"


class CalendarSlot(models.Model):
    """One slot of a partner's calendar; no slot means the partner is free."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="calendar")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=SlotStatus.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["partner", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.status} {self.starts_at:%Y-%m-%d %H:%M}"


class RegionCalendar(models.Model):
    """A version of a region's working calendar: its weekend, opening hours, or open around
    the clock. The version in force at a moment is the latest with effective_from at or before
    it, so a change applies from its effective time and earlier clocks keep theirs."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="calendars")
    effective_from = models.DateTimeField()
    weekend_days = ArrayField(models.PositiveSmallIntegerField(), default=list)
    opens = models.TimeField(default="09:00")
    closes = models.TimeField(default="18:00")
    always_open = models.BooleanField(default=False, help_text="24/7: no closing time.")
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="region_calendar_one_per_moment"
            ),
            models.CheckConstraint(
                condition=models.Q(always_open=True) | models.Q(closes__gt=models.F("opens")),
                name="region_calendar_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} calendar from {self.effective_from:%Y-%m-%d %H:%M}"


class Closure(models.Model):
    """A day a region does not work beyond its public holidays (a local holiday, a special
    closure), added by a supervisor; it counts for clocks computed after it was added."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="closures")
    day = models.DateField()
    name = models.CharField(max_length=100)
    effective_from = models.DateTimeField(help_text="Clocks computed from then on skip it.")
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["region", "day"]
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="closure_one_per_region_day")
        ]

    def __str__(self) -> str:
        return f"{self.region} closed {self.day}: {self.name}"
