"""Bad input on the internal meldroute, and the security baseline around it."""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from ketenzicht.cases.models import Attachment, Case
from tests.support import PASSWORD, Cast, login, report_signal


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _form(cast: Cast, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "description": "Matrassen in de schuur",
        "municipality": cast.zoeterwoude.pk,
        "minor_involved": "onbekend",
        "exploitation_forms": ["arbeid"],
        "intake_key": "form-key-1",
    }
    data.update(overrides)
    return data


def test_report_is_saved_with_photo(client: Client, cast: Cast) -> None:
    login(client, cast.chantal)
    upload = SimpleUploadedFile("foto.png", _png(), content_type="image/png")
    response = client.post(reverse("intake:report"), _form(cast, attachments=[upload]))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.reporter == cast.chantal and case.channel == "intern"
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "image/png" and "foto" not in attachment.file.name


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"description": ""}, "Beschrijf wat u heeft gezien"),
        ({"observed_on": (date.today() + timedelta(days=3)).isoformat()}, "in de toekomst"),
        ({"observed_on": "31-02-2026"}, "Vul een geldige datum in"),
        ({"municipality": 999999}, "Kies een gemeente uit de lijst"),
        ({"kvk_number": "123"}, "8 cijfers"),
        ({"exploitation_forms": ["mensensmokkel"]}, "is geen beschikbare keuze"),
    ],
)
def test_bad_input_is_explained_and_typed_text_kept(client: Client, cast: Cast, overrides: dict[str, object], message: str) -> None:
    login(client, cast.chantal)
    response = client.post(reverse("intake:report"), _form(cast, location_address="Kerkstraat 1", **overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'value="Kerkstraat 1"' in page
    assert Case.objects.count() == 0


def test_mislabelled_file_is_refused(client: Client, cast: Cast) -> None:
    login(client, cast.chantal)
    upload = SimpleUploadedFile("rapport.pdf", _png(), content_type="application/pdf")
    response = client.post(reverse("intake:report"), _form(cast, attachments=[upload]))
    assert "past niet bij de inhoud" in response.content.decode()
    assert Case.objects.count() == 0


def test_executable_disguised_as_photo_is_refused(client: Client, cast: Cast) -> None:
    login(client, cast.chantal)
    upload = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
    response = client.post(reverse("intake:report"), _form(cast, attachments=[upload]))
    assert "geen foto of PDF" in response.content.decode()
    assert Case.objects.count() == 0


def test_oversized_file_is_refused(client: Client, cast: Cast, settings) -> None:
    settings.MAX_ATTACHMENT_BYTES = 50
    login(client, cast.chantal)
    upload = SimpleUploadedFile("foto.png", _png() + b"\x00" * 100, content_type="image/png")
    response = client.post(reverse("intake:report"), _form(cast, attachments=[upload]))
    assert "te groot" in response.content.decode()
    assert Case.objects.count() == 0


def test_double_submit_makes_one_case(client: Client, cast: Cast) -> None:
    login(client, cast.chantal)
    first = client.post(reverse("intake:report"), _form(cast))
    second = client.post(reverse("intake:report"), _form(cast), follow=True)
    assert first.status_code == 302
    assert Case.objects.count() == 1
    assert "was al ontvangen" in second.content.decode()


def test_acute_danger_is_saved_and_tells_to_call_112(client: Client, cast: Cast) -> None:
    login(client, cast.chantal)
    response = client.post(reverse("intake:report"), _form(cast, acute_danger="on"), follow=True)
    assert Case.objects.get().acute_danger is True
    assert "bel 112" in response.content.decode()


def test_melder_sees_only_own_reports(client: Client, cast: Cast) -> None:
    mine = report_signal(cast.chantal, cast.zoeterwoude)
    colleague = report_signal(cast.anouk, cast.zoeterwoude)
    login(client, cast.chantal)
    page = client.get(reverse("intake:own_reports")).content.decode()
    assert mine.reference in page and colleague.reference not in page


# --- security baseline ------------------------------------------------------------------------


def test_login_without_second_factor_reaches_no_page(client: Client, cast: Cast) -> None:
    client.force_login(cast.anouk)  # password only, no TOTP verification
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_user_without_authenticator_is_sent_to_setup(client: Client, cast: Cast) -> None:
    cast.anouk.totpdevice_set.all().delete()
    client.force_login(cast.anouk)
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 302 and response["Location"] == reverse("two_factor:setup")


def test_repeated_failed_logins_lock_the_account(client: Client, cast: Cast, settings) -> None:
    url = reverse("two_factor:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"login_view-current_step": "auth", "auth-username": "anouk", "auth-password": "fout"})
    response = client.post(url, {"login_view-current_step": "auth", "auth-username": "anouk", "auth-password": PASSWORD})
    assert response.status_code == 429
    assert "tijdelijk geblokkeerd" in response.content.decode()


def test_security_headers_and_cookies(client: Client, cast: Cast) -> None:
    login(client, cast.anouk)
    response = client.get(reverse("cases:queue"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["httponly"] and session_cookie["samesite"] == "Lax"


def test_session_expires_after_inactivity(settings) -> None:
    assert settings.SESSION_COOKIE_AGE <= 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_error_pages_name_no_case_or_person(client: Client, cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude, description="Jan Jansen werkt zonder loon")
    login(client, cast.bram)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert case.reference not in page and "Jan Jansen" not in page and str(case.pk) not in page


def test_logs_carry_no_personal_data(client: Client, cast: Cast, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    login(client, cast.chantal)
    client.post(reverse("intake:report"), _form(cast, description="Piet de Vries uit Lisse", location_address="Kerkstraat 9"))
    client.get(reverse("intake:own_reports") + "?zoek=Piet+de+Vries")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Piet" not in text and "Kerkstraat" not in text


def test_healthz_reports_database(client: Client, db: None) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["database"] == "up"


def test_healthz_is_503_when_the_database_is_down(client: Client, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from ketenzicht.core import views

    class DownDatabase:
        def cursor(self) -> None:
            raise OSError("database unreachable")

    monkeypatch.setattr(views, "connection", DownDatabase())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["database"] == "down"
