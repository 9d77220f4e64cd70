"""The reply templates the SOPs need, seeded after every migrate (missing ones added; an
edited template is never overwritten). Each SOP step that tells the customer or the
partner something has one, keyed as the task the step creates ("call_customer.<purpose>",
"ask_partner_to_cancel"...), so that task offers "Send" with it filled in. English for
every step; Hindi and Arabic (Egypt's customers) for the customer's most common ones."""

from __future__ import annotations

C, P = "customer", "partner"
SIGN = "\n\nRegards,\n{agent_name}\nCustomer support"

# (key, audience, name, subject, body) in English.
ENGLISH: list[tuple[str, str, str, str, str]] = [
    # Pre-services
    (
        "call_customer.confirm_email",
        C,
        "OB form: confirm e-mail and 24 h TAT",
        "Your request on booking {booking_id}",
        "Dear {customer_name},\n\nWe have filled in the form for your request on booking "
        "{booking_id}. You will receive an e-mail from us at this address within "
        "{policy.ob_form_tat_hours} hours. Please reply to this message if it does not arrive.",
    ),
    (
        "send_ob_form",
        C,
        "OB form sent",
        "Your form for booking {booking_id}",
        "Dear {customer_name},\n\nPlease find the form for your request on booking {booking_id}. "
        "We will come back to you within {policy.ob_form_tat_hours} hours.",
    ),
    (
        "call_customer.ask_professional_name_and_last_booking",
        C,
        "Preferred professional: ask for the name and last booking",
        "Your preferred professional",
        "Dear {customer_name},\n\nTo book the professional you prefer, please reply with their "
        "name and the id of your last booking with them.",
    ),
    (
        "call_customer.assist_booking_with_running_offers",
        C,
        "Service enquiry: running offers",
        "About our services",
        "Dear {customer_name},\n\nThank you for your enquiry. You can book "
        "the service in the app, where the running offers are applied at checkout.",
    ),
    (
        "call_customer.guide_booking_with_running_offers",
        C,
        "Service enquiry: how to book",
        "How to book",
        "Dear {customer_name},\n\nYou can book the service from the app's home "
        "page; the offers running today are shown before you pay.",
    ),
    (
        "call_customer.confirm_cancellation_reason",
        C,
        "Cancellation: confirm the reason",
        "Your cancellation request",
        "Dear {customer_name},\n\nWe received your request to "
        "cancel booking {booking_id}. Please reply with the reason, so that we can cancel it "
        "correctly.",
    ),
    (
        "call_customer.explain_details_cannot_be_edited",
        C,
        "Details cannot be edited",
        "Your booking {booking_id}",
        "Dear {customer_name},\n\nThe details of booking "
        "{booking_id} cannot be changed once the professional is assigned. We have passed your "
        "request on to the professional.",
    ),
    (
        "call_customer.place_fresh_booking",
        C,
        "Change request: place a fresh booking",
        "Your change request",
        "Dear {customer_name},\n\nThis change cannot be made on booking "
        "{booking_id}. Please place a fresh booking for the service you need.",
    ),
    (
        "call_customer.suggest_alternate_service",
        C,
        "Unable to book: alternate service",
        "Your booking attempt",
        "Dear {customer_name},\n\nThe service you tried to book is not "
        "available at your address right now. You may book a similar service from the app.",
    ),
    (
        "call_customer.update_app_and_retry",
        C,
        "Unable to book: update the app",
        "Your booking attempt",
        "Dear {customer_name},\n\nPlease update the app to its latest "
        "version and try the booking again. Reply to this mail if it still fails.",
    ),
    (
        "request_images",
        C,
        "Ask for images",
        "Photos for case #{case_id}",
        "Dear {customer_name},\n\nPlease reply to this mail with photos (or a screenshot) of "
        "the problem, so that we can act on case #{case_id}.",
    ),
    # L1 installation & maintenance
    (
        "call_customer.collect_alternative_number",
        C,
        "Status check: alternative number",
        "Reaching you about booking {booking_id}",
        "Dear {customer_name},\n\nWe could not reach "
        "you about booking {booking_id}. Please reply with another number we can call.",
    ),
    (
        "call_customer.confirm_spd",
        C,
        "Confirm the service date",
        "Your service date",
        "Dear {customer_name},\n\nYour booking {booking_id} is confirmed for {booking_time}.",
    ),
    (
        "call_customer.explain_address_cannot_change",
        C,
        "Address cannot change",
        "The address of booking {booking_id}",
        "Dear {customer_name},\n\nThe address of booking "
        "{booking_id} cannot be changed after it is confirmed.",
    ),
    (
        "call_customer.rebook_at_new_address",
        C,
        "Rebook at the new address",
        "Booking at your new address",
        "Dear {customer_name},\n\nPlease place a new booking at "
        "your new address; booking {booking_id} will be cancelled without any charge.",
    ),
    (
        "call_customer.explain_cancellation",
        C,
        "Explain the cancellation",
        "Why booking {booking_id} was cancelled",
        "Dear {customer_name},\n\nBooking {booking_id} was cancelled. {decision_outcome}",
    ),
    (
        "call_customer.explain_service_charges",
        C,
        "Explain the service charges",
        "The charges on booking {booking_id}",
        "Dear {customer_name},\n\nThe amount collected on "
        "booking {booking_id} is the service's listed price and the parts used, as on your "
        "invoice.",
    ),
    (
        "call_customer.explain_warranty_expired",
        C,
        "Warranty expired",
        "The warranty on booking {booking_id}",
        "Dear {customer_name},\n\nThe warranty on "
        "booking {booking_id} ended {policy.warranty_days} days after the service. A new booking "
        "is needed for this visit.",
    ),
    (
        "call_customer.guide_cancel_via_my_booking",
        C,
        "Cancel from My bookings",
        "Cancelling booking {booking_id}",
        "Dear {customer_name},\n\nYou can cancel booking {booking_id} from My bookings in the app.",
    ),
    (
        "call_customer.refund_within_tat",
        C,
        "Refund within the TAT",
        "Your refund on booking {booking_id}",
        "Dear {customer_name},\n\nYour refund of "
        "{refund_amount} on booking {booking_id} is on its way and reaches you within "
        "{refund_tat_days} days of the cancellation.",
    ),
    (
        "call_customer.share_refund_status",
        C,
        "Refund status",
        "Your refund",
        "Dear {customer_name},\n\nYour refund of {refund_amount} on booking {booking_id}: "
        "{decision_outcome}.",
    ),
    (
        "call_customer.share_invoice",
        C,
        "Share the invoice",
        "Invoice for booking {booking_id}",
        "Dear {customer_name},\n\nPlease find the invoice for booking {booking_id} attached.",
    ),
    (
        "call_customer.share_pickup_update",
        C,
        "Product pickup update",
        "Your product taken for repair",
        "Dear {customer_name},\n\nAbout the product taken for "
        "repair on booking {booking_id}: {decision_outcome}.",
    ),
    (
        "call_customer.recap_painting_quotation",
        C,
        "Painting: the quotation",
        "Your painting quotation",
        "Dear {customer_name},\n\nAs agreed, here is the recap of the "
        "quotation for booking {booking_id}.",
    ),
    (
        "ask_customer_to_cancel",
        C,
        "Ask the customer to cancel",
        "Please cancel booking {booking_id}",
        "Dear {customer_name},\n\nPlease cancel booking "
        '{booking_id} from the app with the reason "{cancellation_code}"; there is no charge.',
    ),
    (
        "convert_order",
        C,
        "Order converted",
        "Booking {booking_id}",
        "Dear {customer_name},\n\nWe have updated booking {booking_id}: {decision_outcome}.",
    ),
    # Partners
    (
        "call_partner.accept_booking",
        P,
        "Accept the booking",
        "Booking {booking_id} for you",
        "Dear {partner_name},\n\nThe customer asked for you on booking {booking_id}. Please "
        "accept it in the partner app.",
    ),
    (
        "call_partner.add_new_sku_and_continue",
        P,
        "Add the new SKU and continue",
        "Booking {booking_id}: new work",
        "Dear {partner_name},\n\nPlease add the new work to "
        "booking {booking_id} in the app and continue the job.",
    ),
    (
        "call_partner.confirm_issue",
        P,
        "Confirm the issue",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nPlease confirm what you found at the customer's place on "
        "booking {booking_id}.",
    ),
    (
        "call_partner.confirm_wrong_job_payment",
        P,
        "Wrong job: the payment",
        "Booking {booking_id}: wrong job",
        "Dear {partner_name},\n\nThe job started on booking "
        "{booking_id} was not the one booked. Please confirm the payment you collected.",
    ),
    (
        "call_partner.continue_service",
        P,
        "Continue the service",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nPlease continue the service on booking {booking_id}.",
    ),
    (
        "call_partner.create_estimate",
        P,
        "Create an estimate",
        "Booking {booking_id}: estimate",
        "Dear {partner_name},\n\nPlease create the estimate for the extra work on booking "
        "{booking_id} in the app.",
    ),
    (
        "call_partner.deliver_changed_request",
        P,
        "Deliver the changed request",
        "Booking {booking_id}: changed",
        "Dear {partner_name},\n\nThe customer changed booking "
        "{booking_id}; please deliver the changed request.",
    ),
    (
        "call_partner.deliver_to_required_address",
        P,
        "Deliver to the required address",
        "Booking {booking_id}: address",
        "Dear {partner_name},\n\nPlease deliver booking "
        "{booking_id} at the address the customer gave us.",
    ),
    (
        "call_partner.do_not_pick_up_booking",
        P,
        "Do not pick up the booking",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nPlease do not pick up booking "
        "{booking_id}; it is being rescheduled.",
    ),
    (
        "call_partner.explain_validation_failed",
        P,
        "OTP or payment validation failed",
        "Booking {booking_id}: validation",
        "Dear {partner_name},\n\nThe start OTP or the payment "
        "on booking {booking_id} did not validate, so the ticket cannot be raised.",
    ),
    (
        "call_partner.inform_no_impact",
        P,
        "No impact on you",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nThe revisit on booking {booking_id} has no impact on your "
        "rating or payout.",
    ),
    (
        "call_partner.provide_service",
        P,
        "Provide the service",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nPlease provide the service on booking {booking_id}; it is "
        "within scope.",
    ),
    (
        "call_partner.raise_oos_ticket",
        P,
        "Raise the out-of-scope ticket",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nPlease raise the out-of-scope ticket for booking {booking_id} "
        "from the partner app.",
    ),
    (
        "call_partner.reach_customer_location",
        P,
        "Reach the customer",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nPlease reach the customer's location for booking {booking_id}.",
    ),
    (
        "call_partner.team_will_connect",
        P,
        "Our team will connect",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nOur team will call you about booking {booking_id} shortly.",
    ),
    (
        "call_partner.visit_and_raise_oos_ticket",
        P,
        "Visit, then raise the OOS ticket",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nPlease visit the customer for booking "
        "{booking_id} and raise the out-of-scope ticket from there if the job cannot be done.",
    ),
    (
        "call_partner.warn_cancellation_against_partner",
        P,
        "Cancellation against you",
        "Booking {booking_id}: cancellation",
        "Dear {partner_name},\n\nBooking {booking_id} is "
        "cancelled against you; the penalty is {penalty_amount}. This cannot be reversed unless "
        "the review finds otherwise.",
    ),
    (
        "ask_partner_to_cancel",
        P,
        "Ask the partner to cancel",
        "Please cancel booking {booking_id}",
        "Dear {partner_name},\n\nPlease cancel booking "
        '{booking_id} in the partner app with the reason "{cancellation_code}".',
    ),
    (
        "close_at_bpc",
        P,
        "Close at BPC",
        "Booking {booking_id}",
        "Dear {partner_name},\n\nPlease close booking {booking_id} at BPC in the partner app.",
    ),
    # Not a step: the first answer to any mail.
    (
        "general.acknowledge",
        C,
        "Acknowledge the customer's mail",
        "",
        "Dear {customer_name},\n\nThank you for writing to us. We are looking into case "
        "#{case_id} and will reply soon.",
    ),
]

# (key, language, name, subject, body): the customer's common ones in Hindi and Arabic.
TRANSLATED: list[tuple[str, str, str, str, str]] = [
    (
        "general.acknowledge",
        "hi",
        "ग्राहक के मेल की पावती",
        "",
        "प्रिय {customer_name},\n\nहमें लिखने के लिए धन्यवाद। हम केस #{case_id} देख रहे हैं और "
        "जल्द ही उत्तर देंगे।",
    ),
    (
        "call_customer.confirm_email",
        "hi",
        "OB फ़ॉर्म: ई-मेल और 24 घंटे",
        "बुकिंग {booking_id}",
        "प्रिय {customer_name},\n\nबुकिंग {booking_id} के लिए आपका फ़ॉर्म भर दिया गया है। "
        "{policy.ob_form_tat_hours} घंटे के भीतर आपको इस पते पर ई-मेल मिलेगा।",
    ),
    (
        "call_customer.refund_within_tat",
        "hi",
        "रिफ़ंड TAT के भीतर",
        "आपका रिफ़ंड",
        "प्रिय {customer_name},\n\nबुकिंग {booking_id} पर आपका {refund_amount} का रिफ़ंड "
        "{refund_tat_days} दिनों के भीतर आपको मिल जाएगा।",
    ),
    (
        "general.acknowledge",
        "ar",
        "إشعار باستلام رسالة العميل",
        "",
        "عزيزي {customer_name}،\n\nشكرًا لتواصلك معنا. نحن نتابع الحالة رقم {case_id} وسنرد "
        "عليك قريبًا.",
    ),
    (
        "call_customer.confirm_email",
        "ar",
        "نموذج OB: تأكيد البريد و24 ساعة",
        "الحجز {booking_id}",
        "عزيزي {customer_name}،\n\nتم ملء النموذج الخاص بطلبك على الحجز {booking_id}. ستصلك "
        "رسالة على هذا العنوان خلال {policy.ob_form_tat_hours} ساعة.",
    ),
    (
        "call_customer.refund_within_tat",
        "ar",
        "الاسترداد خلال المدة",
        "استرداد المبلغ",
        "عزيزي {customer_name}،\n\nسيصلك استرداد {refund_amount} عن الحجز {booking_id} خلال "
        "{refund_tat_days} يومًا.",
    ),
]


def seed_rows() -> list[dict]:
    rows = [
        {"key": k, "language": "en", "name": n, "audience": a, "subject": s, "body": b + SIGN}
        for k, a, n, s, b in ENGLISH
    ]
    audience = {k: a for k, a, *_ in ENGLISH}
    rows += [
        {"key": k, "language": lang, "name": n, "audience": audience[k], "subject": s, "body": b}
        for k, lang, n, s, b in TRANSLATED
    ]
    return rows


def ensure_seed_templates(**_: object) -> int:
    """Add the seeded templates that are missing (post_migrate); returns how many."""
    from .models import ReplyTemplate

    existing = set(ReplyTemplate.objects.values_list("key", "language"))
    missing = [
        ReplyTemplate(**row) for row in seed_rows() if (row["key"], row["language"]) not in existing
    ]
    ReplyTemplate.objects.bulk_create(missing)
    return len(missing)
