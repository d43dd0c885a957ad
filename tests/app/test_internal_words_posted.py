"""No internal words on the pages a form shows again after bad input, nor in the PDFs (issue 16
item 7): the GET pages and files are in test_internal_words.py; these are the other half."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.app.test_internal_words import (
    _context,
    allowed_on_side,
    findings,
    internal_patterns,
    page_url,
    readable_text,
)
from tests.app.test_permission_matrix import ANON
from tests.app.test_tagged_pdfs import PDF_PAGES
from tests.pdf_text import pdf_text
from tests.support import Cast, login

# Each main form with input it must refuse: who sends it, where, and what they typed.
BAD_INPUT: dict[str, tuple[str | None, str, Any]] = {
    "public report": (None, "/melden/", {"description": "", "municipality": "Nergensdorp", "location_address": "Dorpsstraat 3", "contact_email": "geen adres"}),
    "internal report": ("chantal", "/signalen/nieuw/", {"description": "", "location_address": "Dorpsstraat 3", "kvk_number": "123"}),
    "case edit": ("anouk", "cases:enrich", {"location_address": "Dorpsstraat 3", "kvk_number": "12"}),
    "person in the case": ("anouk", "cases:add_subject", {"role": "slachtoffer", "name": "Een naam", "birth_date": "31-31-1990"}),
    "user invite": ("hanna", "/beheer/gebruikers/", {"first_name": "Lotte", "last_name": "", "email": "geen adres", "roles": ["aandachtsfunctionaris"]}),
}


def _url(target: str, ctx: dict[str, Any]) -> str:
    return target if target.startswith("/") else reverse(target, kwargs={"case_id": ctx["case"].pk})


@pytest.mark.parametrize("form", sorted(BAD_INPUT))
def test_a_refused_form_shows_no_internal_words(form: str, cast: Cast) -> None:
    who, target, data = BAD_INPUT[form]
    ctx = _context(cast)
    client = Client() if who is None else login(Client(), cast.members()[who])
    response = client.post(_url(target, ctx), data)
    # Refused and shown again (the internal report form answers 200, the others 400), what was typed kept.
    assert response.status_code in (200, 400) and 'aria-invalid="true"' in response.content.decode(), form
    assert any(typed in response.content.decode() for typed in ("Dorpsstraat 3", "Lotte", "Een naam")), f"{form}: input lost"
    assert findings(readable_text(response), internal_patterns()) == []


def test_the_refused_audit_filter_shows_no_internal_words(cast: Cast) -> None:
    response = login(Client(), cast.gijs).get("/audit/", {"van": "2026-03-31", "tot": "2026-03-01", "signaal": "K", "gebruiker": "x"})
    assert response.status_code == 400
    assert findings(readable_text(response), internal_patterns()) == []


def _pdf(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", PDF_PAGES)
def test_no_internal_words_in_the_pdf(name: str, cast: Cast) -> None:
    url = page_url(name, _context(cast))
    response = login(Client(), cast.members()[sorted(allowed_on_side(name) - {ANON})[0]]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
    text = pdf_text(_pdf(response))
    assert len(text) > 100, f"{url}: no text read from the PDF"
    assert findings(text, internal_patterns()) == []


def test_no_internal_words_in_the_board_report(cast: Cast) -> None:
    from django.utils import timezone

    from ketenzicht.domain.programme import ReportPeriod
    from ketenzicht.programme import services

    report = services.board_report_generate(actor=cast.anouk, area=cast.zoeterwoude, period=ReportPeriod(timezone.localdate().year, 1))
    text = pdf_text(bytes(report.pdf))
    assert "Zoeterwoude" in text
    assert findings(text, internal_patterns()) == []


def test_the_pdf_reader_finds_what_is_written(region: None) -> None:
    from weasyprint import HTML

    data = HTML(string="<html lang='nl'><title>T</title><p>Zie (seed 001 bijlage 1) — <b>behandelaar</b> anouk</p></html>").write_pdf(pdf_variant="pdf/ua-1")
    text = pdf_text(data)
    assert "behandelaar" in text and "Zie (seed 001 bijlage 1)" in text
    assert findings(text, internal_patterns())
