"""Reversal requests: the PAF and penalty reversal form, and rating reversals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.models import Booking, Case
from partners.models import Partner

from .base import _user_fk
from .penalties import PartnerAtFault


class ReversalKind(models.TextChoices):
    PAF_PENALTY = "paf_penalty", "PAF and penalty reversal"
    RATING = "rating", "Rating reversal"


class ReversalState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


OPEN_REVERSAL_STATES = [ReversalState.SUBMITTED, ReversalState.UNDER_REVIEW]


class ReversalRequest(ConcurrentTransitionMixin, models.Model):
    """A partner's request, usually logged by partner support, to reverse a PAF and its
    penalty (not-genuine PAFs only) or a rating hit (e.g. a genuine OOS case closed at BPC)."""

    kind = models.CharField(max_length=16, choices=ReversalKind.choices)
    paf = models.ForeignKey(
        PartnerAtFault,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal_requests",
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reversal_requests")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="reversal_requests")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="reversal_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    on_behalf_of_partner = models.BooleanField(
        default=True, help_text="Logged by partner support for the partner (not by the partner)."
    )
    call_recording_ref = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    evidence = models.JSONField(
        default=list, blank=True, help_text="Image files or URLs: a list of references."
    )
    state = FSMField(default=ReversalState.SUBMITTED, choices=ReversalState.choices, protected=True)
    reviewer = _user_fk("+")
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_by = _user_fk("+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    policy_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            models.Index(fields=["state", "requested_at"], name="reversal_state_requested"),
            models.Index(fields=["partner", "-id"], name="reversal_partner_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="reversal_not_decided_by_requester",
            ),
            models.CheckConstraint(
                condition=~Q(kind="paf_penalty") | Q(paf__isnull=False),
                name="reversal_paf_penalty_has_paf",
            ),
            models.UniqueConstraint(
                fields=["paf"],
                condition=Q(state__in=OPEN_REVERSAL_STATES),
                name="reversal_one_open_per_paf",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.partner.name} ({self.get_state_display()})"

    @transition(field=state, source=ReversalState.SUBMITTED, target=ReversalState.UNDER_REVIEW)
    def start_review(self) -> None:
        self.review_started_at = timezone.now()

    @transition(field=state, source=ReversalState.UNDER_REVIEW, target=ReversalState.APPROVED)
    def approve(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=state, source=ReversalState.UNDER_REVIEW, target=ReversalState.REJECTED)
    def reject(self) -> None:
        self.decided_at = timezone.now()


class EvidenceFile(models.Model):
    """A file partner support attached to a reversal request (a photo of the work, the
    partner's screenshot, a call note as PDF), kept through Django's storage and served only
    to those who may see the request."""

    request = models.ForeignKey(ReversalRequest, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="evidence/%Y/%m/", max_length=255)
    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
