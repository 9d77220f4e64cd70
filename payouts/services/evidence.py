"""Evidence files on reversal requests: what is taken (size, kind of file, checked from the
file's own first bytes, not from what the browser says) and how it is stored."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core import limits
from core.errors import InvalidInput
from core.roles import User

from ..models import EvidenceFile, ReversalRequest

# The first bytes of each kind of file taken, so a renamed program is not stored as a photo.
_SIGNATURES: tuple[tuple[str, bytes, int], ...] = (
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/gif", b"GIF8", 0),
    ("application/pdf", b"%PDF-", 0),
    ("image/webp", b"WEBP", 8),
)


def sniffed_type(upload: UploadedFile) -> str | None:
    """The content type the file's first bytes show, or None when it is none we know."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, magic, offset in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def evidence_file_refusal(upload: UploadedFile) -> str | None:
    """Why this file cannot be attached, in words, or None when it can."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        return (
            f"{upload.name} is {upload.size:,} bytes; at most "
            f"{settings.EVIDENCE_MAX_BYTES:,} bytes per file."
        )
    content_type = sniffed_type(upload)
    if content_type is None or content_type not in settings.EVIDENCE_CONTENT_TYPES:
        taken = ", ".join(settings.EVIDENCE_CONTENT_TYPES)
        return f"{upload.name} is not a file kind taken as evidence ({taken})."
    return None


def check_evidence_files(files: Sequence[UploadedFile]) -> None:
    """Refuse the lot (400, on the field) when any file is too big, of a kind not taken, or
    when there are more than the evidence limit."""
    if len(files) > limits.EVIDENCE_ITEMS:
        raise InvalidInput({"evidence_files": f"At most {limits.EVIDENCE_ITEMS} files."})
    refusals = [r for r in (evidence_file_refusal(f) for f in files) if r]
    if refusals:
        raise InvalidInput({"evidence_files": " ".join(refusals)})


def attach_evidence_files(
    request: ReversalRequest, files: Sequence[UploadedFile], actor: User
) -> list[EvidenceFile]:
    """Store the files on the request; called inside the transaction that logs it."""
    stored = []
    for upload in files:
        stored.append(
            EvidenceFile.objects.create(
                request=request,
                file=upload,
                name=(upload.name or "file")[-255:],
                content_type=sniffed_type(upload) or "application/octet-stream",
                size=upload.size,
                uploaded_by=actor,
            )
        )
    return stored
