"""Files an agent attaches to a message: the same size limit and content types as mail in."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.errors import InvalidInput

MAX_FILES = 10


def check_uploads(files: Sequence[UploadedFile]) -> None:
    """Refuse (400, per file) what mail in would drop: too large, or a type not allowed."""
    if len(files) > MAX_FILES:
        raise InvalidInput({"files": f"At most {MAX_FILES} files on one message."})
    errors = []
    for file in files:
        if (file.size or 0) > settings.MAIL_ATTACHMENT_MAX_BYTES:
            errors.append(
                f"{file.name}: {file.size} bytes, over the {settings.MAIL_ATTACHMENT_MAX_BYTES}"
                " allowed."
            )
        elif (file.content_type or "") not in settings.MAIL_ATTACHMENT_TYPES:
            errors.append(f"{file.name}: {file.content_type or 'unknown type'} is not allowed.")
    if errors:
        raise InvalidInput({"files": " ".join(errors)})
