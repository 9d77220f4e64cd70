"""The customer's satisfaction survey: queued in the transaction that resolves the case
(cases.services.transitions.after_move), rated from signed links that expire, the rating
on the case's trail."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseStatus, EventType
from cases.services.audit import append_event
from core import limits
from core.errors import InvalidInput, NotFoundError, PolicyRefusal
from events.mail import queue_mail

from ..addresses import reply_address
from ..models import Direction, Message, Survey

_SALT = "conversations.csat"
RATINGS = (1, 2, 3, 4, 5)
WORDS = {1: "Very poor", 2: "Poor", 3: "OK", 4: "Good", 5: "Excellent"}


def survey_token(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk}, salt=_SALT, compress=True)


def survey_url(survey: Survey, rating: int | None = None) -> str:
    path = reverse("csat", args=[survey_token(survey)])
    return f"{settings.SITE_URL.rstrip('/')}{path}" + (f"?r={rating}" if rating else "")


def survey_of_token(token: str) -> Survey:
    """The survey a link names, or a clear refusal for a link damaged or expired."""
    max_age = timedelta(days=settings.CSAT_LINK_DAYS)
    try:
        data = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise PolicyRefusal("This survey link has expired.", code="expired") from None
    except signing.BadSignature:
        raise NotFoundError("This survey link is not one we sent.") from None
    survey = Survey.objects.select_related("case").filter(pk=data.get("s")).first()
    if survey is None:
        raise NotFoundError("This survey link is not one we sent.")
    return survey


def wants_survey(to_state: str) -> bool:
    return to_state == CaseStatus.RESOLVED


def queue_survey(case: Case, event: CaseEvent) -> Survey | None:
    """After a case is resolved (in its transaction): the customer's survey mail, unless they
    have no working address, only wrote automatic mail, or had one within CSAT_QUIET_DAYS."""
    if not settings.CSAT_ENABLED or not case.customer_id:
        return None
    customer = case.customer
    if not customer.email or customer.email_failing_since is not None:
        return None
    since = timezone.now() - timedelta(days=settings.CSAT_QUIET_DAYS)
    if Survey.objects.filter(customer=customer, sent_at__gte=since).exists():
        return None
    last_in = (
        Message.objects.filter(case=case, direction=Direction.IN)
        .order_by("-at", "-id")
        .values_list("automatic", flat=True)
        .first()
    )
    if last_in:  # the case's last mail in was automatic: nobody to ask
        return None
    now = timezone.now()
    survey = Survey.objects.create(
        case=case,
        customer=customer,
        agent_id=case.assignee_id or event.actor_id,  # who worked it: assignee, else resolver
        team=case.team,
        sent_at=now,
        expires_at=now + timedelta(days=settings.CSAT_LINK_DAYS),
    )
    links = "\n".join(f"  {n} - {WORDS[n]}: {survey_url(survey, n)}" for n in RATINGS)
    survey.outgoing = queue_mail(
        to=[customer.email],
        subject=f"How did we do? [#{case.pk}]",
        body=(
            f"Hello {customer.name},\n\nYour case #{case.pk} ({case.subject}) is resolved. How"
            f" satisfied are you with our help? Choose a rating:\n\n{links}\n\nThe links work"
            f" for {settings.CSAT_LINK_DAYS} days. If the problem is not solved, reply to this"
            " mail and the case opens again."
        ),
        headers={"Reply-To": reply_address(case.pk)},
    )
    survey.save(update_fields=["outgoing"])
    append_event(
        case,
        type=EventType.RATING,
        actor=None,
        payload={"sent": True, "survey": survey.pk, "to": customer.email},
    )
    return survey


def rate(*, token: str, rating: int, comment: str = "") -> Survey:
    """The customer's rating from a survey link (again within the link's life: the latest
    counts, each on the trail)."""
    if rating not in RATINGS:
        raise InvalidInput({"rating": "Choose a rating from 1 to 5."})
    comment = limits.bounded(comment, "comment", limits.NOTE)
    survey = survey_of_token(token)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        survey.rating, survey.comment, survey.rated_at = rating, comment, timezone.now()
        survey.save(update_fields=["rating", "comment", "rated_at"])
        append_event(
            survey.case,
            type=EventType.RATING,
            actor=None,
            reason=comment,
            payload={"survey": survey.pk, "rating": rating},
        )
    return survey
