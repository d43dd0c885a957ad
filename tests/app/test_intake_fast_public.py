"""The public form's fast path (intake/fast_public.py) gives what the full path gives (issue 19).

A plainly filled-in report from a browser without a session is answered before the middleware
that concern logged-in people; everything else goes through the whole stack. These tests hold
the two to the same result: the same cleaned data for any form the fast path accepts (generated
forms, valid and not), the same page, headers and stored rows for the same report, one count
against the rate limit whichever path answers, and the full path's answer for everything the
fast path steps aside for. Reports go to municipalities in two regions (Zoeterwoude in Den
Haag, Vlissingen in Zeeland-West-Brabant), in Dutch, English and Ukrainian.
"""

from __future__ import annotations

import contextlib
import io
import re
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import Attachment, Case, CaseEvent
from ketenzicht.intake import fast_public
from ketenzicht.intake.public_forms import PublicReportForm
from ketenzicht.themes.selectors import theme_for_municipality
from tests.support import Cast, through_production_handler

pytestmark = pytest.mark.django_db
URL = "/melden/"
OUTSIDE = "__outside__"  # replaced by a municipality outside every loaded region


def _key() -> str:
    return secrets.token_urlsafe(32)


def _report(**overrides: Any) -> dict[str, Any]:
    """What a browser sends for a plain report (empty fields included, unticked boxes left out)."""
    data = {
        "form_key": _key(), "description": "Veel mensen in een woning, busjes om vijf uur.", "situations": ["arbeid"],
        "municipality": "Zoeterwoude", "location_address": "Dorpsstraat 3", "location_description": "", "observed_on": "",
        "contact_email": "", "contact_phone": "", "website": "", "actie": "versturen",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- generated forms: whatever the fast path accepts, the form accepts the same ---------------
_odd_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "   ", "  met spaties  ", "Zoë\u00a0", "\tregel\n", "a\x00b", "x" * 101, "x" * 201, "x" * 301, "x" * 5001]),
)
_names = st.sampled_from(["Zoeterwoude", "Vlissingen", "zoeterwoude", " Vlissingen ", "Gemeente Zoeterwoude", "Nergenshuizen", OUTSIDE, ""])
_dates = st.one_of(
    st.just(""),
    st.dates(min_value=date(1950, 1, 1), max_value=date(2026, 1, 1)).map(date.isoformat),
    st.integers(-2, 2).map(lambda days: (timezone.localdate() + timedelta(days=days)).isoformat()),
    st.sampled_from(["10-01-2026", "2026-13-01", "2026-01-10T10:00", " 2026-01-10", "20260110", "gisteren"]),
)
_fields = {
    "description": _odd_text,
    "municipality": _names,
    "location_address": _odd_text,
    "location_description": _odd_text,
    "observed_on": _dates,
    "acute_danger": st.sampled_from([None, "on", "", "true", "false", "0", "ja"]),
    "situations": st.lists(st.sampled_from(["arbeid", "seksueel", "crimineel", "onbekend", "ARBEID", "geen"]), max_size=3),
    "form_key": st.sampled_from(["good", "", "kort", "good+space", "a" * 39, "b" * 65]),
    "website": st.sampled_from(["", "", "", "http://spam.example"]),
    "contact_email": st.sampled_from(["", "", "", "naam@voorbeeld.nl"]),
    "contact_phone": st.sampled_from(["", "", "", "06 12345678"]),
    "actie": st.sampled_from(["versturen", "versturen", "taal", None]),
    "extra": st.sampled_from([None, None, None, "iets"]),
    # A browser's empty photo field arrives as an empty text field; anything else is not a browser's.
    "photos": st.sampled_from([None, "", "", "foto.png"]),
}
# A plain report spoiled in one or two places: both the accepted and the refused side get examples.
_spoils = st.lists(st.one_of([st.tuples(st.just(name), values) for name, values in _fields.items()]), min_size=1, max_size=2).map(dict)
_forms = st.one_of(
    _spoils,
    st.fixed_dictionaries({"municipality": _names, "observed_on": _dates}),
    st.fixed_dictionaries({}, optional=_fields),
    st.fixed_dictionaries({name: s for name, s in _fields.items() if name in ("description", "municipality", "observed_on", "situations")}),
)


def _query(fields: dict[str, Any], outside: str) -> MultiValueDict:
    base = {k: v for k, v in _report(municipality="Zoeterwoude").items()}
    for name, value in fields.items():
        if value is None:
            base.pop(name, None)
        elif name == "form_key":
            base[name] = {"good": _key(), "good+space": f" {_key()} "}.get(value, value)
        elif name == "municipality" and value == OUTSIDE:
            base[name] = outside
        else:
            base[name] = value
    return MultiValueDict({k: (v if isinstance(v, list) else [v]) for k, v in base.items()})


@hsettings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(fields=_forms)
def test_what_the_fast_path_accepts_the_form_accepts_the_same(cast: Cast, fields: dict[str, Any]) -> None:
    outside = Municipality.objects.filter(region__isnull=True).exclude(name__contains="'").order_by("name").first().name
    data = _query(fields, outside)
    now = timezone.now()
    fast = fast_public.cleaned_form(data, timezone.localdate(now), fast_public.municipality_by_name)
    if fast is None:
        return  # the full path judges it
    form = PublicReportForm(data, MultiValueDict(), now=now)
    assert form.is_valid(), form.errors
    assert not form.honeypot_filled() and data.get("actie", "versturen") == "versturen"
    cleaned = form.cleaned_data
    assert fast["municipality"].pk == cleaned["municipality"].pk and fast["municipality"].region_id == cleaned["municipality"].region_id
    for name in ("description", "location_address", "location_description", "observed_on", "situations", "acute_danger", "form_key"):
        assert fast[name] == cleaned[name], name
    assert cleaned["contact_email"] == cleaned["contact_phone"] == "" and not cleaned["photos"]


def test_the_fast_path_takes_the_reports_browsers_send(cast: Cast) -> None:
    """Not vacuous: the plain shapes are taken (so the property above compares real cases)."""
    today = timezone.localdate()
    plain = [
        _report(),
        _report(municipality="Vlissingen", situations=["seksueel", "crimineel"], acute_danger="on"),
        _report(location_address="", location_description="De kas achter het tankstation", observed_on=today.isoformat()),
        _report(situations=None, actie=None),
    ]
    for fields in plain:
        data = MultiValueDict({k: (v if isinstance(v, list) else [v]) for k, v in fields.items()})
        assert fast_public.cleaned_form(data, today, fast_public.municipality_by_name) is not None, fields


@pytest.mark.parametrize("name", ["Zoeterwoude", "Vlissingen", "Lisse"])
def test_the_municipality_is_read_with_its_theme_in_one_query(cast: Cast, name: str, django_assert_num_queries: Any) -> None:
    expected = Municipality.objects.select_related("region").get(name=name)
    with django_assert_num_queries(1):
        found = fast_public.municipality_by_name(name)
        assert found is not None and found.region == expected.region
        theme = theme_for_municipality(found)  # taken from the row, no query of its own
    assert theme == theme_for_municipality(expected)
    assert fast_public.municipality_by_name(name.lower()) is None  # typed otherwise: the full path matches it


def test_an_unchanged_municipality_is_built_once_and_a_changed_one_at_once_anew(cast: Cast) -> None:
    """The row is read on every report and compared whole (core/rows.KeptByRow): a municipality
    moved to another region, or its theme changed, is taken as it is now, by name and by code."""
    from ketenzicht.intake import partner
    from ketenzicht.themes.models import Theme

    first, by_code = fast_public.municipality_by_name("Zoeterwoude"), partner.municipality_by_code(cast.zoeterwoude.cbs_code)
    assert fast_public.municipality_by_name("Zoeterwoude") is first and partner.municipality_by_code(cast.zoeterwoude.cbs_code) is by_code
    own_region, other_region = first.region, cast.vlissingen.region
    assert own_region != other_region
    Municipality.objects.filter(pk=cast.zoeterwoude.pk).update(region=other_region)
    moved, moved_by_code = fast_public.municipality_by_name("Zoeterwoude"), partner.municipality_by_code(cast.zoeterwoude.cbs_code)
    assert moved.region == moved_by_code.region == other_region and first.region == own_region
    theme = theme_for_municipality(moved)
    assert theme is not None
    Theme.objects.filter(pk=theme.pk).update(version=theme.version[:10] + "-nieuw", name="Nieuw")
    changed = theme_for_municipality(fast_public.municipality_by_name("Zoeterwoude"))
    assert (changed.version, changed.name) == (theme.version[:10] + "-nieuw", "Nieuw")
    assert fast_public.municipality_by_name("Vlissingen").region == other_region  # the other region's own, untouched


# --- through the production WSGI handler, as gunicorn calls it --------------------------------
def _csrf() -> tuple[str, str]:
    """The CSRF cookie and form token of one rendered form, as a browser holds them."""
    client = Client()
    page = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client.cookies["csrftoken"].value, token


BOUNDARY = "----KetenzichtTest7MA4YWxkTrZu0gW"


def _as_browser(fields: dict[str, Any]) -> bytes:
    """The form as a browser encodes it: multipart, the empty photo field a part without a file."""
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, values in fields.items() for value in (values if isinstance(values, list) else [values])]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n\r\n")
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def _through_wsgi(fields: dict[str, Any], *, language: str | None = None, cookies: str = "", files: dict[str, Any] | None = None,
                  token: str | None = None, browser: bool = False) -> tuple[int, dict[str, str], str]:
    cookie, form_token = _csrf()
    jar = f"csrftoken={cookie}" + (f"; django_language={language}" if language else "") + cookies
    data = {**fields, **(files or {}), "csrfmiddlewaretoken": token or form_token}
    if browser:
        kind = f"multipart/form-data; boundary={BOUNDARY}"
        environ = RequestFactory().post(URL, _as_browser(data), content_type=kind, HTTP_COOKIE=jar).environ
    else:
        environ = RequestFactory().post(URL, data, HTTP_COOKIE=jar).environ
    status, headers, content = through_production_handler(environ)
    return status, headers, content.decode()


@pytest.fixture
def answered(monkeypatch: Any) -> list[bool]:
    """Per report, whether the fast path answered it."""
    seen: list[bool] = []
    submit = fast_public.submit

    def spy(*args: Any, **kwargs: Any) -> Any:
        response = submit(*args, **kwargs)
        seen.append(response is not None)
        return response

    monkeypatch.setattr(fast_public, "submit", spy)
    return seen


def _code(page: str) -> str:
    return re.search(r'data-testid="receipt-code">([0-9A-Z-]+)<', page).group(1)


def _neutral(page: str) -> str:
    page = page.replace(_code(page), "CODE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="TOKEN"', page)


STORED = ("municipality_id", "channel", "state", "description", "location_address", "location_description", "observed_on", "forms",
          "acute_danger", "reporter_language", "reporter_contact_email", "reporter_contact_phone", "reporter_id", "first_assessment_due")


@pytest.mark.parametrize(("name", "language", "danger"), [("Zoeterwoude", None, None), ("Vlissingen", "en", "on"), ("Vlissingen", "uk", None)])
def test_both_paths_answer_with_the_same_page_headers_and_rows(
    cast: Cast, settings: Any, answered: list[bool], name: str, language: str | None, danger: str | None,
) -> None:
    fields = _report(municipality=name, acute_danger=danger)
    fast_status, fast_headers, fast_page = _through_wsgi(fields, language=language)
    settings.INTAKE_FAST_PATH = False
    full_status, full_headers, full_page = _through_wsgi({**fields, "form_key": _key()}, language=language)
    assert answered == [True] and fast_status == full_status == 200
    assert _neutral(fast_page) == _neutral(full_page)
    assert ('href="tel:112"' in fast_page) is bool(danger) and f'lang="{language or "nl"}"' in fast_page
    assert set(fast_headers) == set(full_headers)
    for header in set(full_headers) - {"Set-Cookie", "Expires"}:  # Expires: the moment of answering
        assert fast_headers[header] == full_headers[header], header
    fast_case, full_case = Case.objects.filter(municipality__name=name).order_by("created_at")
    assert [getattr(fast_case, f) for f in STORED] == [getattr(full_case, f) for f in STORED]
    for case in (fast_case, full_case):
        assert list(CaseEvent.objects.filter(case=case).values_list("kind", "to_state")) == [("state", "ontvangen")] or CaseEvent.objects.filter(case=case).count() == 1
        assert AuditEvent.objects.filter(object_id=str(case.pk)).count() == 1
    assert fast_case.receipt_hash and fast_case.receipt_hash != full_case.receipt_hash
    assert not Case.objects.exclude(municipality__name=name).exists()  # the other region's municipality got nothing


def test_a_form_as_a_browser_sends_it_takes_the_fast_path(cast: Cast, answered: list[bool]) -> None:
    status, _headers, page = _through_wsgi(_report(municipality="Vlissingen"), browser=True)
    assert status == 200 and _code(page) and answered == [True]
    assert Case.objects.get().municipality == cast.vlissingen and not Attachment.objects.exists()


def test_a_repeat_of_the_same_form_gives_the_same_code_and_one_case(cast: Cast, answered: list[bool]) -> None:
    fields = _report()
    first, second = _through_wsgi(fields), _through_wsgi(fields)
    assert first[0] == second[0] == 200 and _code(first[2]) == _code(second[2])
    assert answered == [True, True] and Case.objects.count() == 1


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "foto.png"
    return buffer


def test_what_the_fast_path_steps_aside_for_is_answered_by_the_full_path(cast: Cast, answered: list[bool]) -> None:
    # A photo: stored with the report.
    status, _headers, page = _through_wsgi(_report(), files={"photos": _png()})
    assert status == 200 and Attachment.objects.filter(case__in=Case.objects.all()).count() == 1
    # Typed otherwise than the list: the form recognises it.
    status, _headers, page = _through_wsgi(_report(municipality="  gemeente VLISSINGEN "))
    assert status == 200 and Case.objects.filter(municipality=cast.vlissingen).count() == 1
    # Outside every loaded region: told where to go, nothing stored; the typed text is kept.
    outside = Municipality.objects.filter(region__isnull=True).exclude(name__contains="'").order_by("name").first()
    status, _headers, page = _through_wsgi(_report(municipality=outside.name, description="Tekst die blijft staan."))
    assert status == 400 and outside.name in page and "Tekst die blijft staan." in page
    # A bot filling the hidden field: a confirmation, nothing stored.
    status, _headers, page = _through_wsgi(_report(website="http://spam.example"))
    assert status == 200 and _code(page)
    # A language switch: the form again, in English, nothing stored.
    status, _headers, page = _through_wsgi(_report(actie="taal", taal="en"))
    assert status == 200 and 'lang="en"' in page
    # A wrong CSRF token: the full stack's refusal.
    status, _headers, page = _through_wsgi(_report(), token="x" * 64)
    assert status == 403
    # Someone logged in (a session): the whole stack, with their session.
    status, _headers, page = _through_wsgi(_report(description="Met sessie."), cookies="; sessionid=onbekend")
    assert status == 200 and Case.objects.filter(description="Met sessie.").count() == 1
    assert answered == [False] * 6 and Case.objects.count() == 3  # a request with a session never reaches it


def test_the_rate_limit_counts_a_report_once_whichever_path_answers(cast: Cast, settings: Any, answered: list[bool]) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_report": "2/hour"},
    }
    assert _through_wsgi(_report())[0] == 200  # the fast path
    # Counted by the fast path, then answered by the full path: the second of two, not a third.
    assert _through_wsgi(_report(municipality="zoeterwoude"))[0] == 200
    status, headers, page = _through_wsgi(_report())
    assert status == 429 and int(headers["Retry-After"]) > 0
    assert answered == [True, False, False] and Case.objects.count() == 2


def test_a_failure_in_the_fast_path_is_answered_by_the_full_stack(cast: Cast, monkeypatch: Any, caplog: Any) -> None:
    """Stored, then the page failed: the full stack answers with the same code (the form key
    makes the retry a replay), and the log names the kind of failure, not the content."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Veel mensen in een woning")

    monkeypatch.setattr(fast_public, "_confirmation_page", broken)
    status, _headers, page = _through_wsgi(_report())
    assert status == 200 and _code(page)
    assert Case.objects.count() == 1
    assert "fast intake failed (RuntimeError)" in caplog.text and "Veel mensen" not in caplog.text


def test_through_the_whole_middleware_plain_reports_take_the_fast_path_too(cast: Cast, answered: list[bool]) -> None:
    """The test client and a server without wsgi.Handler: the view answers plain reports itself,
    also when the CSRF middleware has had Django parse the multipart form already (a browser)."""
    client = Client()
    response = client.post(URL, _report(municipality="Vlissingen"))
    assert response.status_code == 200 and _code(response.content.decode())
    strict = Client(enforce_csrf_checks=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', strict.get(URL).content.decode()).group(1)
    response = strict.post(URL, {**_report(municipality="Zoeterwoude"), "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and _code(response.content.decode())
    assert answered == [True, True]
    assert sorted(Case.objects.values_list("municipality__name", flat=True)) == ["Vlissingen", "Zoeterwoude"]



@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_count_rides_along_with_the_lookup(region: None, django_assert_num_queries: Any) -> None:
    """Served, a report is not inside a transaction: on PostgreSQL the window's count and the
    municipality are one statement; elsewhere (SQLite, Redis) the counter has its own. Either way
    the same result."""
    from ketenzicht.core import counters, ratelimit

    window = ratelimit.window_of("public_report", "test-client", 3, 60)
    expected = fast_public.municipality_by_name("Vlissingen")
    assert expected is not None and expected.region_id is not None
    combined = counters.combinable()
    assert combined is (connection.vendor == "postgresql")
    counts = []
    for name in ("Vlissingen", "Zoeterwoude", "Nergenshuizen"):
        with django_assert_num_queries(1) if combined else contextlib.nullcontext():
            if combined:
                municipality, count = fast_public.municipality_counting(name, window)
            else:
                municipality, count = fast_public.municipality_by_name(name), counters.increment(window.key, window.ttl)
        counts.append((municipality.name if municipality else None, count, window.decide(count).allowed))
    assert counts == [("Vlissingen", 1, True), ("Zoeterwoude", 2, True), (None, 3, True)]
    again = fast_public.municipality_counting("Vlissingen", window)[0] if combined else fast_public.municipality_by_name("Vlissingen")
    assert (again.pk, again.region_id, again.norms_digest, again.known_theme) == (
        expected.pk, expected.region_id, expected.norms_digest, expected.known_theme)
    assert counters.peek(window.key) == (4 if combined else 3)


def test_kept_rows_stay_within_their_size_and_keep_the_newest() -> None:
    from ketenzicht.core.rows import KeptByRow

    built: list[tuple[int, str]] = []

    def build(row: tuple[int, str]) -> tuple[int, str]:
        built.append(row)
        return row

    kept = KeptByRow(build, size=3)
    for key in range(5):
        kept((key, "a"))
    assert len(kept._kept) == 3 and set(kept._kept) == {2, 3, 4}
    assert kept((4, "a")) is built[-1] and len(built) == 5  # a hit builds nothing
    kept((4, "b"))  # the same key, another row: built anew
    assert built[-1] == (4, "b") and len(built) == 6
