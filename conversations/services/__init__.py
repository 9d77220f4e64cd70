"""Writes of conversations: mail received (inbound) and messages sent from a case (outbound)."""

from .inbound import process_inbound, receive_mail, retry_inbound
from .outbound import send_message

__all__ = ["process_inbound", "receive_mail", "retry_inbound", "send_message"]
