"""What partner support logs with a reversal form, and how the console shows it."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from ..models import (
    ReversalRequest,
)


class EvidenceForm(forms.Form):
    """What partner support logs with a PAF and penalty reversal form."""

    call_recording_ref = forms.CharField(
        max_length=255,
        label="Call recording reference",
        help_text="The call recording you checked (revisit SOP: check the call recordings and "
        "speak to the customer).",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="What the partner says and what the recording / customer confirmed.",
    )
    evidence = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Image files or URLs, one per line.",
    )


def is_url(ref: str) -> bool:
    return ref.startswith(("https://", "http://"))


def evidence_html(request: ReversalRequest) -> str:
    """Recording, notes and image links in one cell; only http(s) references become links."""
    parts = []
    if request.call_recording_ref:
        parts.append(format_html("recording: {}", request.call_recording_ref))
    if request.notes:
        parts.append(format_html("{}", Truncator(request.notes).chars(120)))
    refs = [str(ref) for ref in request.evidence or []]
    links = [(ref, i) for i, ref in enumerate(refs, 1) if is_url(ref)]
    if links:
        parts.append(
            format_html_join(" ", '<a href="{}" target="_blank" rel="noopener">image {}</a>', links)
        )
    if len(refs) > len(links):
        parts.append(format_html("{} file(s)", len(refs) - len(links)))
    return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))
