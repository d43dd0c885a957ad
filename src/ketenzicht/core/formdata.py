"""A browser's multipart form without files, read in one pass (issue 19, the public form).

The public report form is multipart (it has a photo field), so every report, with or without
a photo, went through Django's MultiPartParser: a streaming parser built for uploads, which
took about a fifth of a plain report's CPU for a dozen short text fields. This reads the
shape a browser sends when no file is chosen — text parts with a plain name, and an empty file
part without a file name — and returns None for anything else (a file, a header it does not
expect, an encoding, a malformed body), which Django then parses as before.
tests/app/test_formdata.py holds it to Django's result on generated bodies: whatever this
reads, Django reads the same.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict

# RFC 2046 boundary characters (without the space, which browsers never use).
_CONTENT_TYPE = re.compile(r"multipart/form-data; ?boundary=([0-9A-Za-z'()+_,./:=?-]{1,70})")
_TEXT = re.compile(rb'Content-Disposition: form-data; name="([a-z_]{1,40})"')
_NO_FILE = re.compile(rb'Content-Disposition: form-data; name="([a-z_]{1,40})"; filename=""')
MAX_PARTS = 50


def parse(body: bytes, content_type: str) -> QueryDict | None:
    """The fields as Django's request.POST would hold them; None: let Django parse it."""
    match = _CONTENT_TYPE.fullmatch(content_type)
    if match is None:
        return None
    delimiter = b"--" + match.group(1).encode("ascii")
    first, last = delimiter + b"\r\n", b"\r\n" + delimiter + b"--\r\n"
    if not body.startswith(first) or not body.endswith(last) or len(body) < len(first) + len(last):
        return None
    parts = body[len(first) : -len(last)].split(b"\r\n" + delimiter + b"\r\n")
    if len(parts) > MAX_PARTS:
        return None
    fields = QueryDict(mutable=True)
    for part in parts:
        head, separator, value = part.partition(b"\r\n\r\n")
        if not separator or delimiter in value:
            return None
        headers = head.split(b"\r\n")
        text = _TEXT.fullmatch(headers[0])
        if text is not None and len(headers) == 1:
            try:
                fields.appendlist(text.group(1).decode("ascii"), value.decode("utf-8"))
            except UnicodeDecodeError:
                return None
            continue
        empty = _NO_FILE.fullmatch(headers[0])
        if empty is not None and headers[1:] in ([], [b"Content-Type: application/octet-stream"]) and not value:
            # No file chosen: Django keeps the field as an empty text value.
            fields.appendlist(empty.group(1).decode("ascii"), "")
            continue
        return None
    fields._mutable = False
    return fields


# A browser's multipart type: its boundary of letters, digits, dashes and underscores (Chrome's
# ----WebKitFormBoundary…, Firefox's ----geckoformboundary… and ------…<digits>).
_PLAIN_MULTIPART = re.compile(r"multipart/form-data; ?boundary=([0-9A-Za-z_-]{1,70})")


class Request(WSGIRequest):
    """Django's request, reading a browser's multipart Content-Type without the email module.

    Django parses every Content-Type with parameters through `email.message.Message` (about
    1 % of a public report's CPU); the shape above has one answer, which is this. Any other type
    goes to Django (tests/app/test_formdata.py compares the two on generated types)."""

    def _set_content_type_params(self, meta: dict[str, Any]) -> None:
        match = _PLAIN_MULTIPART.fullmatch(meta.get("CONTENT_TYPE", ""))
        if match is None:
            super()._set_content_type_params(meta)
            return
        self.content_type, self.content_params = "multipart/form-data", {"boundary": match.group(1)}
