"""Mail in from a provider's inbound webhook (django-anymail's `inbound` signal, one shape
whatever the provider): handed to the same service as the SMTP gateway. An error here
answers the provider with a 500, so it keeps the mail and calls again: nothing is lost."""

from __future__ import annotations

from typing import Any


def on_inbound(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    from .services import receive_mail

    message = event.message
    try:
        raw = message.as_bytes()
    except (UnicodeError, LookupError):  # a header the generator cannot fold: its text
        raw = message.as_string().encode("utf-8", errors="surrogateescape")
    recipient = getattr(message, "envelope_recipient", None)
    receive_mail(
        raw,
        via=esp_name.lower().replace(" ", "_"),
        envelope_from=getattr(message, "envelope_sender", None),
        envelope_to=[recipient] if recipient else [],
    )
