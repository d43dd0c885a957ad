"""No internal words on any page (issue 16 item 7): every page of the permission matrix, as every
member of the cast who may open it sees it, and the files it offers (CSV, Excel).

What counts as internal is derived from the code where it can be (field names of the models,
choice codes, usernames of the cast, slugs in the database) and listed by hand where it cannot
(seed references, "je", English strings, date patterns other than the one Dutch format). The
API and the OpenAPI document are machine contracts with codes by design and are not pages.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.app import matrix_support as m
from tests.app.test_permission_matrix import ANON, MATRIX, _expected
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast, login, report_signal

# Not pages: the API's JSON and its schema, the theme's CSS and logo, the health check.
NOT_PAGES = {"openapi", "themes:css", "themes:logo", "healthz"}
NOT_PAGES |= {name for name in MATRIX if name.startswith("api-")}
PAGES = sorted(name for name, row in MATRIX.items() if row.method == "GET" and name not in NOT_PAGES)
# The pages are read on the side of eenheid Den Haag (the matrix itself checks both regions).
SIDE = m.DEN_HAAG

# Every cast member of both regions.
USERNAMES = sorted({who for side in m.SIDES for who in side.people.values()})

# Written by hand: what the code cannot tell.
FIXED: list[tuple[str, re.Pattern[str]]] = [
    ("seed reference", re.compile(r"\bseed\b|\bbijlage \d+\)", re.I)),
    ("work note", re.compile(r"\b(TODO|FIXME|XXX)\b")),
    ("je/jij instead of u", re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.I)),
    # A count with both forms ("1 signaal/signalen", "3 melding(en)"); "vorm(en)" in a question is Dutch.
    ("unchosen plural", re.compile(r"\bsigna(al|len)/signa(al|len)\b|\b\d+\s+\w+\((s|en)\)")),
    ("English", re.compile(r"This field is required|Enter a valid|Please (enter|correct)|Invalid token|\bSubmit\b|\bCancel\b|\bUsername\b")),
    ("a date not in the one Dutch format", re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}-\d{1,2}-\d{4}\b|\b\d{1,2} (jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.? \d{4}\b")),
    # Codes of organisation kinds and audit object types that have a Dutch name of their own.
    ("internal code", re.compile(r"\b(kmar|nla|riec|odwh|heit|case|subject|attachment|sitting|referral|audittrail\.\w+)\b")),
]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def _project_field_names() -> set[str]:
    """Field names with an underscore (a single word may be Dutch text: naam, status …)."""
    names: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("ketenzicht."):
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if "_" in name.strip("_"):
                names.add(name)
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    names.add(value)
    return names


def _slugs() -> set[str]:
    from ketenzicht.accounts.models import District, Organisation, Region

    found = set()
    for model in (Organisation, Region, District):
        found |= {slug for slug in model.objects.values_list("slug", flat=True) if "-" in slug}
    return found


def internal_patterns() -> list[tuple[str, re.Pattern[str]]]:
    words = [
        ("field name or code", _project_field_names()),
        ("slug", _slugs()),
    ]
    derived = [(kind, re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, values), key=len, reverse=True)) + r")(?![\w-])")) for kind, values in words]
    usernames = ("username", re.compile(r"(?<![\w@.])(" + "|".join(USERNAMES) + r")(?![\w@])"))
    return [*FIXED, *derived, usernames]


class _Text(HTMLParser):
    """The text a person reads: content outside script and style, and the attributes read aloud."""

    READ = {"title", "aria-label", "placeholder", "alt", "aria-description"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in self.READ or (tag == "input" and name == "value" and ("type", "submit") in attrs)):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def readable_text(response: Any) -> str:
    kind = response.get("Content-Type", "")
    body = response.content if not getattr(response, "streaming", False) else b"".join(response.streaming_content)
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(" | ".join(str(c) for c in row if c is not None) for ws in book.worksheets for row in ws.iter_rows(values_only=True))
    if "text/csv" in kind:
        return "\n".join(" | ".join(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    if "html" in kind:
        parser = _Text()
        parser.feed(body.decode())
        return " ".join(parser.parts)
    return ""  # PDFs and other files: not read here


def findings(text: str, patterns: Iterable[tuple[str, re.Pattern[str]]]) -> list[str]:
    text = EMAIL.sub(" ", text)
    found = []
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            start = max(match.start() - 40, 0)
            found.append(f"{kind}: {match.group(0)!r} in …{' '.join(text[start:match.end() + 40].split())}…")
    return found


def _context(cast: Cast) -> dict[str, Any]:
    """The matrix's context on the Den Haag side: its signal of Zoeterwoude, reported by chantal."""
    return {"cast": cast, "side": SIDE, "case": m.base_case(cast, SIDE)}


def page_url(name: str, ctx: dict[str, Any]) -> str:
    row = MATRIX[name]
    return reverse(name.split("#")[0], kwargs=row.kwargs(ctx) if row.kwargs is not None else {})


def allowed_on_side(name: str) -> set[str]:
    """Who of the Den Haag side may open the page (and anonymous visitors, where they may)."""
    return _expected(MATRIX[name], (SIDE,))


@pytest.mark.parametrize("name", PAGES)
def test_no_internal_words_on_the_page(name: str, cast: Cast) -> None:
    allowed = allowed_on_side(name)
    url = page_url(name, _context(cast))
    patterns = internal_patterns()
    members = cast.members()
    problems = []
    for who in sorted(allowed):
        client = Client()
        if who != ANON:
            login(client, members[who])
        response = client.get(url, follow=True)
        assert response.status_code < 500, f"{who} GET {url} → {response.status_code}"
        problems += [f"{who}: {p}" for p in findings(readable_text(response), patterns)]
    assert problems == [], f"GET {url}\n" + "\n".join(problems)


def test_the_check_can_fail(region: None) -> None:
    """Each kind of internal word is found in a sentence that carries it."""
    patterns = internal_patterns()
    for sentence in (
        "Zie (seed 001 bijlage 1)", "Gewijzigd: location_address", "Behandelaar: anouk", "Doorgestuurd naar kmar",
        "Heb je dit gezien?", "1 signaal/signalen", "This field is required.", "Gemeld op 2026-12-06", "6 dec 2026",
    ):
        assert findings(sentence, patterns), sentence
    assert findings("Organisatie: gemeente-zoeterwoude", internal_patterns()) or not _slugs()
    assert findings("Anouk Test, anouk@example.test, 6 december 2026 14:05", patterns) == []


def _mail_text(message: Any) -> str:
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            content = part.get_content()
            if part.get_content_subtype() == "html":
                parser = _Text()
                parser.feed(content)
                content = " ".join(parser.parts)
            parts.append(content)
    return "\n".join(parts)


def test_no_internal_words_in_the_mails(cast: Cast, smtp_server: Any, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    """The mails a person gets over real SMTP: an invitation, a new and an acute signal, the reminder run."""
    from django.utils import timezone

    from ketenzicht.meetings.reminders import reminders_send

    with django_capture_on_commit_callbacks(execute=True):
        login(Client(), cast.hanna).post(
            "/beheer/gebruikers/",
            {"first_name": "Lotte", "last_name": "de Vries", "email": "lotte@example.test", "organisation": cast.anouk.organisation_id, "roles": ["aandachtsfunctionaris"]},
        )
        report_signal(cast.chantal, cast.zoeterwoude)
        report_signal(cast.chantal, cast.zoeterwoude, acute_danger=True)
    reminders_send(timezone.localdate())
    assert len(smtp_server.messages) >= 3
    patterns = internal_patterns()
    problems = [f"{m['Subject']}: {p}" for m in smtp_server.messages for p in findings(_mail_text(m), patterns)]
    assert problems == []
