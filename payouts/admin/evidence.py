"""What partner support logs with a reversal form, and how the console shows it."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from .. import services
from ..models import (
    ReversalRequest,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several evidence files in one input, each checked for size and kind of file."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Evidence files")
        kwargs.setdefault(
            "help_text",
            "Photos of the work, the partner's screenshots or a PDF; several may be chosen.",
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = []
        for upload in files:
            cleaned.append(super().clean(upload, initial))
        refusals = [r for r in map(services.evidence_file_refusal, cleaned) if r]
        if refusals:
            raise forms.ValidationError(refusals)
        return cleaned


def call_recording_field() -> forms.CharField:
    """The call recording reference: required, as the revisit SOP asks it to be checked."""
    return forms.CharField(
        max_length=255,
        label="Call recording reference",
        help_text="The call recording you checked (revisit SOP: check the call recordings and "
        "speak to the customer).",
    )


def evidence_refs_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        label="Evidence links",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Links to images or recordings kept elsewhere, one per line.",
    )


class EvidenceForm(forms.Form):
    """What partner support logs with a PAF and penalty reversal form."""

    call_recording_ref = call_recording_field()
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="What the partner says and what the recording / customer confirmed.",
    )
    evidence = evidence_refs_field()
    evidence_files = EvidenceFilesField()


def is_url(ref: str) -> bool:
    return ref.startswith(("https://", "http://"))


def file_url(request: ReversalRequest, file_id: int) -> str:
    return reverse("admin:payouts_reversalrequest_evidence", args=[request.pk, file_id])


def evidence_html(request: ReversalRequest) -> str:
    """Recording, notes, stored files and image links in one cell; only stored files and
    http(s) references become links (a bare name from before files were stored stays text)."""
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
    files = list(request.files.all())
    if files:
        parts.append(
            format_html_join(
                " ",
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                ((file_url(request, f.pk), f.name) for f in files),
            )
        )
    if len(refs) > len(links):
        parts.append(format_html("{} name(s) without a stored file", len(refs) - len(links)))
    return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))
