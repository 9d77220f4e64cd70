"""Pre-services SOP: its name, the partner calendar's colours, the refund amounts it names, the
OB form's reply time, and the dispositions its outcomes record."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from ...decision import require_money
from ...parameters import Policy

SOP = "Pre-services SOP"

# Partner calendar colours (profile > Edit details > calendar).
CALENDAR_WORKING = "working"  # green: working on a job
CALENDAR_ON_LEAVE = "on_leave"  # red: on leave
CALENDAR_FREE = "free"  # blank: available
CALENDAR_STATUSES: tuple[str, ...] = (CALENDAR_WORKING, CALENDAR_ON_LEAVE, CALENDAR_FREE)

# Cancellations "on UC's end" that earn a goodwill refund when the customer asks for one.
GOODWILL_CAUSES: frozenset[str] = frozenset({"no_show", "no_response"})

# Personal details the customer may ask to edit; none can be edited.
PERSONAL_DETAILS: tuple[str, ...] = ("address", "name", "email", "number")

PAYMENT_MODES: tuple[str, ...] = ("online", "cash")


def goodwill_amount(*, cart_value: Decimal, policy: Policy) -> Decimal:
    """Goodwill by cart value: below the threshold the lower amount, from it the higher one
    (the SOP's "below 500" / "above 500" leaves 500 itself open; it takes the higher amount)."""
    require_money(cart_value, "cart_value")
    params = policy.params
    if cart_value < params.goodwill_threshold_cart_value:
        return params.goodwill_below_threshold
    return params.goodwill_from_threshold


def wrong_job_refund_amount(*, amount_paid: Decimal, policy: Policy) -> Decimal:
    """Unconfirmed wrong-job refund: the amount paid, capped at wrong_job_refund_cap."""
    require_money(amount_paid, "amount_paid")
    return min(amount_paid, policy.params.wrong_job_refund_cap)


def ob_form_reply_due(*, sent_at: datetime, policy: Policy) -> datetime:
    """When the customer was promised a reply to an OB form: the TAT in elapsed hours."""
    return sent_at + timedelta(hours=policy.params.ob_form_tat_hours)


# The SOP describes the pre-service dispositions without spelling them out; the taxonomy names
# each after the step it records. For outcomes whose decision carries no tag of its own.
TAG_PREFIX = "Pre service >> "
OUTCOME_TAGS: dict[str, str] = {
    "partner_delivers_change": TAG_PREFIX
    + "Make changes in existing request >> Parked till delivered",
    "customer_places_fresh_booking": TAG_PREFIX
    + "Make changes in existing request >> Fresh booking advised",
    "rescheduled": TAG_PREFIX + "Rescheduling / Different pro >> Rescheduled",
    "rescheduled_with_different_pro": TAG_PREFIX + "Rescheduling / Different pro >> Rescheduled",
    "preferred_professional_notified": TAG_PREFIX + "Preferred professional >> Assigned",
    "preferred_unavailable_assign_other": TAG_PREFIX
    + "Preferred professional >> Different professional assigned",
    "rescheduled_instead_of_cancelled": TAG_PREFIX + "Cancellation >> Rescheduled instead",
    "cancelled_on_customer_voc": TAG_PREFIX + "Cancellation >> Cancelled on customer VOC",
    "goodwill_refund": TAG_PREFIX + "Cancellation >> Goodwill refund",
    "full_refund": TAG_PREFIX + "Wrong job started >> Refund and deduct from professional",
    "capped_refund": TAG_PREFIX + "Wrong job started >> Refund and deduct from professional",
    "nothing_paid": TAG_PREFIX + "Wrong job started >> No amount paid",
    "edit_refused": TAG_PREFIX + "Edit address/Name/Email/Number >> Refused",
    "edit_refused_partner_delivers_elsewhere": TAG_PREFIX
    + "Edit address/Name/Email/Number >> Delivered to requested address",
    "assist_booking_now": TAG_PREFIX + "Enquiry on services >> Booked now",
    "guide_booking_later": TAG_PREFIX + "Enquiry on services >> Will book later",
    "ask_app_update": TAG_PREFIX + "Unable to place booking >> Resolved",
    "suggest_alternate_service": TAG_PREFIX + "Unable to place booking >> Resolved",
    "escalated_with_screenshot": TAG_PREFIX
    + "Unable to place booking >> Escalated with screenshot",
    "ob_form_parked": TAG_PREFIX + "OB form >> E-mail sent",
    "ob_form_still_parked": TAG_PREFIX + "OB form >> E-mail sent",
    "ob_email_received": TAG_PREFIX + "OB form >> E-mail sent",
}
