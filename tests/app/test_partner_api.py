"""POST /api/v1/signalen: a partner system submits a signal, exactly once per Idempotency-Key."""

from __future__ import annotations

import contextlib
import json
import threading
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from ketenzicht.cases import services
from ketenzicht.cases.models import Case, Channel
from ketenzicht.intake.partner import intake_key
from tests.support import Cast, login, make_user

URL = "/api/v1/signalen"

BODY: dict[str, Any] = {
    "gemeenteCode": "GM0638",
    "omschrijving": "Twaalf arbeidsmigranten slapen in een bedrijfshal; de werkgever houdt de paspoorten.",
    "waargenomenOp": "2026-11-20",
    "adres": "Industrieweg 12, 2382 NW Zoeterwoude",
    "uitbuitingsvormen": ["arbeid"],
    "minderjarig": "nee",
    "acuutGevaar": False,
    "betrokkenen": [
        {"rol": "bedrijf", "naam": "Voorbeeld Uitzendbureau B.V.", "kvkNummer": "12345678"},
        {"rol": "slachtoffer", "omschrijving": "Twaalf mannen"},
    ],
}


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    # Rate counters live in the process-wide cache; each test starts with none.
    cache.clear()


def post(client: Client, token: str | None, body: Any, key: str | None = "melding-0001", **extra: Any) -> Any:
    headers = dict(extra)
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    payload = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, payload, content_type="application/json", **headers)


def problem_of(response: Any) -> dict[str, Any]:
    assert response["Content-Type"] == "application/problem+json"
    return json.loads(response.content)


def test_partner_submits_a_signal_and_gets_a_receipt(cast: Cast) -> None:
    response = post(Client(), cast.pim_token, BODY)

    assert response.status_code == 201
    receipt = response.json()
    assert set(receipt) == {"id", "kenmerk", "status", "ontvangenOp"}
    assert receipt["status"] == "ontvangen"
    assert receipt["kenmerk"].startswith("KZ-")
    assert response["Location"] == f"http://testserver/api/v1/signalen/{receipt['id']}"
    assert response["API-Version"] == "1.0.0"
    assert "Idempotent-Replayed" not in response

    case = Case.objects.get(pk=receipt["id"])
    assert case.municipality == cast.zoeterwoude
    assert case.channel == Channel.PARTNER
    assert case.reporter == cast.pim
    assert case.forms == ["arbeid"]
    assert case.minor_involved == "nee"
    assert case.kvk_number == "12345678"
    assert sorted(case.subjects.values_list("role", flat=True)) == ["bedrijf", "slachtoffer"]
    assert case.intake_key == intake_key(cast.pim.pk, "melding-0001")
    assert len(case.intake_fingerprint) == 64

    # The AF of Zoeterwoude finds it through the Location the partner was given.
    af = login(Client(), cast.anouk)
    detail = af.get(response["Location"])
    assert detail.status_code == 200
    assert detail.json()["kenmerk"] == receipt["kenmerk"]


def test_a_retry_with_the_same_key_and_body_returns_the_first_receipt(cast: Cast) -> None:
    first = post(Client(), cast.pim_token, BODY)
    # A retry may serialise the same JSON with its keys in another order.
    reordered = dict(reversed(list(BODY.items())))
    second = post(Client(), cast.pim_token, reordered)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert second["Location"] == first["Location"]
    assert Case.objects.filter(reporter=cast.pim).count() == 1


def test_a_replay_repeats_the_receipt_even_after_the_af_took_the_case_on(cast: Cast) -> None:
    first = post(Client(), cast.pim_token, BODY)
    case = Case.objects.get(pk=first.json()["id"])
    services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen", reason="Oppakken")

    again = post(Client(), cast.pim_token, BODY)

    assert again.status_code == 200
    assert again.json() == first.json()  # the receipt as of intake: the partner reads no handling


def test_the_same_key_with_another_body_is_refused_and_stores_nothing(cast: Cast) -> None:
    first = post(Client(), cast.pim_token, BODY)
    other = post(Client(), cast.pim_token, {**BODY, "omschrijving": "Een heel andere melding."})

    assert first.status_code == 201
    assert other.status_code == 422
    problem = problem_of(other)
    assert problem["code"] == "idempotency-key-hergebruikt"
    assert "Idempotency-Key" in problem["detail"]
    assert Case.objects.filter(reporter=cast.pim).count() == 1
    assert Case.objects.get(reporter=cast.pim).description == BODY["omschrijving"]


def test_idempotency_keys_are_scoped_per_partner(cast: Cast) -> None:
    other_system = make_user("pam", "shop", "partnersysteem")
    from rest_framework.authtoken.models import Token

    other_token = Token.objects.create(user=other_system).key

    ours = post(Client(), cast.pim_token, BODY, key="zelfde-sleutel")
    theirs = post(Client(), other_token, {**BODY, "omschrijving": "Melding van een andere partner."}, key="zelfde-sleutel")

    assert ours.status_code == 201
    assert theirs.status_code == 201
    assert ours.json()["id"] != theirs.json()["id"]
    assert Case.objects.get(pk=theirs.json()["id"]).reporter == other_system


@pytest.mark.parametrize(
    ("key", "code"),
    [(None, "required"), ("", "required"), ("met spatie", "invalid"), ("a/b", "invalid"), ("x" * 101, "invalid"), ("ü", "invalid")],
)
def test_a_missing_or_malformed_idempotency_key_is_a_400_naming_the_header(cast: Cast, key: str | None, code: str) -> None:
    response = post(Client(), cast.pim_token, BODY, key=key)

    assert response.status_code == 400
    problem = problem_of(response)
    assert problem["invalidParams"][0]["name"] == "Idempotency-Key"
    assert problem["invalidParams"][0]["code"] == code
    assert not Case.objects.filter(reporter=cast.pim).exists()


def test_the_longest_allowed_key_with_every_allowed_character_is_accepted(cast: Cast) -> None:
    key = ("Az09_-.:" * 13)[:100]
    assert post(Client(), cast.pim_token, BODY, key=key).status_code == 201


def test_an_unknown_municipality_code_is_a_400_naming_the_field(cast: Cast) -> None:
    response = post(Client(), cast.pim_token, {**BODY, "gemeenteCode": "GM9999"})

    assert response.status_code == 400
    params = problem_of(response)["invalidParams"]
    assert [p["name"] for p in params] == ["gemeenteCode"]
    assert "GM9999" in params[0]["reason"]
    assert not Case.objects.filter(reporter=cast.pim).exists()


def test_invalid_fields_are_named_and_nothing_is_stored(cast: Cast) -> None:
    body = {**BODY, "omschrijving": "", "uitbuitingsvormen": ["slavernij"], "betrokkenen": [{"rol": "bedrijf", "kvkNummer": "12"}]}
    response = post(Client(), cast.pim_token, body)

    assert response.status_code == 400
    names = {p["name"] for p in problem_of(response)["invalidParams"]}
    assert names == {"omschrijving", "uitbuitingsvormen.0", "betrokkenen.0.kvkNummer"}
    assert not Case.objects.filter(reporter=cast.pim).exists()


def test_only_json_is_accepted(cast: Cast) -> None:
    response = Client().post(URL, {"gemeenteCode": "GM0638"}, HTTP_AUTHORIZATION=f"Token {cast.pim_token}", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 415
    assert problem_of(response)["status"] == 415


def test_a_body_over_the_size_limit_is_refused_before_parsing(cast: Cast) -> None:
    response = post(Client(), cast.pim_token, json.dumps({**BODY, "omschrijving": "x" * 300_000}))
    assert response.status_code == 413
    assert problem_of(response)["code"] == "te-groot"
    assert not Case.objects.filter(reporter=cast.pim).exists()


def test_who_may_post_a_signal(cast: Cast) -> None:
    # Partner systems (of either region); melders and AFs of the same region (the body is for
    # Zoeterwoude); never colleagues of another region.
    allowed = {"pim", "wout", "chantal", "anouk", "bram"}
    outcomes = {}
    tokens = {"pim": cast.pim_token, "wout": cast.wout_token}
    for who, user in cast.members().items():
        client = Client()
        if who in tokens:
            response = post(client, tokens[who], BODY, key=f"k-{who}")
        else:
            response = post(login(client, user), None, BODY, key=f"k-{who}")
        outcomes[who] = response.status_code
    outcomes["anon"] = post(Client(), None, BODY, key="k-anon").status_code

    assert {who for who, code in outcomes.items() if code == 201} == allowed
    assert all(code in (401, 403) for who, code in outcomes.items() if who not in allowed), outcomes
    # A colleague posting through the API is the internal route, not a partner.
    assert Case.objects.get(reporter=cast.chantal).channel == Channel.INTERN


def test_the_list_on_the_same_path_is_still_for_afs_only(cast: Cast) -> None:
    post(Client(), cast.pim_token, BODY)
    listing = login(Client(), cast.anouk).get(URL)
    assert listing.status_code == 200
    assert [row["gemeenteCode"] for row in listing.json()] == ["GM0638"]
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Token {cast.pim_token}").status_code == 403


def test_every_api_answer_carries_the_api_version(cast: Cast) -> None:
    client = login(Client(), cast.anouk)
    assert client.get("/api/v1/gemeenten")["API-Version"] == "1.0.0"
    assert Client().get("/api/v1/bestaat-niet")["API-Version"] == "1.0.0"
    assert post(Client(), None, BODY)["API-Version"] == "1.0.0"
    assert "API-Version" not in Client().get("/healthz")


def test_the_openapi_document_describes_the_operation_with_examples(cast: Cast) -> None:
    response = Client().get("/api/v1/openapi.json", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    operation = json.loads(response.content)["paths"]["/api/v1/signalen"]["post"]

    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and header["required"] is True
    assert "gemeenteCode" in operation["requestBody"]["content"]["application/json"]["examples"]["SignaalVanArbeidsuitbuiting"]["value"]
    assert operation["responses"]["201"]["content"]["application/json"]["examples"]["Ontvangstbewijs"]["value"]["status"] == "ontvangen"
    assert "Idempotent-Replayed" in operation["responses"]["200"]["headers"]
    assert "application/problem+json" in operation["responses"]["422"]["content"]
    assert "Retry-After" in operation["responses"]["429"]["headers"]


def _race(token: str, bodies: list[dict[str, Any]], key: str) -> list[Any]:
    """Send the requests at the same moment from separate threads (separate connections).

    On PostgreSQL and on a SQLite file the requests really overlap: several pass the "is there
    a case with this key?" read before any has inserted, and the unique constraint decides. An
    in-memory SQLite test database (shared cache) cannot make a second writer wait (it fails it
    with "table is locked" and leaves the transaction half-open, where a SQLite file waits on
    its busy timeout), so there the requests take turns: the same property, without the overlap.
    """
    barrier = threading.Barrier(len(bodies))
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    one_writer = threading.Lock() if in_memory else contextlib.nullcontext()
    results: list[Any] = [None] * len(bodies)

    def send(index: int) -> None:
        try:
            barrier.wait()
            with one_writer:
                results[index] = post(Client(), token, bodies[index], key=key)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_simultaneous_identical_requests_make_one_case(cast: Cast) -> None:
    for attempt in range(3):
        key = f"gelijktijdig-{attempt}"
        responses = _race(cast.pim_token, [BODY] * 4, key)

        assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
        assert len({r.json()["id"] for r in responses}) == 1
        assert Case.objects.filter(intake_key=intake_key(cast.pim.pk, key)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_and_different_bodies_store_one(cast: Cast) -> None:
    bodies = [BODY, {**BODY, "omschrijving": "Andere inhoud, zelfde sleutel."}]
    responses = _race(cast.pim_token, bodies, "botsing")

    assert sorted(r.status_code for r in responses) == [201, 422]
    winner = next(r for r in responses if r.status_code == 201)
    stored = Case.objects.get(intake_key=intake_key(cast.pim.pk, "botsing"))
    assert str(stored.pk) == winner.json()["id"]
