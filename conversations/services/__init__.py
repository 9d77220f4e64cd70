"""Writes of conversations: mail received (inbound), messages sent from a case (outbound),
reply templates used (templates)."""

from .inbound import process_inbound, receive_mail, retry_inbound
from .outbound import send_message
from .templates import compose, send_with_template, template_key_for

__all__ = [
    "compose",
    "process_inbound",
    "receive_mail",
    "retry_inbound",
    "send_message",
    "send_with_template",
    "template_key_for",
]
