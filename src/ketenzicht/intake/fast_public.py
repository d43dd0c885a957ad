"""The public form's common case without the whole request machinery (issue 19, item 1).

A plainly filled-in report sent to `POST /melden/` by a browser without a session is answered
here, before the middleware that concern logged-in people (sessions, login, second factor,
lockout, messages, htmx); everything else steps aside (returns None) and goes through the
whole stack as before. Measured in process, the Django form (its fields are deep-copied per
form), the ORM's compilation of the municipality and theme lookups, the rendering of the
confirmation page and Django's streaming multipart parser (the form is multipart for its
photo field; core/formdata.py reads a browser's form without a file in one pass) took about
three quarters of a report's CPU; the write is the same as on screen
(public_services.public_report_submit).

What stays the same, by the same code where it decides something:
- the checks: the CSRF middleware's own view check, the policy (`public.report`), the rate
  limit of `public_report` (counted once, whichever path answers: `ratelimit.mark_counted`);
- the headers: the same middleware shape them (security, language, CSRF cookie, frames, CSP),
  and the view's never-cache headers;
- what is stored: the form's cleaned data, redone here for the shape a browser sends for a
  plain report (text, the situations, a municipality exactly as the list offers it, an ISO
  date, the checkbox). Anything else — a photo, a contact address, a honeypot, a language
  switch, a name typed differently, an unknown field — goes to the full path.
  tests/app/test_intake_fast_public.py holds the two to the same result on generated forms:
  whatever this accepts, PublicReportForm accepts with the same cleaned data;
- the page: the confirmation template, rendered once per language, look, path and answer
  (acute danger or not) with stand-ins for the receipt code and the CSRF token, which are
  put in per request. The test compares the pages of both paths.

Off with INTAKE_FAST_PATH=0, as the partner API's fast path.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import date
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from django.utils.http import http_date

from ketenzicht.accounts.models import Municipality, Organisation, OrganisationKind, Region
from ketenzicht.core import counters, csrf, formdata, policy, prepared, ratelimit
from ketenzicht.core.errors import ServiceError
from ketenzicht.core.rows import KeptByRow, columns, from_row, with_related
from ketenzicht.intake import public_services as services
from ketenzicht.norms.models import RegionNorms
from ketenzicht.themes.models import Theme

PATH = "/melden/"
SCOPE = "public_report"
SITUATIONS = frozenset({"arbeid", "seksueel", "crimineel", "onbekend"})
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Every field the form page sends; single-valued except the situations. Contact details, the
# honeypot and the photo field must be empty here (the full path mails, fools bots, stores
# files); a browser sends an empty photo field as a part without a file name, which Django
# reads as an empty text field.
SINGLE = ("csrfmiddlewaretoken", "form_key", "description", "municipality", "location_address", "location_description",
          "observed_on", "acute_danger", "contact_email", "contact_phone", "website", "actie", "photos")
MUST_BE_EMPTY = ("contact_email", "contact_phone", "website", "photos")
FIELDS = frozenset((*SINGLE, "situations"))
MAX_BODY = 64 * 1024


class Declined(Exception):
    """The fast path stepped aside; the request goes through the whole stack."""


# --- the form, as PublicReportForm would clean it ------------------------------------------------
@cache
def _limits() -> dict[str, tuple[int, bool]]:
    """(max_length, required) of the text fields, read from the form itself."""
    from ketenzicht.intake.public_forms import PublicReportForm

    fields = PublicReportForm.base_fields
    names = ("description", "municipality", "location_address", "location_description")
    return {name: (fields[name].max_length, fields[name].required) for name in names}


def cleaned_form(data: Any, today: date, municipality: Callable[[str], Municipality | None]) -> dict[str, Any] | None:
    """The form's cleaned data for a plainly filled-in report; None when the full path must judge.

    `data`: the POST QueryDict. `municipality`: the lookup of a name exactly as typed.
    """
    if not set(data) <= FIELDS or any(len(data.getlist(name)) > 1 for name in SINGLE):
        return None
    if data.get("actie", "versturen") != "versturen" or any(data.get(name, "") for name in MUST_BE_EMPTY):
        return None
    out: dict[str, Any] = {}
    for name, (max_length, required) in _limits().items():
        value = data.get(name, "").strip()
        if (required and not value) or len(value) > max_length or "\x00" in value:
            return None
        out[name] = value
    if not (out["location_address"] or out["location_description"]):
        return None
    situations = data.getlist("situations")
    if not all(s in SITUATIONS for s in situations):
        return None
    out["situations"] = situations
    observed = data.get("observed_on", "").strip()
    if observed:
        if not ISO_DATE.fullmatch(observed):
            return None
        try:
            out["observed_on"] = date.fromisoformat(observed)
        except ValueError:
            return None
        if out["observed_on"] > today:
            return None
    else:
        out["observed_on"] = None
    danger = data.get("acute_danger")
    if danger not in (None, "on"):
        return None
    out["acute_danger"] = danger == "on"
    key = data.get("form_key", "").strip()
    if not services.is_form_key(key):
        return None
    out["form_key"] = key
    found = municipality(out["municipality"])
    if found is None or found.region_id is None:
        return None
    out["municipality"] = found
    return out


# --- the municipality by name, with its region, norms' digest and theme, in one query ----------
@cache
def _municipality_sql() -> tuple[list[str], list[str], list[str], str]:
    m_names, m_cols = columns(Municipality, "m")
    r_names, r_cols = columns(Region, "r")
    t_names, t_cols = columns(Theme, "t")
    # The theme as themes.selectors.theme_for_municipality picks it: of the municipality's own
    # organisation (the gemeente), the first by id.
    theme_id = (
        f"(SELECT MIN(t2.id) FROM {Theme._meta.db_table} t2 JOIN {Organisation._meta.db_table} o "  # noqa: S608 - model columns only
        f"ON o.slug = t2.organisation_slug WHERE o.kind = '{OrganisationKind.GEMEENTE.value}' AND o.municipality_id = m.id)"
    )
    sql = (
        f"SELECT {m_cols}, {r_cols}, {t_cols}, (SELECT n.sha256 FROM {RegionNorms._meta.db_table} n WHERE n.slug = r.slug) "  # noqa: S608
        f"FROM {Municipality._meta.db_table} m LEFT JOIN {Region._meta.db_table} r ON r.id = m.region_id "
        f"LEFT JOIN {Theme._meta.db_table} t ON t.id = {theme_id} WHERE m.name = %s"
    )
    return m_names, r_names, t_names, sql


def municipality_by_name(name: str) -> Municipality | None:
    """The municipality named exactly so, as the public view reads it (region, norms' digest),
    with its theme already known (`themes.selectors.theme_for_municipality` takes it)."""
    row = prepared.fetchone(_municipality_sql()[-1], [name])
    return None if row is None else _municipality_of(row)


def municipality_counting(name: str, window: ratelimit.Window) -> tuple[Municipality | None, int]:
    """`municipality_by_name` and the count of the client's rate-limit window, in one statement
    (`counters.combinable()` only): the lookup reads, the counter's upsert rides along."""
    ctes, params = counters.increment_cte(window.key, window.ttl)
    row = prepared.fetchone(f"WITH {ctes} {_counting_select()}", [*params, name])
    return (None if row[1] is None else _municipality_of(row[1:])), int(row[0])


@cache
def _counting_select() -> str:
    """The lookup as one row whether or not the name is known, with the window's count first."""
    table = Municipality._meta.db_table
    lookup = _municipality_sql()[-1].replace(" WHERE m.name = %s", "")
    lookup = lookup.replace(f"FROM {table} m ", f"FROM (SELECT 1) one LEFT JOIN {table} m ON m.name = %s ")
    return lookup.replace("SELECT ", "SELECT (SELECT count FROM counted), ", 1)


def _build_municipality(row: Any) -> Municipality:
    m_names, r_names, t_names, _sql = _municipality_sql()
    n, r = len(m_names), len(r_names)
    municipality = from_row(Municipality, m_names, row[:n])
    with_related(municipality, "region", r_names, row[n : n + r])
    theme_values = row[n + r : n + r + len(t_names)]
    municipality.known_theme = from_row(Theme, t_names, theme_values) if theme_values[0] is not None else None
    municipality.norms_digest = row[-1]
    return municipality


# The same row gives the same (shared, read-only) instances: core/rows.KeptByRow.
_municipality_of = KeptByRow(_build_municipality)


# --- the confirmation page -----------------------------------------------------------------------
CODE_STAND_IN = "KZCODESTANDIN0000"
CSRF_STAND_IN = "KZCSRFSTANDIN0000"
_pages: dict[tuple[Any, ...], str] = {}
_pages_lock = threading.Lock()
MAX_PAGES = 2048  # languages × looks × paths × answers; beyond it, the oldest go


def _confirmation_page(request: HttpRequest, municipality: Municipality, *, code: str, acute_danger: bool, language: str) -> str:
    """public_views._confirmation's page, from a rendering kept per what it shows."""
    theme = municipality.known_theme
    # What the page shows of the theme (its stylesheet's and logo's addresses follow from these).
    look = None if theme is None else (theme.organisation_slug, theme.version, bool(theme.logo_svg), theme.name)
    key = (language, translation.get_language(), look, request.get_full_path(), acute_danger)
    page = _pages.get(key)
    if page is None:
        context = {"language_choices": settings.LANGUAGES, "code": CODE_STAND_IN, "acute_danger": acute_danger, "mail": False,
                   "csrf_token": CSRF_STAND_IN}
        page = render_to_string("intake/public/confirmation.html", context, request)
        with _pages_lock:  # threaded workers: one thread trims at a time
            while len(_pages) >= MAX_PAGES:
                _pages.pop(next(iter(_pages)))
            _pages[key] = page
    return page.replace(CODE_STAND_IN, escape(code)).replace(CSRF_STAND_IN, csrf.token_for(request))


# --- the request ---------------------------------------------------------------------------------
def submit(request: HttpRequest, csrf_check: Callable[[HttpRequest], Any]) -> HttpResponse | None:
    """The confirmation of a plainly filled-in report; None: the full path decides."""
    from ketenzicht.intake.public_views import _language

    # A browser sends the form as multipart (it has a photo field); a script may send it URL-encoded.
    kind = request.META.get("CONTENT_TYPE", "")
    if kind != "application/x-www-form-urlencoded" and not kind.startswith("multipart/form-data;"):
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY:
        return None
    # Read here unless the whole middleware ran first (the view's try): the CSRF middleware has
    # then let Django parse the form, and the body can no longer be read.
    if kind != "application/x-www-form-urlencoded" and not hasattr(request, "_post"):
        fields = formdata.parse(request.body, kind)
        if fields is None:
            return None  # a photo, or a shape a browser does not send: Django parses it
        # What Django's parser would have left (tests/app/test_formdata.py), read in one pass.
        request._post, request._files = fields, MultiValueDict()  # type: ignore[attr-defined]
    if csrf_check(request) is not None or request.FILES:
        return None  # the full path's refusal; a photo is stored and checked there
    request.user = AnonymousUser()
    if not policy.can(request.user, "public.report"):
        return None
    client = ratelimit.client_hash(request)
    window = ratelimit.window_of(SCOPE, client, *ratelimit.configured_rate(SCOPE))
    allowed: list[bool] = []

    def counting(name: str) -> Municipality | None:
        # The request is counted with the lookup of its municipality (one statement where the
        # database allows), once, whichever path answers it: the full path reads the decision.
        if counters.combinable():
            municipality, count = municipality_counting(name, window)
        else:
            municipality, count = municipality_by_name(name), counters.increment(window.key, window.ttl)
        decision = window.decide(count)
        allowed.append(ratelimit.record(request, SCOPE, client, decision))
        ratelimit.mark_counted(request, SCOPE, decision)
        return municipality

    data = cleaned_form(request.POST, timezone.localdate(), counting)
    if allowed and not allowed[0]:
        return None  # the full path's page that says when to try again
    if data is None:
        return None
    municipality = data["municipality"]
    request.theme_municipality = municipality  # type: ignore[attr-defined]
    language = _language()
    report = services.PublicReport(
        form_key=data["form_key"], municipality=municipality, description=data["description"],
        location_address=data["location_address"], location_description=data["location_description"],
        observed_on=data["observed_on"], forms=list(data["situations"]), acute_danger=data["acute_danger"],
        language=language,
    )
    try:
        # The status page's address goes only into the receipt mail, and a report taken here has
        # no contact address (MUST_BE_EMPTY): no mail, so the address is not worked out.
        receipt = services.public_report_submit(report=report, status_url="")
    except ServiceError:
        return None  # the full path says so on the form, with what was typed
    page = _confirmation_page(request, municipality, code=receipt.code, acute_danger=receipt.acute_danger, language=language)
    response = HttpResponse(page)
    _never_cache(response)
    return response


@cache
def _never_cache_control() -> str:
    response = HttpResponse()
    add_never_cache_headers(response)
    return response.headers["Cache-Control"]


_expires: list[Any] = [None, ""]  # (second, its HTTP date)


def _never_cache(response: HttpResponse) -> None:
    """`add_never_cache_headers`: the header it writes, built once, and Expires (now, to the
    second) once per second; measured 2 % of a report's CPU (the date through the email module)."""
    second = int(time.time())
    if _expires[0] != second:
        _expires[:] = [second, http_date(second)]
    response.headers["Expires"] = _expires[1]
    response.headers["Cache-Control"] = _never_cache_control()


def header_chain() -> Callable[[HttpRequest], HttpResponse]:
    """The fast answer in the middleware that shape a public page's answer: security headers,
    the language, the CSRF cookie (its view check runs in `submit`), frames and CSP. The others
    concern logged-in people or a session, which a request taken here does not have."""
    from django.middleware.clickjacking import XFrameOptionsMiddleware
    from django.middleware.common import CommonMiddleware
    from django.middleware.csrf import CsrfViewMiddleware
    from django.middleware.locale import LocaleMiddleware
    from django.middleware.security import SecurityMiddleware

    from ketenzicht.core.csp import CSPMiddleware
    from ketenzicht.intake import public_views

    def inner(request: HttpRequest) -> HttpResponse:
        response = submit(request, lambda r: csrf.process_view(r, public_views.report, (), {}))
        if response is None:
            request.kz_fast_declined = True  # type: ignore[attr-defined]  # the view need not try again
            raise Declined
        return response

    csrf = CsrfViewMiddleware(XFrameOptionsMiddleware(CSPMiddleware(inner)))
    return SecurityMiddleware(LocaleMiddleware(CommonMiddleware(csrf)))


def with_fast_report(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` (public_views.report), answering plain reports itself first when the request came
    through the whole middleware (the test client, a server without wsgi.Handler): the CSRF
    middleware has checked it already. Outside the policy and rate-limit decorators, so that a
    report stepped aside for is counted once."""

    @wraps(view)
    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not args and not kwargs and takes(request) and not getattr(request, "kz_fast_declined", False):
            response = submit(request, lambda r: None)
            if response is not None:
                return response
        return view(request, *args, **kwargs)

    return dispatch


def takes(request: HttpRequest) -> bool:
    """A POST of the form without a session or a message waiting: anything else needs the stack."""
    if request.method != "POST" or request.path_info != PATH or not settings.INTAKE_FAST_PATH:
        return False
    if request.META.get("QUERY_STRING"):
        return False
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    return all(name in allowed for name in request.COOKIES)
