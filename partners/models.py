"""Regions, cities, partners (professionals) and their calendars."""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


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
        indexes = [models.Index(fields=["city", "is_active"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=0, rating__lte=5), name="partner_rating_0_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

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
