"""L1 installation / maintenance SOP flows: scenarios 1-10."""

from __future__ import annotations

from cases.catalog import CaseKind, Sop
from policies.sop import l1

from .. import fills as from_records
from ..flow import Flow, service_day_reference

PAYMENT_CHOICES = {"payment_mode": l1.PAYMENT_MODES}

FLOWS: list[Flow] = [
    Flow(
        "l1.status_check_cancelled",
        "1.1 Status check: ticket cancelled",
        Sop.L1,
        (CaseKind.STATUS_CHECK,),
        l1.decide_status_check_cancelled,
        resolves_when_answered=True,
    ),
    Flow(
        "l1.status_check_open",
        "1.2 Status check: ticket open",
        Sop.L1,
        (CaseKind.STATUS_CHECK,),
        l1.decide_status_check_open,
        fills={"spd_breached": from_records.SPD_BREACHED},
        choices={"open_status": l1.OPEN_STATUSES, "customer_response": l1.CUSTOMER_RESPONSES},
        outcome_tags=l1.OUTCOME_TAGS,
        resolves_when_answered=True,
    ),
    Flow(
        "l1.status_check_closed",
        "1.3 Ticket cancelled/completed: complaint inside the warranty?",
        Sop.L1,
        (CaseKind.STATUS_CHECK, CaseKind.POST_SERVICE_COMPLAINT),
        l1.decide_status_check_closed,
        fills={"service_date": from_records.SERVICE_DATE, "contacted_on": from_records.OPENED_ON},
        choices={"complaint": l1.CLOSED_COMPLAINTS},
        reference=service_day_reference("service_date"),
        resolves_when_answered=True,
    ),
    Flow(
        "l1.cancel_request",
        "2 Customer asks to cancel the order",
        Sop.L1,
        (CaseKind.CANCELLATION_REQUEST,),
        l1.decide_cancel_request,
        resolves_when_answered=True,
    ),
    Flow(
        "l1.address_change",
        "3 Installation address change",
        Sop.L1,
        (CaseKind.ADDRESS_CHANGE,),
        l1.decide_address_change,
        resolves_when_answered=True,
    ),
    Flow(
        "l1.property_damage",
        "4 Technician damaged or took property",
        Sop.L1,
        (CaseKind.PROPERTY_DAMAGE,),
        l1.decide_property_damage,
        choices={"observation": (l1.OBSERVATION_IMMEDIATE, l1.OBSERVATION_LATE)},
        resolves_when_answered=True,
    ),
    Flow(
        "l1.invoice_request",
        "5 Invoice for the service or an extra part",
        Sop.L1,
        (CaseKind.MISSING_INVOICE,),
        l1.decide_invoice_request,
        resolves_when_answered=True,
    ),
    Flow(
        "l1.debited_not_confirmed",
        "6 Amount debited, booking not confirmed",
        Sop.L1,
        (CaseKind.PAYMENT_NOT_CONFIRMED,),
        l1.decide_debited_not_confirmed,
        fills={"payment_mode": from_records.PAYMENT_MODE, "contacted_on": from_records.OPENED_ON},
        choices=PAYMENT_CHOICES,
        resolves_when_answered=True,
    ),
    Flow(
        "l1.refund_status",
        "7 Refund status",
        Sop.L1,
        (CaseKind.REFUND_STATUS,),
        l1.decide_refund_status,
        fills={"payment_mode": from_records.PAYMENT_MODE, "contacted_on": from_records.OPENED_ON},
        choices=PAYMENT_CHOICES,
        resolves_when_answered=True,
    ),
    Flow(
        "l1.extra_charges",
        "8 Technician collected extra charges",
        Sop.L1,
        (CaseKind.EXTRA_CHARGES,),
        l1.decide_extra_charges,
        fills={"invoice_amount": from_records.INVOICE, "payment_mode": from_records.PAYMENT_MODE},
        choices=PAYMENT_CHOICES,
        help={"amount_collected": "Everything the customer paid, online and cash."},
        resolves_when_answered=True,
    ),
    Flow(
        "l1.safety_case",
        "9 Harassment / women & child safety",
        Sop.L1,
        (CaseKind.SAFETY_INCIDENT,),
        l1.decide_safety_case,
        resolves_when_answered=True,
    ),
    Flow(
        "l1.product_pickup",
        "10 Product taken for repair, not returned",
        Sop.L1,
        (CaseKind.PRODUCT_PICKUP,),
        l1.decide_product_pickup,
        fills={"contacted_on": from_records.OPENED_ON},
        resolves_when_answered=True,
    ),
    Flow(
        "l1.spd_breached",
        "The service promise date passed on a live booking (a clock)",
        Sop.L1,
        (CaseKind.STATUS_CHECK, CaseKind.COMPLAINT),
        l1.decide_spd_breached,
        fills={"spd": from_records.SPD, "today": from_records.TODAY},
        system=True,
    ),
    Flow(
        "l1.refund_past_tat",
        "A refund unpaid after its TAT (a clock)",
        Sop.L1,
        (CaseKind.COMPLAINT, CaseKind.REFUND_STATUS, CaseKind.PAYMENT_NOT_CONFIRMED),
        l1.decide_refund_past_tat,
        fills={"today": from_records.TODAY},
        system=True,
    ),
]
