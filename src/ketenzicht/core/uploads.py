"""Attachment checks by content, not by name or declared type."""

from __future__ import annotations

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED = {
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "image/webp": {"webp"},
    "image/heic": {"heic"},
    "application/pdf": {"pdf"},
}
IMAGES_ONLY = {k: v for k, v in ALLOWED.items() if k.startswith("image/")}


def sniffed_type(data: bytes) -> str:
    """The content type of `data` by its magic bytes; unknown content is an opaque download."""
    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None else "application/octet-stream"


def validate_upload(upload: UploadedFile, allowed: dict[str, set[str]] = ALLOWED) -> str:
    """Return the detected content type, or raise a ValidationError that says what to fix."""
    name = upload.name or ""
    if upload.size is not None and upload.size > settings.MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("Het bestand %(name)s is te groot (%(size)s). Het maximum is %(max)s.")
            % {"name": name, "size": filesizeformat(upload.size), "max": filesizeformat(settings.MAX_ATTACHMENT_BYTES)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("Het bestand %(name)s is leeg.") % {"name": name}, code="empty")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    detected = kind.mime if kind is not None else ""
    if detected not in allowed:
        raise ValidationError(
            _("Het bestand %(name)s is geen foto of PDF. Toegestaan: %(types)s.")
            % {"name": name, "types": ", ".join(sorted({e for v in allowed.values() for e in v}))},
            code="type",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension and extension not in allowed[detected]:
        raise ValidationError(
            _("De naam van %(name)s past niet bij de inhoud (%(kind)s). Controleer of u het juiste bestand koos.")
            % {"name": name, "kind": detected},
            code="mislabelled",
        )
    return detected
