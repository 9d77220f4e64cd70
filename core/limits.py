"""How long what people type may be: one place for the API serializers (the schema shows the
limits) and the services (the console and every other caller get the same 400)."""

from __future__ import annotations

from .errors import InvalidInput

SUBJECT = 200
DESCRIPTION = 10_000
NOTE = 4_000
REASON = 2_000
REFERENCE = 200  # a payment reference, a call recording reference
EVIDENCE_ITEM = 500
EVIDENCE_ITEMS = 20


def bounded(value: str, field: str, limit: int) -> str:
    """The text, stripped; a 400 naming the field and its limit when it is longer."""
    text = (value or "").strip()
    if len(text) > limit:
        raise InvalidInput({field: f"At most {limit:,} characters (this has {len(text):,})."})
    return text
