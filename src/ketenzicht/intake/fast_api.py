"""The partner intake's common case without DRF's request machinery (issue 19, item 1).

`POST /api/v1/signalen` is the one endpoint whose volume is set by other systems: a partner's
batch, a migration, a reconnecting queue. Measured in process, DRF's dispatch, token
authentication, throttle, parser and serializer took about half of a request's CPU; the
writes themselves are the same as on screen (cases.services.case_create).

This module answers the request that is plainly fine, with the same answer, the same stored
rows and the same checks, and steps aside (returns None) for everything else:
- the checks run in the same order and by the same code where they decide something: the
  policy module decides who may deliver (`api.signal.create`), ratelimit.hit counts the request,
  and the DRF view's own service (partner.partner_signal_submit) stores it exactly once and
  answers with the same serializer and headers;
- what DRF's serializer would do with the body is redone here for the shapes a partner
  actually sends (strings, choices, lists, booleans, ISO dates); anything else (a number
  where text belongs, "true" for true, a missing field, an unknown municipality) goes to the
  full path, which answers it with its problem+json. tests/app/test_intake_fast_api.py holds
  the two to the same result on generated bodies: whatever this accepts, the serializer
  accepts with the same validated data.
- a request counted against the rate limit here and then handed on is not counted twice
  (`ratelimit.mark_counted`, read by ratelimit.ClientRateThrottle);
- on PostgreSQL outside a transaction (served), the account, the municipality and the count of
  the account's window are read in one statement (`account_and_municipality_counting`): a
  delivery is two round trips, that one and the write.

Off with INTAKE_FAST_PATH=0 (settings): every request then takes the full path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer

from ketenzicht.accounts.models import Municipality, Organisation, Region, Role, User, UserRole
from ketenzicht.cases.models import ExploitationForm, SubjectRole, TriState, VulnerableGroup
from ketenzicht.cases.services import CaseError
from ketenzicht.core import counters, policy, prepared, ratelimit
from ketenzicht.core.api_input import check_structure
from ketenzicht.core.rows import columns, from_row, with_related
from ketenzicht.intake.api import (
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_KEY,
    MAX_BODY_BYTES,
    with_receipt_headers,
)
from ketenzicht.intake.api_serializers import MAX_SUBJECTS, PartnerSignalInput, SignalReceiptOutput
from ketenzicht.intake.partner import (
    IdempotencyConflict,
    OutsidePlatform,
    body_fingerprint,
    municipality_by_code,
    municipality_of,
    partner_signal_submit,
)
from ketenzicht.norms.models import RegionNorms

TOKEN = re.compile(r"Token ([0-9a-f]{40})")
GEMEENTE = re.compile(r"GM[0-9]{4}")
KVK = re.compile(r"[0-9]{8}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FORMS = frozenset(ExploitationForm.values)
TRISTATE = frozenset(TriState.values)
ROLES = frozenset(SubjectRole.values)
GROUPS = frozenset(VulnerableGroup.values)

_DECLINE = object()  # "not sure": the full path decides


# --- the body, as SignalCreateInput/PartnerSignalInput would take it --------------------------
def _text(value: Any, *, max_length: int, allow_blank: bool) -> Any:
    if not isinstance(value, str):
        return _DECLINE
    value = value.strip()
    if (not value and not allow_blank) or len(value) > max_length or "\x00" in value:
        return _DECLINE
    return value


def _choices(value: Any, allowed: frozenset[str], max_length: int | None = None) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        return _DECLINE
    if max_length is not None and len(value) > max_length:
        return _DECLINE
    return list(value)


def _date(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        return _DECLINE
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return _DECLINE
    return _DECLINE if parsed > timezone.localdate() else parsed


def _text_limits(fields: Any, names: tuple[str, ...]) -> dict[str, tuple[int, bool]]:
    """(max_length, allow_blank) of these text fields, read from the serializer itself."""
    return {name: (fields[name].max_length, fields[name].allow_blank) for name in names}


_FIELDS = PartnerSignalInput().fields
_SIGNAL_TEXT = _text_limits(_FIELDS, ("omschrijving", "adres", "plaatsomschrijving"))
_SUBJECT_TEXT = _text_limits(_FIELDS["betrokkenen"].child.fields, ("naam", "nationaliteit", "omschrijving"))


def _subject(item: Any) -> Any:
    if not isinstance(item, Mapping):
        return _DECLINE
    out: dict[str, Any] = {}
    if not isinstance(item.get("rol"), str) or item["rol"] not in ROLES:
        return _DECLINE
    out["rol"] = item["rol"]
    for key, (max_length, allow_blank) in _SUBJECT_TEXT.items():
        if key in item:
            out[key] = _text(item[key], max_length=max_length, allow_blank=allow_blank)
    if "geboortedatum" in item:
        out["geboortedatum"] = _date(item["geboortedatum"])
    if "kvkNummer" in item:
        kvk = _text(item["kvkNummer"], max_length=8, allow_blank=True)
        out["kvkNummer"] = kvk if kvk is _DECLINE or kvk == "" or KVK.fullmatch(kvk) else _DECLINE
    if "kwetsbareGroepen" in item:
        out["kwetsbareGroepen"] = _choices(item["kwetsbareGroepen"], GROUPS, max_length=len(GROUPS))
    return _DECLINE if any(v is _DECLINE for v in out.values()) else out


def validated_body(body: Any, municipality: Callable[[str], Municipality | None]) -> dict[str, Any] | None:
    """The serializer's validated data for a plainly valid body; None when the full path must judge."""
    if not isinstance(body, Mapping) or check_structure(body) is not None:
        return None
    code = body.get("gemeenteCode")
    if not isinstance(code, str) or not GEMEENTE.fullmatch(code.strip()):
        return None
    out: dict[str, Any] = {}
    for key, (max_length, allow_blank) in _SIGNAL_TEXT.items():
        if key in body:
            out[key] = _text(body[key], max_length=max_length, allow_blank=allow_blank)
    if "omschrijving" not in out:
        return None
    if "waargenomenOp" in body:
        out["waargenomenOp"] = _date(body["waargenomenOp"])
    if "uitbuitingsvormen" in body:
        out["uitbuitingsvormen"] = _choices(body["uitbuitingsvormen"], FORMS)
    minor = body.get("minderjarig", TriState.ONBEKEND.value)
    out["minderjarig"] = minor if isinstance(minor, str) and minor in TRISTATE else _DECLINE
    danger = body.get("acuutGevaar", False)
    out["acuutGevaar"] = danger if isinstance(danger, bool) else _DECLINE
    if "betrokkenen" in body:
        subjects = body["betrokkenen"]
        if not isinstance(subjects, list) or len(subjects) > MAX_SUBJECTS:
            return None
        out["betrokkenen"] = [_subject(s) for s in subjects]
        if any(s is _DECLINE for s in out["betrokkenen"]):
            return None
    if any(v is _DECLINE for v in out.values()):
        return None
    found = municipality(code.strip())
    if found is None:
        return None
    out["gemeenteCode"] = found
    return out


# --- the account behind a token, in one query -------------------------------------------------
@cache
def _account_sql(vendor: str) -> tuple[list[str], list[str], str]:
    user_names, user_cols = columns(User, "u")
    org_names, org_cols = columns(Organisation, "o")
    roles = "string_agg(r.role, ',')" if vendor == "postgresql" else "group_concat(r.role, ',')"
    sql = (
        f"SELECT {user_cols}, {org_cols}, (SELECT {roles} FROM accounts_userrole r WHERE r.user_id = u.id) "  # noqa: S608 - model columns only
        f"FROM {Token._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
        f"LEFT JOIN {Organisation._meta.db_table} o ON o.id = u.organisation_id WHERE t.key = %s"
    )
    return user_names, org_names, sql


def token_account(key: str) -> User | None:
    """The active account of a token, its organisation and roles read with it (one query).

    The same account PartnerTokenAuthentication gives DRF, with `role_codes` already known.
    """
    row = prepared.fetchone(_account_sql(connection.vendor)[-1], [key])
    return None if row is None else _account_of(row)


def _account_of(row: Any) -> User | None:
    """The active account of a row in `_account_sql`'s column order (user, organisation, roles)."""
    user_names, org_names, _sql = _account_sql(connection.vendor)
    n, o = len(user_names), len(org_names)
    if row[0] is None:
        return None  # no such token (the combined statement's LEFT JOIN)
    user = from_row(User, user_names, row[:n])
    if not user.is_active:
        return None
    with_related(user, "organisation", org_names, row[n : n + o])
    user._role_codes = frozenset(filter(None, (row[n + o] or "").split(",")))
    return user


# --- the account, the municipality and the rate-limit count in one statement (PostgreSQL) --------
ACCOUNT_ID = "{id}"  # in the window's key, replaced by the account's id in the statement


@cache
def _counting_sql() -> str:
    """The account query and the municipality query side by side, one row whatever either finds,
    with the count of the account's window first. The counter's upsert (counters.increment_cte)
    counts only an active account with the partner system's role: who the path goes on with."""
    _u, user_cols = columns(User, "u")
    _o, org_cols = columns(Organisation, "o")
    _m, m_cols = columns(Municipality, "m")
    _r, r_cols = columns(Region, "r")
    token, user, org = Token._meta.db_table, User._meta.db_table, Organisation._meta.db_table
    role = UserRole._meta.db_table
    return (
        f"SELECT (SELECT count FROM counted), {user_cols}, {org_cols}, "  # noqa: S608 - model columns only
        f"(SELECT string_agg(x.role, ',') FROM {role} x WHERE x.user_id = u.id), {m_cols}, {r_cols}, "
        f"(SELECT n.sha256 FROM {RegionNorms._meta.db_table} n WHERE n.slug = r.slug) "
        f"FROM (SELECT 1) one LEFT JOIN ({token} t JOIN {user} u ON u.id = t.user_id "
        f"LEFT JOIN {org} o ON o.id = u.organisation_id) ON t.key = %s "
        f"LEFT JOIN {Municipality._meta.db_table} m ON m.cbs_code = %s "
        f"LEFT JOIN {Region._meta.db_table} r ON r.id = m.region_id"
    )


@cache
def _counted_source() -> str:
    token, user, role = Token._meta.db_table, User._meta.db_table, UserRole._meta.db_table
    return (
        f"CROSS JOIN {token} t JOIN {user} u ON u.id = t.user_id WHERE t.key = %s AND u.is_active "  # noqa: S608
        f"AND EXISTS (SELECT 1 FROM {role} x WHERE x.user_id = u.id AND x.role = '{Role.PARTNERSYSTEEM.value}')"
    )


def account_and_municipality_counting(key: str, code: str, window: ratelimit.Window) -> tuple[User | None, Municipality | None, int | None]:
    """`token_account(key)`, `municipality_by_code(code)` and the count of the account's window
    (`window.key` holds ACCOUNT_ID), in one statement (`counters.combinable()` only). The count
    is None when nothing was counted: no active partner system behind the token."""
    ctes, params = counters.increment_cte(
        window.key, window.ttl, per_row=("replace(%s, '" + ACCOUNT_ID + "', u.id::text)", _counted_source(), [key])
    )
    row = prepared.fetchone(f"WITH {ctes} {_counting_sql()}", [*params, key, code])
    user_names, org_names, _sql = _account_sql(connection.vendor)
    at = 1 + len(user_names) + len(org_names) + 1
    municipality = municipality_of(row[at:]) if row[at] is not None else None
    return _account_of(row[1:at]), municipality, row[0]


# --- the request ------------------------------------------------------------------------------
@cache
def _receipt_output() -> SignalReceiptOutput:
    """One serializer per process: its fields are built once (DRF deep-copies them for every
    new instance); `to_representation` keeps no state, so the output is the view's."""
    return SignalReceiptOutput()


def _receipt(request: HttpRequest, case: Any, *, created: bool) -> HttpResponse:
    """The DRF view's answer: the same serializer, renderer and headers."""
    body = JSONRenderer().render(_receipt_output().to_representation(case))
    response = HttpResponse(body, status=201 if created else 200, content_type="application/json")
    return with_receipt_headers(response, request, case, created=created)


def submit(request: HttpRequest) -> HttpResponse | None:
    """The receipt of a plainly valid delivery by a partner system; None: the full path decides."""
    import json

    if request.META.get("CONTENT_TYPE", "") != "application/json":
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    token = TOKEN.fullmatch(request.headers.get("Authorization", ""))
    if not 0 < length <= MAX_BODY_BYTES or not IDEMPOTENCY_KEY.match(key) or token is None:
        return None
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        return None
    window = ratelimit.window_of("partner", f"user-{ACCOUNT_ID}", *ratelimit.configured_rate("partner"))
    counted: dict[str, Any] = {}

    def municipality(code: str) -> Municipality | None:
        # A plainly valid body: on PostgreSQL the account is read and its request counted with
        # the lookup of the municipality, one round trip instead of three.
        if not counters.combinable():
            return municipality_by_code(code)
        counted["actor"], found, count = account_and_municipality_counting(token.group(1), code, window)
        if count is not None:
            counted["decision"] = window.decide(count)
        return found

    data = validated_body(body, municipality)
    if "decision" in counted:
        ratelimit.mark_counted(request, "partner", counted["decision"])  # counted once, whichever path answers
    if data is None:
        return None
    actor = counted["actor"] if "actor" in counted else token_account(token.group(1))
    if actor is None or not actor.has_role(Role.PARTNERSYSTEEM):
        return None
    if "decision" not in counted:
        counted["decision"] = ratelimit.hit("partner", f"user-{actor.pk}", *ratelimit.configured_rate("partner"))
        ratelimit.mark_counted(request, "partner", counted["decision"])
    if not counted["decision"].allowed or not policy.can(actor, "api.signal.create", data["gemeenteCode"]):
        return None
    try:
        # The DRF view's service: the policy, the platform, the write and the key's content.
        case, created = partner_signal_submit(actor=actor, data=data, idempotency_key=key, fingerprint=body_fingerprint(body))
    except (IdempotencyConflict, OutsidePlatform, CaseError):
        return None  # the full path's 422 or 400
    return _receipt(request, case, created=created)


# --- where it is called: before the middleware (production), and in the view (always) ----------
PATH = "/api/v1/signalen"


class Declined(Exception):
    """The fast path stepped aside; the request goes through the whole stack."""


def _answer_or_decline(request: HttpRequest) -> HttpResponse:
    response = submit(request)
    if response is None:
        request.kz_fast_declined = True  # type: ignore[attr-defined]  # the view wrapper need not try again
        raise Declined
    return response


def header_chain() -> Callable[[HttpRequest], HttpResponse]:
    """The fast answer wrapped in the middleware that shape a JSON answer's headers (security
    headers, frame options, CSP, API-Version): the other middleware (sessions, CSRF, login,
    second factor, lockout, htmx, messages, locale) concern nothing a token delivery uses."""
    from django.middleware.clickjacking import XFrameOptionsMiddleware
    from django.middleware.security import SecurityMiddleware

    from ketenzicht.core.api_version import ApiVersionMiddleware
    from ketenzicht.core.csp import CSPMiddleware

    return SecurityMiddleware(ApiVersionMiddleware(XFrameOptionsMiddleware(CSPMiddleware(_answer_or_decline))))


def takes(request: HttpRequest) -> bool:
    return (
        request.method == "POST" and request.path_info == PATH and bool(settings.INTAKE_FAST_PATH)
    )


def with_fast_intake(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` (the DRF view of /api/v1/signalen), answering plain deliveries itself first.

    `wraps` keeps the DRF view's attributes (cls, initkwargs, csrf_exempt), so drf-spectacular
    documents the path as before and CSRF stays out of the token API.
    """

    @wraps(view)
    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            request.method == "POST"
            and settings.INTAKE_FAST_PATH
            and not getattr(request, "kz_fast_declined", False)
        ):
            response = submit(request)
            if response is not None:
                return response
        return view(request, *args, **kwargs)

    return dispatch
