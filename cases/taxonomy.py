"""Every disposition (tag) path the SOPs use, with the case kinds each one may resolve.

The L1 paths are the SOP's Kapture paths word for word; the revisit and OOS tags are the
SOPs' own; pre-service and follow-up tags, which the SOPs describe but do not spell out, are
named after the SOP step they record. A data migration loads this list; `sync_taxonomy`
keeps the table in step when the list grows.
"""

from .catalog import CaseKind as K

SEP = " >> "

L1_STATUS = [K.STATUS_CHECK]
L1_AFTER = [K.POST_SERVICE_COMPLAINT]

TAXONOMY: list[tuple[str, list[str]]] = [
    # L1 installation & maintenance (Kapture)
    (
        "Inbound >> Enquiry >> Enquiry about the cancellation >> Resolved",
        [K.STATUS_CHECK, K.CANCELLATION_REQUEST],
    ),
    (
        "Inbound >> Complaint >> Fake closure/ Fake Status >> service not provided / Call closed "
        "without service >> Unresolved",
        L1_STATUS,
    ),
    ("Inbound >> Complaint >> Fake status updated by technician >> Unresolved", L1_STATUS),
    (
        "Inbound >> Request >> Cancellation of service >> Resolved",
        [K.STATUS_CHECK, K.CANCELLATION_REQUEST],
    ),
    ("Inbound >> Complaint >> Delay in Service >> Out of SPD >> Unresolved", L1_STATUS),
    (
        "Inbound >> Enquiry >> Enquiry About TAT/SPD >> Resolved",
        [K.STATUS_CHECK, K.PAYMENT_NOT_CONFIRMED, K.PRODUCT_PICKUP],
    ),
    ("Reschedule >> Preferred date", [K.STATUS_CHECK, K.RESCHEDULE]),
    ("Inbound >> Request >> Request to reopen ticket >> Resolved", L1_AFTER),
    (
        "Inbound >> Complaint >> Technician Not Aware Of Installation/Improper Installation "
        ">> Unresolved",
        L1_AFTER,
    ),
    ("Inbound >> Enquiry >> Post Policy-Service Denial", L1_AFTER),
    ("Inbound >> Request >> Change of Address", [K.ADDRESS_CHANGE]),
    ("Inbound >> Request >> Cancellation of Service", [K.ADDRESS_CHANGE]),
    (
        "Inbound >> Complaint >> Technician damaged customers property >> Unresolved",
        [K.PROPERTY_DAMAGE],
    ),
    ("Inbound >> Complaint >> Bill Not Given By Technician >> Unresolved", [K.MISSING_INVOICE]),
    (
        "Inbound >> Complaint >> Delay in refund >> Unresolved",
        [K.PAYMENT_NOT_CONFIRMED, K.REFUND_STATUS, K.COMPLAINT],
    ),
    ("Inbound >> Enquiry >> Refund status query >> Resolved", [K.REFUND_STATUS]),
    ("Inbound >> Enquiry >> Enquiry About Service Charges", [K.EXTRA_CHARGES]),
    ("Inbound >> Complaint >> Extra Cash Collected By Technician >> Unresolved", [K.EXTRA_CHARGES]),
    ("Inbound >> Complaint >> Women & Child Safety Case >> Unresolved", [K.SAFETY_INCIDENT]),
    # Revisit work: the three money-revisit tags, plus one per scenario outcome
    (
        "1.3 Money-revisit issue : revisit work related info",
        [
            K.REVISIT_CUSTOMER_CANCELLED,
            K.REVISIT_WORK_NOT_REQUIRED,
            K.REVISIT_NEW_WORK_DENIED,
            K.REVISIT_PARTNER_FAULT,
            K.PAF_REVERSAL,
        ],
    ),
    ("1.3 Money-revisit issue : SME Revisit - Payout issue", [K.REVISIT_PAYMENT]),
    ("1.3 Money-revisit issue : Non-SME Revisit - Payout issue", [K.REVISIT_PAYMENT]),
    # Out of scope
    (
        "4.2 On job - Partner led Cancellation < Out of scope",
        [K.OUT_OF_SCOPE, K.OOS_OTP_OR_PAYMENT, K.RATING_REVERSAL],
    ),
    ("Partner led cancellation >> Out Of Scope", [K.OUT_OF_SCOPE]),
    # Pre-services
    (
        "Pre service >> Make changes in existing request >> Parked till delivered",
        [K.CHANGE_REQUEST],
    ),
    (
        "Pre service >> Make changes in existing request >> Fresh booking advised",
        [K.CHANGE_REQUEST],
    ),
    ("Pre service >> Rescheduling / Different pro >> Rescheduled", [K.RESCHEDULE]),
    ("Pre service >> Preferred professional >> Assigned", [K.PREFERRED_PROFESSIONAL]),
    (
        "Pre service >> Preferred professional >> Different professional assigned",
        [K.PREFERRED_PROFESSIONAL],
    ),
    ("Pre service >> Cancellation >> Rescheduled instead", [K.PRE_SERVICE_CANCELLATION]),
    ("Pre service >> Cancellation >> Cancelled on customer VOC", [K.PRE_SERVICE_CANCELLATION]),
    ("Pre service >> Cancellation >> Goodwill refund", [K.PRE_SERVICE_CANCELLATION]),
    (
        "Pre service >> Wrong job started >> Refund and deduct from professional",
        [K.WRONG_JOB_STARTED],
    ),
    ("Pre service >> Wrong job started >> No amount paid", [K.WRONG_JOB_STARTED]),
    ("Pre service >> Edit address/Name/Email/Number >> Refused", [K.CONTACT_EDIT]),
    (
        "Pre service >> Edit address/Name/Email/Number >> Delivered to requested address",
        [K.CONTACT_EDIT],
    ),
    ("Pre service >> Enquiry on services >> Booked now", [K.SERVICE_ENQUIRY]),
    ("Pre service >> Enquiry on services >> Will book later", [K.SERVICE_ENQUIRY]),
    ("Pre service >> Unable to place booking >> Resolved", [K.UNABLE_TO_BOOK]),
    ("Pre service >> Unable to place booking >> Escalated with screenshot", [K.UNABLE_TO_BOOK]),
    ("Pre service >> OB form >> E-mail sent", [K.OB_FORM]),
    # Pending customer action (follow up >> customer care)
    (
        "Follow up >> Customer care >> New appointment set",
        [K.FOLLOW_UP_FIRST_VISIT, K.FOLLOW_UP_SECOND_APPOINTMENT, K.FOLLOW_UP_PAINTING],
    ),
    (
        "Follow up >> Customer care >> Customer does not want the service",
        [K.FOLLOW_UP_FIRST_VISIT, K.FOLLOW_UP_SECOND_APPOINTMENT, K.FOLLOW_UP_PAINTING],
    ),
    (
        "Follow up >> Customer care >> No answer twice",
        [K.FOLLOW_UP_FIRST_VISIT, K.FOLLOW_UP_SECOND_APPOINTMENT, K.FOLLOW_UP_PAINTING],
    ),
    (
        "Follow up >> Customer care >> Complaint ticket created",
        [K.FOLLOW_UP_FIRST_VISIT, K.FOLLOW_UP_SECOND_APPOINTMENT, K.FOLLOW_UP_PAINTING],
    ),
    (
        "Follow up >> Customer care >> Assigned to engineering operations",
        [K.FOLLOW_UP_SECOND_APPOINTMENT, K.FOLLOW_UP_PAINTING],
    ),
    # Decision tags (cases.flow_registry): the L1 paths exactly as the decision functions
    # write them (the SOP's "Unresolved >> Remarks" ending kept), and the kinds the flows that
    # produce an existing tag run on. sync_taxonomy merges kinds, so listing a path again only
    # widens the kinds it may resolve.
    (
        "Inbound >> Complaint >> Fake closure/ Fake Status >> service not provided / Call closed "
        "without service >> Unresolved >> Remarks",
        L1_STATUS,
    ),
    (
        "Inbound >> Complaint >> Fake status updated by technician >> Unresolved >> Remarks",
        L1_STATUS,
    ),
    (
        "Inbound >> Complaint >> Delay in Service >> Out of SPD >> Unresolved >> Remarks",
        # (a complaint ticket too: the SPD sweep opens one when nobody has called)
        [K.STATUS_CHECK, K.PRODUCT_PICKUP, K.COMPLAINT],
    ),
    (
        "Inbound >> Complaint >> Technician damaged customers property >> Unresolved >> Remarks",
        [K.PROPERTY_DAMAGE],
    ),
    (
        "Inbound >> Complaint >> Bill Not Given By Technician >> Unresolved >> Remarks",
        [K.MISSING_INVOICE],
    ),
    (
        "Inbound >> Complaint >> Extra Cash Collected By Technician >> Unresolved >> Remarks",
        [K.EXTRA_CHARGES],
    ),
    (
        "Inbound >> Complaint >> Women & Child Safety Case >> Unresolved >> Remarks",
        [K.SAFETY_INCIDENT],
    ),
    # 1.3 (ticket cancelled/completed) is a status check too.
    ("Inbound >> Request >> Request to reopen ticket >> Resolved", L1_STATUS),
    (
        "Inbound >> Complaint >> Technician Not Aware Of Installation/Improper Installation "
        ">> Unresolved",
        L1_STATUS,
    ),
    ("Inbound >> Enquiry >> Post Policy-Service Denial", L1_STATUS),
    # 6: a debit with no booking, inside the refund TAT, takes the refund status query tag.
    ("Inbound >> Enquiry >> Refund status query >> Resolved", [K.PAYMENT_NOT_CONFIRMED]),
    # Revisit: a revisit asked for on a post-service complaint; scenario 5's catch-all.
    (
        "1.3 Money-revisit issue : revisit work related info",
        [K.POST_SERVICE_COMPLAINT, K.REVISIT_PAYMENT],
    ),
    # Cases the system opens from a decision: a complaint ticket, a revisit beyond the SME one.
    ("Complaint ticket >> Resolved with the customer", [K.COMPLAINT]),
    ("Complaint ticket >> Handed to engineering operations", [K.COMPLAINT]),
    ("Revisit escalation >> Handled by the supervisor", [K.REVISIT_ESCALATION]),
]


def sync_taxonomy(tag_model) -> int:
    """Create every path (and its parents) of TAXONOMY; idempotent. Returns rows touched."""
    touched = 0
    for path, kinds in TAXONOMY:
        parts = [p.strip() for p in path.split(SEP)]
        parent = None
        for depth in range(1, len(parts) + 1):
            sub_path = SEP.join(parts[:depth])
            is_leaf = depth == len(parts)
            tag, created = tag_model.objects.get_or_create(
                path=sub_path,
                defaults={"label": parts[depth - 1], "parent": parent, "depth": depth},
            )
            if is_leaf:
                merged = sorted(set(tag.kinds) | {str(k) for k in kinds})
                if merged != tag.kinds or not tag.is_selectable:
                    tag.kinds = merged
                    tag.is_selectable = True
                    tag.save(update_fields=["kinds", "is_selectable"])
                    touched += 1
            touched += int(created)
            parent = tag
    return touched
