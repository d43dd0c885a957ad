"""The partner intake's fast path (intake/fast_api.py) gives what the full path gives (issue 19).

A plainly valid delivery is answered without DRF's request machinery; everything else goes to
the DRF view. These tests hold the two to the same result: the same validated data for any body
the fast path accepts (generated bodies, valid and not), the same answer and the same stored
rows for the same delivery, and one count against the rate limit whichever path answers.
Deliveries go to municipalities in two regions (Zoeterwoude in Den Haag, Vlissingen in
Zeeland-West-Brabant).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ketenzicht.accounts.models import Municipality, Organisation, User
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import Case, ExploitationForm, SubjectRole, TriState, VulnerableGroup
from ketenzicht.intake import fast_api
from ketenzicht.intake.api_serializers import PartnerSignalInput
from tests.app.test_partner_api import BODY, URL, post, problem_of
from tests.support import Cast, through_production_handler

pytestmark = pytest.mark.django_db


def _norm(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, Municipality):
        return ("gemeente", value.pk, value.region_id)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _serializer(body: Any) -> Any:
    checked = PartnerSignalInput(data=body)
    return _norm(dict(checked.validated_data)) if checked.is_valid() else None


# --- generated bodies: whatever the fast path accepts, the serializer accepts the same ---------
# Bodies are drawn valid and then, often, spoiled in one or two places (a number for text, "true"
# for true, a date ahead, an unknown code): both the accepted and the refused side get examples.
_odd = st.one_of(
    st.none(), st.integers(-3, 99999999), st.booleans(), st.lists(st.text(max_size=3), max_size=2), st.floats(allow_nan=False),
    st.sampled_from(["", "   ", "x" * 61, "x" * 201, "x" * 301, "x" * 501, "x" * 5001, "a\x00b", "true", "JA", "Slachtoffer",
                     "2026-13-01", "20261120", "2026-11-20T10:00:00", " 2026-11-20", "2099-01-01", "GM9999", "gm0638", "GM063",
                     "1234567", "abcdefgh", "123456789"]),
    st.lists(st.sampled_from(["onzin", "", "ARBEID"]), min_size=1, max_size=2),
)
_plain = st.one_of(st.text(max_size=12), st.sampled_from(["", "   ", "  met spaties  ", "Zoë\u00a0", "\tregel\n"]))
_today = date(2026, 12, 6)
_dates = st.one_of(
    st.none(),
    st.dates(min_value=date(1950, 1, 1), max_value=_today).map(date.isoformat),
    # Around today: yesterday is fine, tomorrow is ahead (the serializer's not_in_future).
    st.integers(-3, 3).map(lambda days: (timezone.localdate() + timedelta(days=days)).isoformat()),
)


def _spoiled(valid: Any, keys: list[str]) -> Any:
    spoil = st.dictionaries(st.sampled_from(keys), _odd, max_size=2)
    return st.one_of(valid, st.tuples(valid, spoil).map(lambda pair: {**pair[0], **pair[1]}))


_subject_fields = {
    "naam": _plain,
    "nationaliteit": _plain,
    "omschrijving": _plain,
    "geboortedatum": _dates,
    "kvkNummer": st.sampled_from(["12345678", " 12345678 ", ""]),
    "kwetsbareGroepen": st.lists(st.sampled_from(VulnerableGroup.values), max_size=3, unique=True),
    "onbekend": _plain,
}
_subject = _spoiled(
    st.fixed_dictionaries({"rol": st.sampled_from(SubjectRole.values)}, optional=_subject_fields), ["rol", *_subject_fields]
)
_fields = {
    "waargenomenOp": _dates,
    "adres": _plain,
    "plaatsomschrijving": _plain,
    "uitbuitingsvormen": st.lists(st.sampled_from(ExploitationForm.values), max_size=3),
    "minderjarig": st.sampled_from(TriState.values),
    "acuutGevaar": st.booleans(),
    "betrokkenen": st.lists(_subject, max_size=3),
    "extra": _plain,
}
_body = _spoiled(
    st.fixed_dictionaries({"gemeenteCode": st.sampled_from(["GM0638", " GM0638 ", "GM0718"]), "omschrijving": _plain}, optional=_fields),
    ["gemeenteCode", "omschrijving", *_fields],
)


@hsettings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(body=st.one_of(_body, _odd, st.text(max_size=5)))
def test_what_the_fast_path_accepts_the_serializer_accepts_the_same(cast: Cast, body: Any) -> None:
    fast = fast_api.validated_body(body, fast_api.municipality_by_code)
    if fast is not None:
        assert _serializer(body) == _norm(fast), body


def test_the_fast_path_takes_the_bodies_partners_send(cast: Cast) -> None:
    """The property above holds trivially if nothing is accepted: these must be."""
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    plain = [
        BODY,
        {"gemeenteCode": "GM0718", "omschrijving": "Kort signaal."},
        {**BODY, "waargenomenOp": yesterday, "betrokkenen": [{"rol": "slachtoffer", "geboortedatum": "2008-05-01", "kwetsbareGroepen": ["minderjarigen"]}]}
        if "minderjarigen" in VulnerableGroup.values
        else {**BODY, "waargenomenOp": yesterday},
        {**BODY, "omschrijving": "  Spaties eromheen worden weggehaald.  ", "adres": "", "uitbuitingsvormen": []},
    ]
    for body in plain:
        fast = fast_api.validated_body(body, fast_api.municipality_by_code)
        assert fast is not None, body
        assert _serializer(body) == _norm(fast)
    # And these are left to the full path, which explains them.
    for body in [{**BODY, "acuutGevaar": "true"}, {**BODY, "gemeenteCode": "GM9999"}, {**BODY, "waargenomenOp": (timezone.localdate() + timedelta(days=2)).isoformat()}, {**BODY, "omschrijving": 12}]:
        assert fast_api.validated_body(body, fast_api.municipality_by_code) is None, body


# --- the same delivery, by either path -----------------------------------------------------------
def _stored(case_id: str) -> dict[str, Any]:
    case = Case.objects.get(pk=case_id)
    skip = {"id", "reference", "created_at", "updated_at", "intake_key", "first_assessment_due"}
    return {
        "case": {k: v for k, v in model_to_dict(case).items() if k not in skip},
        "subjects": sorted((s.role, s.name, s.description, s.kvk_number, tuple(s.vulnerable_groups)) for s in case.subjects.all()),
        "history": [(e.kind, e.actor_id, e.organisation_id, e.to_state, e.reason) for e in case.events.order_by("id")],
        "audit": [
            (a.actor_id, a.organisation_id, a.action, a.object_type, a.object_label == case.reference, tuple(a.fields), a.seq is not None)
            for a in AuditEvent.objects.filter(object_type="case", object_id=str(case.pk)).order_by("id")
        ],
    }


@pytest.mark.parametrize("code", ["GM0638", "GM0718"])
def test_both_paths_answer_and_store_the_same(cast: Cast, settings: Any, code: str) -> None:
    body = {**BODY, "gemeenteCode": code}
    client = Client()
    fast = post(client, cast.pim_token, body, key=f"snel-{code}")
    settings.INTAKE_FAST_PATH = False
    full = post(client, cast.pim_token, body, key=f"vol-{code}")

    assert fast.status_code == full.status_code == 201
    for name in ("Content-Type", "API-Version"):
        assert fast[name] == full[name], name
    a, b = fast.json(), full.json()
    assert set(a) == set(b) and a["status"] == b["status"] == "ontvangen"
    assert a["ontvangenOp"][-6:] == b["ontvangenOp"][-6:]  # the same zone, written the same way
    assert fast["Location"] == f"http://testserver{URL}/{a['id']}" and full["Location"] == f"http://testserver{URL}/{b['id']}"
    assert _stored(a["id"]) == _stored(b["id"])
    assert Case.objects.get(pk=a["id"]).municipality.cbs_code == code


def test_a_repeat_is_answered_by_the_fast_path_and_another_body_by_the_full_path(cast: Cast) -> None:
    client = Client()
    first = post(client, cast.pim_token, BODY, key="herhaal-1")
    again = post(client, cast.pim_token, BODY, key="herhaal-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = post(client, cast.pim_token, {**BODY, "omschrijving": "Iets anders."}, key="herhaal-1")
    assert other.status_code == 422 and problem_of(other)["code"] == "idempotency-key-hergebruikt"
    assert Case.objects.filter(channel="partner").count() == 1


def test_the_rate_limit_counts_a_request_once_whichever_path_answers(cast: Cast, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "partner": "2/hour"},
    }
    client = Client()
    assert post(client, cast.pim_token, BODY, key="teller-1").status_code == 201
    # Counted by the fast path, then answered by the full path (another body for the key): the
    # second of two allowed, not a third.
    assert post(client, cast.pim_token, {**BODY, "omschrijving": "Anders."}, key="teller-1").status_code == 422
    refused = post(client, cast.pim_token, BODY, key="teller-2")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_an_unknown_or_inactive_token_gets_the_full_paths_401(cast: Cast) -> None:
    client = Client()
    assert post(client, "0" * 40, BODY).status_code == 401
    cast.pim.is_active = False
    cast.pim.save(update_fields=["is_active"])
    assert fast_api.token_account(cast.pim_token) is None
    assert post(client, cast.pim_token, BODY).status_code == 401
    assert not Case.objects.filter(channel="partner").exists()


def test_the_account_is_read_with_its_organisation_and_roles(cast: Cast, django_assert_num_queries: Any) -> None:
    expected_roles = frozenset(cast.pim.roles.values_list("role", flat=True))
    assert expected_roles == {"partnersysteem"}
    with django_assert_num_queries(1):
        account = fast_api.token_account(cast.pim_token)
        assert account is not None and account.pk == cast.pim.pk
        assert account.organisation.pk == cast.pim.organisation_id and account.organisation.slug == cast.pim.organisation.slug
        assert account.role_codes == expected_roles
    # Every field as the ORM gives it (on SQLite too, where dates come back as text, booleans as 0/1).
    assert model_to_dict(account) == model_to_dict(User.objects.get(pk=cast.pim.pk))
    assert model_to_dict(account.organisation) == model_to_dict(Organisation.objects.get(pk=cast.pim.organisation_id))
    assert account.is_active is True and account.date_joined.tzinfo is not None


@pytest.mark.parametrize("code", ["GM0638", "GM0718"])
def test_the_municipality_is_read_with_its_region_and_norms_in_one_query(cast: Cast, code: str, django_assert_num_queries: Any) -> None:
    """The hand-written lookup gives what the ORM gives: every field, the region, the digest."""
    from ketenzicht.intake.partner import municipality_by_code
    from ketenzicht.norms.models import RegionNorms
    from ketenzicht.norms.selectors import with_norms_digest

    # Den Haag has norms of its own (the digest is read with it), Zeeland-West-Brabant has none.
    RegionNorms.objects.create(slug="den-haag", sha256="a" * 64, source="{}", loaded_at=timezone.now())
    expected = with_norms_digest(Municipality.objects.all()).get(cbs_code=code)
    assert expected.region is not None and expected.norms_digest == ("a" * 64 if code == "GM0638" else None)
    with django_assert_num_queries(1):
        found = municipality_by_code(code)
        assert found is not None and found.region is not None
    assert model_to_dict(found) == model_to_dict(expected)
    assert model_to_dict(found.region) == model_to_dict(expected.region)
    assert found.norms_digest == expected.norms_digest
    assert found.region.slug == {"GM0638": "den-haag", "GM0718": "zeeland-west-brabant"}[code]


def test_a_municipality_outside_every_region_is_read_without_one(cast: Cast) -> None:
    from ketenzicht.intake.partner import municipality_by_code

    outside = Municipality.objects.create(cbs_code="GM9990", name="Nergenshuizen")
    found = municipality_by_code("GM9990")
    assert found is not None and found.pk == outside.pk and found.region is None and found.norms_digest is None
    assert found.on_platform is False
    assert municipality_by_code("GM9991") is None


def test_a_colleague_with_a_token_takes_the_full_path(cast: Cast) -> None:
    """Only partner systems are answered fast; a colleague's delivery stays the internal route,
    and a partner system of the other region may deliver anywhere (policy: api.signal.create)."""
    from rest_framework.authtoken.models import Token

    colleague = Token.objects.create(user=cast.chantal).key
    own = post(Client(), colleague, BODY, key="collega-1")
    assert own.status_code == 201 and Case.objects.get(pk=own.json()["id"]).channel == "intern"
    other_region = post(Client(), cast.wout_token, BODY, key="zwb-1")
    assert other_region.status_code == 201
    case = Case.objects.get(pk=other_region.json()["id"])
    assert case.channel == "partner" and case.reporter_id == cast.wout.pk and case.municipality.cbs_code == "GM0638"


def test_the_openapi_document_still_describes_the_delivery(cast: Cast) -> None:
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    assert "post" in document["paths"]["/api/v1/signalen"] and "get" in document["paths"]["/api/v1/signalen"]


def _through_wsgi(body: Any, key: str, token: str) -> tuple[int, dict[str, str], bytes]:
    """One request through the production WSGI handler (wsgi.py), as gunicorn calls it."""
    from django.test import RequestFactory

    environ = RequestFactory().post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}", HTTP_IDEMPOTENCY_KEY=key
    ).environ
    return through_production_handler(environ)


def test_before_the_middleware_the_answer_carries_the_same_headers(cast: Cast, settings: Any) -> None:
    """In production the fast path runs before the middleware (wsgi.py): the answer still carries
    the security headers, the CSP and API-Version the full stack gives, and a delivery it steps
    aside for is answered by the full stack."""
    fast_status, fast, fast_body = _through_wsgi(BODY, "wsgi-1", cast.pim_token)
    settings.INTAKE_FAST_PATH = False
    full_status, full, _ = _through_wsgi({**BODY, "gemeenteCode": "GM0718"}, "wsgi-2", cast.pim_token)
    assert fast_status == full_status == 201
    for name in ("Content-Type", "API-Version", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Content-Security-Policy"):
        assert name in full, name
        assert fast.get(name) == full[name], name
    assert Case.objects.filter(pk=json.loads(fast_body)["id"], municipality__cbs_code="GM0638").exists()

    settings.INTAKE_FAST_PATH = True
    refused_status, refused, refused_body = _through_wsgi({**BODY, "acuutGevaar": "misschien"}, "wsgi-3", cast.pim_token)
    assert refused_status == 400 and refused["Content-Type"] == "application/problem+json"
    assert "acuutGevaar" in refused_body.decode()
    assert Case.objects.filter(channel="partner").count() == 2


def test_a_failure_in_the_fast_path_is_answered_by_the_full_stack(cast: Cast, monkeypatch: Any, caplog: Any) -> None:
    """A database error or a bug in the fast path: the full stack answers (with its own error
    handling), the delivery is stored once, and the log names the kind of failure, not the content."""

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("Veel mensen in een woning")

    monkeypatch.setattr(fast_api, "partner_signal_submit", broken)
    status, headers, body = _through_wsgi(BODY, "kapot-1", cast.pim_token)
    assert status == 201 and Case.objects.filter(pk=json.loads(body)["id"]).exists()
    assert Case.objects.filter(channel="partner").count() == 1
    assert "fast intake failed (RuntimeError)" in caplog.text and "Veel mensen" not in caplog.text


# --- served (outside a transaction): account, municipality and count in one statement -----------
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_account_municipality_and_count_are_one_statement(cast: Cast, django_assert_num_queries: Any) -> None:
    """Served, a delivery is not inside a transaction: on PostgreSQL the account behind the token,
    the municipality and the count of the account's window are read in one statement, and only an
    active partner system is counted. What it gives is what the separate lookups give."""
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from ketenzicht.core import counters, ratelimit
    from ketenzicht.intake.partner import municipality_by_code

    if not counters.combinable():
        assert connection.vendor != "postgresql"
        pytest.skip("the combined statement is PostgreSQL's; elsewhere the lookups and the counter are separate")
    window = ratelimit.window_of("partner", f"user-{fast_api.ACCOUNT_ID}", 3, 60)
    pim_key = window.key.replace(fast_api.ACCOUNT_ID, str(cast.pim.pk))
    colleague = Token.objects.create(user=cast.chantal).key
    seen = []
    for token, code in ((cast.pim_token, "GM0638"), (cast.pim_token, "GM0718"), (cast.pim_token, "GM9999"), ("0" * 40, "GM0638"), (colleague, "GM0638")):
        with django_assert_num_queries(1):
            actor, municipality, count = fast_api.account_and_municipality_counting(token, code, window)
        expected = municipality_by_code(code)
        assert (municipality and model_to_dict(municipality)) == (expected and model_to_dict(expected))
        assert (municipality and municipality.norms_digest) == (expected and expected.norms_digest)
        if municipality is not None:
            assert model_to_dict(municipality.region) == model_to_dict(expected.region)
        alone = fast_api.token_account(token)
        assert (actor and model_to_dict(actor)) == (alone and model_to_dict(alone))
        if actor is not None:
            assert actor.role_codes == alone.role_codes and model_to_dict(actor.organisation) == model_to_dict(alone.organisation)
        seen.append((actor.username if actor else None, municipality.cbs_code if municipality else None, count))
    # The partner system counted three times (an unknown municipality too: the full path then
    # answers it and reads this count); an unknown token and a colleague not at all.
    assert seen == [("pim", "GM0638", 1), ("pim", "GM0718", 2), ("pim", None, 3), (None, "GM0638", None), ("chantal", "GM0638", None)]
    assert counters.peek(pim_key) == 3 and window.decide(3).allowed and not window.decide(4).allowed
    assert counters.peek(window.key.replace(fast_api.ACCOUNT_ID, str(cast.chantal.pk))) == 0
    cast.pim.is_active = False
    cast.pim.save(update_fields=["is_active"])
    assert fast_api.account_and_municipality_counting(cast.pim_token, "GM0638", window)[0::2] == (None, None)
    assert counters.peek(pim_key) == 3


@pytest.mark.django_db(transaction=True)
def test_served_a_delivery_is_counted_once_whichever_path_answers(cast: Cast, settings: Any) -> None:
    """Through the production handler, outside a transaction (the combined statement on
    PostgreSQL): three deliveries an hour, a refused one among them, and the fourth is told to wait."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "partner": "3/hour"},
    }
    answers = [
        _through_wsgi(BODY, "served-1", cast.pim_token)[0],
        _through_wsgi({**BODY, "gemeenteCode": "GM9999"}, "served-2", cast.pim_token)[0],  # counted by the fast path, answered by the full
        _through_wsgi({**BODY, "gemeenteCode": "GM0718"}, "served-3", cast.pim_token)[0],
    ]
    status, headers, _body = _through_wsgi(BODY, "served-4", cast.pim_token)
    assert answers == [201, 400, 201] and status == 429 and int(headers["Retry-After"]) > 0
    # The other region's partner system has its own window.
    assert _through_wsgi(BODY, "served-5", cast.wout_token)[0] == 201
    assert sorted(Case.objects.filter(channel="partner").values_list("municipality__cbs_code", flat=True)) == ["GM0638", "GM0638", "GM0718"]
