"""Writes of conversations: mail received (inbound), messages sent from a case (outbound),
reply templates used (templates)."""

from .inbound import receive_mail, retry_inbound
from .outbound import send_message
from .templates import compose, send_with_template, template_key_for

__all__ = [
    "compose",
    "receive_mail",
    "retry_inbound",
    "send_message",
    "send_with_template",
    "template_key_for",
]
