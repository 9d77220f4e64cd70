"""Customers as the booking platform knows them (phone, city, fraud score)."""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from partners.models import City


@pgtrigger.register(
    # A corrected address is a working one until it bounces again: every path that changes
    # the e-mail (console, API upsert, bulk) clears the bounce mark with it.
    pgtrigger.Trigger(
        name="customer_new_email_not_failing",
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        condition=pgtrigger.Q(old__email__df=pgtrigger.F("new__email")),
        func="NEW.email_failing_since := NULL; RETURN NEW;",
    )
)
class Customer(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=128)
    phone = models.CharField(max_length=32, db_index=True)
    email = models.EmailField(blank=True)
    # A customer first known from an e-mail is unverified until an agent confirms who it is.
    verified = models.BooleanField(default=True, db_default=True)
    # A bounce from the address: mail to it fails (conversations marks it; an edit clears it).
    email_failing_since = models.DateTimeField(null=True, blank=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="customers")
    fraud_score = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0 = no risk, 1 = certain fraud; gates wrong-job refunds.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Console search by part of a name (pg_trgm).
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="customer_name_trgm"),
            # Customer search by a fragment of the phone's digits ("0688"; pg_trgm).
            GinIndex(fields=["phone"], opclasses=["gin_trgm_ops"], name="customer_phone_trgm"),
            # An inbound e-mail's sender found by address, whatever its case.
            models.Index(Lower("email"), name="customer_email_lower"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fraud_score__gte=0, fraud_score__lte=1),
                name="customer_fraud_score_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"
