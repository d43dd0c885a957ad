"""The public report form (/melden/): validation, idempotency, honeypot, privacy, languages."""

from __future__ import annotations

import io
import re
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client
from PIL import Image

from ketenzicht.cases.models import Attachment, Case, CaseEvent
from ketenzicht.intake.public_services import normalise_code, receipt_hash
from tests.support import Cast

URL = "/melden/"
REMOTE_ADDR = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (KetenzichtTestAgent/9.9; +probe-b7e1)"


def _form_key(client: Client) -> str:
    page = client.get(URL)
    match = re.search(r'name="form_key" value="([^"]+)"', page.content.decode())
    assert match, "the form carries a per-render key"
    return match.group(1)


def _valid(client: Client, **overrides: Any) -> dict[str, Any]:
    data = {
        "description": "In de kas werken mensen 14 uur per dag; ze slapen in een container.",
        "situations": ["arbeid"],
        "municipality": "Zoeterwoude",
        "location_address": "Dorpsstraat 3",
        "location_description": "",
        "observed_on": "2026-01-10",
        "form_key": _form_key(client),
        "website": "",
        "actie": "versturen",
    }
    data.update(overrides)
    return data


def _code(response: Any) -> str:
    match = re.search(r'data-testid="receipt-code">([0-9A-Z-]+)<', response.content.decode())
    assert match, "the confirmation shows a receipt code"
    return match.group(1)


def test_anonymous_report_lands_in_the_municipality_queue_with_a_receipt(client: Client, cast: Cast) -> None:
    response = client.post(URL, _valid(client))
    assert response.status_code == 200
    code = _code(response)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    case = Case.objects.get()
    assert case.channel == "publiek" and case.municipality == cast.zoeterwoude
    assert case.forms == ["arbeid"] and case.reporter is None
    assert case.reporter_contact_email == "" and case.reporter_contact_phone == ""
    # Only a keyed hash of the code is stored, never the code itself.
    assert case.receipt_hash == receipt_hash(code) and code.replace("-", "") not in str(Case.objects.filter(pk=case.pk).values().get())
    # The AF of Zoeterwoude sees it in the queue, tagged as a public report.
    from tests.support import login

    queue = login(Client(), cast.anouk).get("/werkvoorraad/")
    assert case.reference in queue.content.decode() and "openbare melding" in queue.content.decode()


def test_plain_language_situations_map_to_forms_of_exploitation(client: Client, cast: Cast) -> None:
    client.post(URL, _valid(client, situations=["seksueel", "crimineel"]))
    client.post(URL, _valid(client, situations=[]))
    forms = sorted(Case.objects.values_list("forms", flat=True), key=len)
    assert forms == [["onbekend"], ["crimineel", "seksueel"]]
    page = client.get(URL).content.decode()
    assert "Iemand wordt gedwongen tot seks of prostitutie" in page
    assert "Iets anders / weet ik niet" in page


def test_double_submit_makes_one_case_and_shows_the_same_code(client: Client, cast: Cast) -> None:
    data = _valid(client)
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert Case.objects.count() == 1
    assert _code(first) == _code(second)
    assert CaseEvent.objects.filter(kind="intake").count() == 1


def test_every_rendered_form_gets_its_own_key_and_code(client: Client, cast: Cast) -> None:
    codes = {_code(client.post(URL, _valid(client))) for _ in range(3)}
    assert len(codes) == 3 and Case.objects.count() == 3


def test_no_ip_address_or_user_agent_is_stored_anywhere(cast: Cast) -> None:
    client = Client(REMOTE_ADDR=REMOTE_ADDR, HTTP_USER_AGENT=USER_AGENT, HTTP_X_FORWARDED_FOR=REMOTE_ADDR)
    data = _valid(client, contact_email="melder@example.test")
    response = client.post(URL, data)
    code = _code(response)
    client.post("/melden/status/", {"code": code})
    client.post("/melden/status/aanvulling/", {"code": code, "text": "Er kwam gisteren een busje."})
    assert Case.objects.count() == 1
    # Search every row of every table the app writes (cases, history, audit, additions, sessions…).
    found = []
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue  # a model of another app whose migration is not written yet
        for row in model.objects.all().values():
            text = " ".join(str(v) for v in row.values())
            if REMOTE_ADDR in text or "KetenzichtTestAgent" in text or "probe-b7e1" in text:
                found.append(f"{model._meta.label}: {row}")
    assert found == []
    # And no model has a column meant for them.
    for model in (Case, CaseEvent, Attachment, apps.get_model("audit", "AuditEvent"), apps.get_model("cases", "ReporterAddition")):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"ip", "ip_address", "remote_addr", "user_agent"}


def test_honeypot_gives_normal_confirmation_but_stores_nothing(client: Client, cast: Cast) -> None:
    response = client.post(URL, _valid(client, website="http://spam.example"))
    assert response.status_code == 200
    code = _code(response)
    assert Case.objects.count() == 0
    assert "Dank u voor uw melding" in response.content.decode()
    # The code looks real but leads nowhere.
    status = client.post("/melden/status/", {"code": code})
    assert "Met deze code vonden we geen melding" in status.content.decode()


def test_honeypot_is_hidden_from_people_and_assistive_technology(client: Client, cast: Cast) -> None:
    page = client.get(URL).content.decode()
    block = re.search(r'<div class="kz-hp" aria-hidden="true">(.*?)</div>', page, re.S)
    assert block, "the honeypot sits in an aria-hidden wrapper"
    assert "Laat dit veld leeg" in block.group(1) and 'tabindex="-1"' in block.group(1)


def test_errors_say_what_to_fix_and_keep_what_was_typed(client: Client, cast: Cast) -> None:
    data = _valid(
        client,
        description="",
        municipality="Atlantis",
        observed_on="2999-01-01",
        contact_email="geen-adres",
        contact_phone="bel me",
        location_address="Kerkstraat 1",
    )
    response = client.post(URL, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Beschrijf wat u heeft gezien of gehoord." in page
    assert "Kies een gemeente uit de lijst." in page
    assert "Deze datum ligt in de toekomst" in page
    assert "Vul een geldig e-mailadres in" in page
    assert "Vul een telefoonnummer in" in page
    assert 'value="Kerkstraat 1"' in page and 'value="Atlantis"' in page and 'value="geen-adres"' in page
    assert Case.objects.count() == 0


def test_a_place_is_needed_address_or_description(client: Client, cast: Cast) -> None:
    response = client.post(URL, _valid(client, location_address="", location_description=""))
    assert response.status_code == 400
    assert "Vul een adres in, of beschrijf de plek" in response.content.decode()
    ok = client.post(URL, _valid(client, location_address="", location_description="De bovenwoning boven de nagelsalon"))
    assert ok.status_code == 200 and Case.objects.get().location_description == "De bovenwoning boven de nagelsalon"


def test_municipality_is_matched_from_all_342_without_case_or_accents(client: Client, cast: Cast) -> None:
    page = client.get(URL).content.decode()
    assert page.count('<option value="') >= 342  # the datalist offers every municipality
    client.post(URL, _valid(client, municipality="  gemeente RIJSWIJK (zh) "))
    assert Case.objects.get().municipality.name == "Rijswijk (ZH.)"
    # Recognised without case or accents, and outside every loaded region: told, not stored.
    refused = client.post(URL, _valid(client, municipality="  súdwest-FRYSLÂN "))
    assert refused.status_code == 400 and "Súdwest-Fryslân" in refused.content.decode()
    assert Case.objects.count() == 1


def test_acute_danger_shows_call_112_and_still_saves(client: Client, cast: Cast) -> None:
    response = client.post(URL, _valid(client, acute_danger="on"))
    page = response.content.decode()
    assert "Bel nu 112." in page and 'href="tel:112"' in page
    assert Case.objects.get().acute_danger is True


def _image(kind: str = "PNG") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, kind)
    buffer.seek(0)
    buffer.name = "foto." + kind.lower()
    return buffer


def test_photos_are_checked_by_content_images_only(client: Client, cast: Cast) -> None:
    pdf = io.BytesIO(b"%PDF-1.4\n%test\n")
    pdf.name = "foto.jpg"
    refused = client.post(URL, {**_valid(client), "photos": [pdf]})
    assert refused.status_code == 400
    assert "is geen foto" in refused.content.decode()
    assert "Kies uw foto&#x27;s opnieuw" in refused.content.decode() or "Kies uw foto's opnieuw" in refused.content.decode()
    assert Case.objects.count() == 0
    accepted = client.post(URL, {**_valid(client), "photos": [_image("PNG"), _image("JPEG")]})
    assert accepted.status_code == 200
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]


def test_language_switch_keeps_what_was_typed_and_saves_nothing(client: Client, cast: Cast) -> None:
    data = _valid(client, description="Typed before switching", location_address="Kerkstraat 9", situations=["seksueel"], acute_danger="on")
    data.update({"actie": "taal", "taal": "pl"})
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 0
    assert '<html lang="pl"' in page
    assert "Zgłoś handel ludźmi" in page
    assert "Typed before switching" in page and 'value="Kerkstraat 9"' in page
    assert re.search(r'value="seksueel"[^>]*checked', page) and re.search(r'name="acute_danger"[^>]*checked', page)
    assert f'value="{data["form_key"]}"' in page  # the same key: still one report
    assert "utrecht-form-field-error-message" not in page  # no validation on a language switch
    # The next submit is stored with Polish as the reporter's language.
    data["actie"] = "versturen"
    client.post(URL, data)
    assert Case.objects.get().reporter_language == "pl"


def test_all_seven_languages_are_offered_and_set_html_lang(client: Client, cast: Cast) -> None:
    page = client.get(URL).content.decode()
    for code in ("nl", "en", "pl", "bg", "ro", "uk", "ru"):
        assert f'<option value="{code}" lang="{code}"' in page
    expected = {
        "en": "Report human trafficking",
        "pl": "Zgłoś handel ludźmi",
        "bg": "Сигнал за трафик на хора",
        "ro": "Semnalați traficul de persoane",
        "uk": "Повідомити про торгівлю людьми",
        "ru": "Сообщить о торговле людьми",
    }
    for code, title in expected.items():
        client.cookies["django_language"] = code
        page = client.get(URL).content.decode()
        assert f'<html lang="{code}"' in page and title in page, code


def test_contact_details_are_stored_only_when_given(client: Client, cast: Cast) -> None:
    client.post(URL, _valid(client, contact_email="melder@example.test", contact_phone="06 12345678"))
    case = Case.objects.get()
    assert case.reporter_contact_email == "melder@example.test" and case.reporter_contact_phone == "06 12345678"


def test_receipt_codes_are_80_bits_from_an_unambiguous_alphabet() -> None:
    from ketenzicht.intake.public_services import CODE_ALPHABET, random_receipt_code

    assert len(CODE_ALPHABET) == 32 and not set("ILOU") & set(CODE_ALPHABET)
    codes = {random_receipt_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(normalise_code(c) is not None and len(normalise_code(c) or "") == 16 for c in codes)
    # Every symbol position varies (no fixed prefix eats into the 80 bits).
    for position in range(16):
        assert len({normalise_code(c)[position] for c in codes}) > 20  # type: ignore[index]
