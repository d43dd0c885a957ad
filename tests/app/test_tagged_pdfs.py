"""Every PDF the product hands out is tagged (issue 16 item 7: WeasyPrint's PDF/UA option).

The PDFs are fetched as a user of the permission matrix would, and read at the PDF level: the
catalogue has a structure tree, says it is marked, and names the document's language.
"""

from __future__ import annotations

import re
import zlib

import pytest
from django.test import Client

from tests.app.test_internal_words import _context, allowed_on_side, page_url
from tests.app.test_permission_matrix import ANON
from tests.support import Cast, login

PDF_PAGES = ["routing:referral_pdf", "meetings:agenda_pdf", "meetings:minutes_pdf", "monitor:report"]


def pdf_objects(data: bytes) -> bytes:
    """The PDF with its compressed streams (object streams hold the catalogue) inflated."""
    parts = [data]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


@pytest.mark.parametrize("name", PDF_PAGES)
def test_the_pdf_is_tagged(name: str, cast: Cast) -> None:
    url = page_url(name, _context(cast))
    response = login(Client(), cast.members()[sorted(allowed_on_side(name) - {ANON})[0]]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
    body = pdf_objects(b"".join(response.streaming_content) if response.streaming else response.content)
    assert b"/StructTreeRoot" in body, f"{url}: no structure tree"
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", body), f"{url}: not marked"
    assert b"/Lang" in body, f"{url}: no document language"


def test_the_board_report_is_tagged(cast: Cast) -> None:
    """The stored board report (programme:report_download hands out what was generated)."""
    from django.utils import timezone

    from ketenzicht.domain.programme import ReportPeriod
    from ketenzicht.programme import services

    report = services.board_report_generate(actor=cast.anouk, area=cast.zoeterwoude, period=ReportPeriod(timezone.localdate().year, 1))
    body = pdf_objects(bytes(report.pdf))
    assert b"/StructTreeRoot" in body and re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", body)


def test_the_check_sees_an_untagged_pdf() -> None:
    from weasyprint import HTML

    plain = pdf_objects(HTML(string="<html lang='nl'><title>T</title><p>x</p></html>").write_pdf())
    assert b"/StructTreeRoot" not in plain
