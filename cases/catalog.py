"""The catalog of case kinds: one per scenario of the five SOPs, with its SOP and team."""

from django.db import models


class Team(models.TextChoices):
    CUSTOMER_CARE = "customer_care", "Customer care"
    PARTNER_SUPPORT = "partner_support", "Partner support"
    ENGINEERING_OPS = "engineering_ops", "Engineering operations (EO)"
    FINANCE = "finance", "Finance"
    ESCALATIONS = "escalations", "Escalations (supervisors)"
    TRAINING = "training", "Trainer / QA"
    SAFETY = "safety", "Women & child safety"
    FRAUD_REVIEW = "fraud_review", "Fraud review"
    OPERATIONS = "operations", "Operations"
    TECH_SUPPORT = "tech_support", "Tech issues"


class Sop(models.TextChoices):
    REVISIT = "revisit", "Revisit work"
    L1 = "l1", "L1 installation & maintenance"
    PRE_SERVICES = "pre_services", "Pre-services"
    OOS = "oos", "Out-of-scope cancellations"
    FOLLOW_UP = "follow_up", "Pending customer action"


class CaseKind(models.TextChoices):
    # Revisit work
    REVISIT_CUSTOMER_CANCELLED = "revisit_customer_cancelled", "Revisit: customer cancelled"
    REVISIT_WORK_NOT_REQUIRED = "revisit_work_not_required", "Revisit: work not required"
    REVISIT_NEW_WORK_DENIED = "revisit_new_work_denied", "Revisit: customer denied new work"
    REVISIT_PARTNER_FAULT = "revisit_partner_fault", "Revisit: pro denied / no show / poor service"
    REVISIT_PAYMENT = "revisit_payment", "Revisit: payment issue"
    PAF_REVERSAL = "paf_reversal", "PAF and penalty reversal request"
    # L1 installation & maintenance
    STATUS_CHECK = "status_check", "Status check"
    POST_SERVICE_COMPLAINT = "post_service_complaint", "Complaint after service (warranty)"
    CANCELLATION_REQUEST = "cancellation_request", "Order cancellation request"
    ADDRESS_CHANGE = "address_change", "Installation address change"
    PROPERTY_DAMAGE = "property_damage", "Property damage / theft"
    MISSING_INVOICE = "missing_invoice", "Invoice not given"
    PAYMENT_NOT_CONFIRMED = "payment_not_confirmed", "Amount debited, booking not confirmed"
    REFUND_STATUS = "refund_status", "Refund status"
    EXTRA_CHARGES = "extra_charges", "Extra charges collected"
    SAFETY_INCIDENT = "safety_incident", "Harassment / women & child safety"
    PRODUCT_PICKUP = "product_pickup", "Product taken for repair not returned"
    # Pre-services
    CHANGE_REQUEST = "change_request", "Change in existing request"
    RESCHEDULE = "reschedule", "Reschedule / different pro"
    PREFERRED_PROFESSIONAL = "preferred_professional", "Preferred professional"
    PRE_SERVICE_CANCELLATION = "pre_service_cancellation", "Cancellation before service"
    WRONG_JOB_STARTED = "wrong_job_started", "Wrong job started"
    CONTACT_EDIT = "contact_edit", "Edit address / name / e-mail / number"
    SERVICE_ENQUIRY = "service_enquiry", "Enquiry on services"
    UNABLE_TO_BOOK = "unable_to_book", "Unable to place booking"
    OB_FORM = "ob_form", "OB form"
    # Out of scope
    OUT_OF_SCOPE = "out_of_scope", "Out of scope / visited cancellation"
    OOS_OTP_OR_PAYMENT = "oos_otp_or_payment", "Customer refuses start-job OTP / payment"
    RATING_REVERSAL = "rating_reversal", "Rating reversal request"
    # Pending customer action
    FOLLOW_UP_FIRST_VISIT = "follow_up_first_visit", "Follow-up: first visit cancelled"
    FOLLOW_UP_SECOND_APPOINTMENT = "follow_up_second_appointment", "Follow-up: second appointment"
    FOLLOW_UP_PAINTING = "follow_up_painting", "Follow-up: painting order"
    # Opened by the system from a decision
    COMPLAINT = "complaint", "Complaint ticket"
    REVISIT_ESCALATION = "revisit_escalation", "Revisit beyond the SME revisit"


# Kind groups the SOP flows share.
# Every revisit scenario is offered on every revisit kind (the kind is the intake's first guess).
REVISIT_SCENARIO_KINDS = (
    CaseKind.REVISIT_CUSTOMER_CANCELLED,
    CaseKind.REVISIT_WORK_NOT_REQUIRED,
    CaseKind.REVISIT_NEW_WORK_DENIED,
    CaseKind.REVISIT_PARTNER_FAULT,
)
FOLLOW_UP_KINDS = (
    CaseKind.FOLLOW_UP_FIRST_VISIT,
    CaseKind.FOLLOW_UP_SECOND_APPOINTMENT,
    CaseKind.FOLLOW_UP_PAINTING,
)
SECOND_APPOINTMENT_KINDS = (CaseKind.FOLLOW_UP_SECOND_APPOINTMENT, CaseKind.FOLLOW_UP_PAINTING)
# Opened by the system from a decision and worked by people: no SOP scenario decides them.
SYSTEM_OPENED_KINDS = (CaseKind.COMPLAINT, CaseKind.REVISIT_ESCALATION)


def _kinds(prefix_members: list[CaseKind], sop: Sop, team: Team) -> dict[str, tuple[Sop, Team]]:
    return {kind.value: (sop, team) for kind in prefix_members}


# Which SOP governs each kind and which team gets it by default.
KIND_INFO: dict[str, tuple[Sop, Team]] = {
    **_kinds(
        [
            CaseKind.REVISIT_CUSTOMER_CANCELLED,
            CaseKind.REVISIT_WORK_NOT_REQUIRED,
            CaseKind.REVISIT_NEW_WORK_DENIED,
            CaseKind.REVISIT_PARTNER_FAULT,
            CaseKind.REVISIT_PAYMENT,
            CaseKind.PAF_REVERSAL,
        ],
        Sop.REVISIT,
        Team.PARTNER_SUPPORT,
    ),
    **_kinds(
        [
            CaseKind.STATUS_CHECK,
            CaseKind.POST_SERVICE_COMPLAINT,
            CaseKind.CANCELLATION_REQUEST,
            CaseKind.ADDRESS_CHANGE,
            CaseKind.PROPERTY_DAMAGE,
            CaseKind.MISSING_INVOICE,
            CaseKind.PAYMENT_NOT_CONFIRMED,
            CaseKind.REFUND_STATUS,
            CaseKind.EXTRA_CHARGES,
            CaseKind.SAFETY_INCIDENT,
            CaseKind.PRODUCT_PICKUP,
        ],
        Sop.L1,
        Team.CUSTOMER_CARE,
    ),
    **_kinds(
        [
            CaseKind.CHANGE_REQUEST,
            CaseKind.RESCHEDULE,
            CaseKind.PREFERRED_PROFESSIONAL,
            CaseKind.PRE_SERVICE_CANCELLATION,
            CaseKind.WRONG_JOB_STARTED,
            CaseKind.CONTACT_EDIT,
            CaseKind.SERVICE_ENQUIRY,
            CaseKind.UNABLE_TO_BOOK,
            CaseKind.OB_FORM,
        ],
        Sop.PRE_SERVICES,
        Team.CUSTOMER_CARE,
    ),
    **_kinds(
        [CaseKind.OUT_OF_SCOPE, CaseKind.OOS_OTP_OR_PAYMENT, CaseKind.RATING_REVERSAL],
        Sop.OOS,
        Team.PARTNER_SUPPORT,
    ),
    **_kinds(
        [
            CaseKind.FOLLOW_UP_FIRST_VISIT,
            CaseKind.FOLLOW_UP_SECOND_APPOINTMENT,
            CaseKind.FOLLOW_UP_PAINTING,
        ],
        Sop.FOLLOW_UP,
        Team.CUSTOMER_CARE,
    ),
    **_kinds([CaseKind.COMPLAINT], Sop.L1, Team.CUSTOMER_CARE),
    **_kinds([CaseKind.REVISIT_ESCALATION], Sop.REVISIT, Team.ESCALATIONS),
}


def default_team(kind: str) -> str:
    return KIND_INFO[kind][1].value


def sop_of(kind: str) -> str:
    return KIND_INFO[kind][0].value
