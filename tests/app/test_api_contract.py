"""Every API error is problem+json: the bodies of issue 17's "Why", one by one."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ketenzicht.cases.models import Case
from tests.support import Cast

PROBLEM = "application/problem+json"


def _partner(cast: Cast) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {cast.pim_token}")


def _post(client: Client, body: str | bytes, key: str = "k-1") -> object:
    return client.post("/api/v1/signalen", data=body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def _problem(response: object, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.content.decode()
    return body


def test_a_lone_surrogate_in_a_key_or_value_is_a_400(cast: Cast) -> None:
    for body in ('{"gemeenteCode": "GM0638", "omschrijving": "x", "\\ud800": 1}', '{"gemeenteCode": "GM0638", "omschrijving": "a\\udfffb"}'):
        _problem(_post(_partner(cast), body), 400)
    assert not Case.objects.exists()


def test_deep_nesting_is_a_400_not_a_recursion_error(cast: Cast) -> None:
    body = '{"gemeenteCode": "GM0638", "omschrijving": "x", "betrokkenen": ' + "[" * 50000 + "]" * 50000 + "}"
    assert "diep genest" in _problem(_post(_partner(cast), body), 400)["detail"]
    body = '{"a": ' * 25 + "1" + "}" * 25  # modest, but past the limit of 20
    _problem(_post(_partner(cast), body, key="k-2"), 400)


def test_an_oversized_body_is_a_413_before_it_is_read(cast: Cast, settings) -> None:
    body = json.dumps({"gemeenteCode": "GM0638", "omschrijving": "x" * (settings.API_MAX_BODY_BYTES + 10)})
    _problem(_post(_partner(cast), body), 413)
    # Also on operations that have no limit of their own.
    response = _partner(cast).post("/api/v1/routekaart/advies", data=body, content_type="application/json")
    _problem(response, 413)


def test_invalid_json_and_other_media_types(cast: Cast) -> None:
    _problem(_post(_partner(cast), "{niet json"), 400)
    response = _partner(cast).post("/api/v1/signalen", data="a=b", content_type="application/x-www-form-urlencoded", HTTP_IDEMPOTENCY_KEY="k")
    _problem(response, 415)


def test_a_date_in_the_future_is_refused(cast: Cast) -> None:
    body = json.dumps({"gemeenteCode": "GM0638", "omschrijving": "x", "waargenomenOp": "9999-12-31"})
    problem = _problem(_post(_partner(cast), body), 400)
    assert [p["name"] for p in problem["invalidParams"]] == ["waargenomenOp"]
    body = json.dumps({"gemeenteCode": "GM0638", "omschrijving": "x", "betrokkenen": [{"rol": "slachtoffer", "geboortedatum": "2999-01-01"}]})
    assert _problem(_post(_partner(cast), body, key="k-2"), 400)["invalidParams"][0]["name"] == "betrokkenen.0.geboortedatum"
    assert not Case.objects.exists()


@pytest.mark.parametrize("path", ["/api/v1/signalen/niet-een-uuid", "/api/v1/signalen/6f1c2c1e-8a4b-4f8e-9a53-2d3c0e5b7a10", "/api/v1/bestaat-niet", "/api/iets"])
def test_404_anywhere_under_api_is_problem_json(cast: Cast, path: str) -> None:
    body = _problem(_partner(cast).get(path), 404 if "signalen/" not in path or "niet" in path else 403)
    assert body["type"].startswith("https://ketenzicht.nl/problemen/")


def test_a_500_is_problem_json_without_a_trace(cast: Cast, monkeypatch) -> None:
    from ketenzicht.cases.api import views

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("geheime details uit de database")

    monkeypatch.setattr(views.MunicipalityListApi, "get", boom)
    client = _partner(cast)
    client.raise_request_exception = False
    response = client.get("/api/v1/gemeenten")
    body = _problem(response, 500)
    assert "geheime details" not in response.content.decode() and "RuntimeError" not in body["detail"]


def test_the_openapi_document_is_complete(cast: Cast) -> None:
    doc = json.loads(Client().get("/api/v1/openapi.json").content)
    header = next(p for p in doc["paths"]["/api/v1/signalen"]["post"]["parameters"] if p["name"] == "Idempotency-Key")
    assert header["schema"]["pattern"] == r"^[A-Za-z0-9_.:\-]{1,100}$"
    detail = doc["components"]["schemas"]["SignalDetailOutput"]["properties"]
    assert detail["waargenomenOp"].get("nullable") is True and detail["eersteBeoordelingUiterlijk"].get("nullable") is True
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "429", "500"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= codes, (method, path)
            for code, response in operation["responses"].items():
                if code[0] in "45":
                    assert PROBLEM in response["content"], (method, path, code)


def test_a_service_refusal_is_problem_json_with_the_status_and_code_of_its_error(cast: Cast, client, monkeypatch) -> None:  # noqa: ANN001
    """Issue 18's one base error (core/errors.py): the API answers with what the error says."""
    from ketenzicht.cases import services
    from ketenzicht.core.errors import ServiceError
    from tests.support import login, report_signal

    case = report_signal(cast.chantal, cast.zoeterwoude)
    login(client, cast.anouk)
    url = f"/api/v1/signalen/{case.pk}/transities"
    # A lifecycle's refusal: 409, its code, the Dutch message; nothing changed.
    body = _problem(client.post(url, {"stap": "afsluiten", "toelichting": "klaar"}, content_type="application/json"), 409)
    assert body["code"] == "stap-niet-toegestaan" and "Ontvangen" in body["detail"]
    case.refresh_from_db()
    assert case.state == "ontvangen"

    def refuse(**kwargs: object) -> None:
        raise ServiceError("Dit signaal is tijdelijk vergrendeld.", code="vergrendeld", status=423)

    monkeypatch.setattr(services, "case_transition", refuse)
    body = _problem(client.post(url, {"stap": "in_behandeling_nemen"}, content_type="application/json"), 423)
    assert body["code"] == "vergrendeld" and body["detail"] == "Dit signaal is tijdelijk vergrendeld."
    assert body["type"] == "https://ketenzicht.nl/problemen/vergrendeld"
