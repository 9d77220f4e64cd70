"""The events conversations send out: a message for a channel the company's messaging
platform carries (SMS, WhatsApp), which Casework asks for and does not send itself."""

from __future__ import annotations

from events.catalogue import declare

MESSAGE_REQUESTED = declare(
    "message.requested",
    summary="Send this message to the customer or the partner on a channel Casework does not"
    " carry itself (SMS, WhatsApp): the messaging platform delivers it.",
    subject="case",
    example={
        "message_id": "<0f3c2a9e6b7d4e1f8a2b3c4d5e6f7a8b@sms.casework>",
        "case_id": 242,
        "channel": "sms",
        "party": "customer",
        "to": "+919800000001",
        "body": "Your technician arrives at 4 pm today.",
        "template": "call_customer.confirm_spd",
        "actor_id": 4,
    },
)
