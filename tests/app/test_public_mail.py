"""The confirmation mail to a public reporter goes through a real SMTP server, without case details."""

from __future__ import annotations

import re

from django.test import Client

from ketenzicht.cases.models import Case
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast


def _post(client: Client, **extra: str) -> str:
    page = client.get("/melden/").content.decode()
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    data = {
        "description": "Geheim detail: Piet Pietersen houdt paspoorten in.",
        "situations": ["arbeid"],
        "municipality": "Zoeterwoude",
        "location_address": "Kasweg 12",
        "form_key": key,
        "actie": "versturen",
        **extra,
    }
    response = client.post("/melden/", data)
    return re.search(r'data-testid="receipt-code">([0-9A-Z-]+)<', response.content.decode()).group(1)  # type: ignore[union-attr]


def test_confirmation_mail_has_code_and_status_address_but_no_details(client: Client, cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        code = _post(client, contact_email="melder@example.test")
    # The reporter's confirmation; the AF's notification (link only) is tested in test_notifications.
    to_reporter = [m for m in smtp_server.messages if m["To"] == "melder@example.test"]
    assert len(to_reporter) == 1
    mail = to_reporter[0]
    body = mail.get_content()
    assert code in body and "http://testserver/melden/status/" in body
    case = Case.objects.get()
    for detail in ("Piet", "paspoort", "Kasweg", case.reference, "Zoeterwoude"):
        assert detail not in body and detail not in mail["Subject"]


def test_confirmation_mail_is_in_the_reporters_language(client: Client, cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    client.cookies["django_language"] = "uk"
    with django_capture_on_commit_callbacks(execute=True):
        code = _post(client, contact_email="melder@example.test")
    mail = next(m for m in smtp_server.messages if m["To"] == "melder@example.test")
    assert mail["Subject"].strip() == "Ваше повідомлення отримано"
    assert code in mail.get_content() and "112" in mail.get_content()


def test_no_mail_without_an_address_and_none_for_a_double_submit(client: Client, cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        _post(client)
    assert [m for m in smtp_server.messages if m["To"] != "anouk@example.test"] == []
    page = client.get("/melden/").content.decode()
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    data = {"description": "Iets gezien", "municipality": "Lisse", "location_description": "bij het station", "form_key": key, "contact_email": "a@example.test", "actie": "versturen"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/melden/", data)
        client.post("/melden/", data)
    assert len([m for m in smtp_server.messages if m["To"] == "a@example.test"]) == 1
