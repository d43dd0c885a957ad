"""Invitations and "wachtwoord vergeten": one-time links over real SMTP, Django's validators,
TOTP enrolment with backup codes, and each bad input answered in Dutch (issue 16 item 1)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenzicht.accounts.links import token_hash
from ketenzicht.accounts.models import AccountLink, User
from tests.app.accounts_support import real_login
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import PASSWORD, Cast, login

pytestmark = pytest.mark.django_db
GOOD = "Lange-zin-met-Koffie-42"


def _invite(cast: Cast, capture, email: str = "lotte@example.test") -> None:  # noqa: ANN001
    with capture(execute=True):
        response = login(Client(), cast.hanna).post(
            "/beheer/gebruikers/",
            {"first_name": "Lotte", "last_name": "de Vries", "email": email, "organisation": cast.anouk.organisation_id, "roles": ["aandachtsfunctionaris"]},
            follow=True,
        )
    assert "Lotte de Vries is uitgenodigd" in response.content.decode()


def _invitations(inbox) -> list:  # noqa: ANN001
    return [m for m in inbox.messages if m["To"] == "lotte@example.test"]


def _link(message) -> str:  # noqa: ANN001
    return re.search(r"http://[^\s]+/account/welkom/([^\s/]+)/", message.get_content()).group(0).split("127.0.0.1:8000")[1]


def test_invitation_link_password_totp_and_backup_codes(cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    _invite(cast, django_capture_on_commit_callbacks)
    [mail] = [m for m in smtp_server.messages if m["To"] == "lotte@example.test"]
    assert mail["To"] == "lotte@example.test" and mail["Subject"] == "Uitnodiging voor Ketenzicht"
    path = _link(mail)
    token = path.rstrip("/").rsplit("/", 1)[1]
    # Only the hash is stored.
    stored = AccountLink.objects.get()
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash
    client = Client()
    response = client.get(path)
    assert response.status_code == 302 and token not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Welkom bij Ketenzicht" in page and "lotte@example.test" in page
    # A weak password: Django's validators, in Dutch; what was typed stays in the form.
    weak = client.post(response["Location"], {"new_password1": "sanne12345", "new_password2": "sanne12345"})
    assert weak.status_code == 400
    text = weak.content.decode()
    assert "Dit wachtwoord is te kort" in text and 'value="sanne12345"' in text
    assert not User.objects.get(email="lotte@example.test").has_usable_password()
    done = client.post(response["Location"], {"new_password1": GOOD, "new_password2": GOOD})
    assert done["Location"] == "/account/two_factor/setup/"
    # Enrol TOTP: the wizard shows a QR code and the secret; a wrong code is refused in Dutch.
    setup = client.post("/account/two_factor/setup/", {"setup_view-current_step": "welcome"}).content.decode()
    assert "Open de app op uw telefoon en scan deze QR-code" in setup
    assert client.get("/account/two_factor/qrcode/")["Content-Type"].startswith("image/svg")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', setup).group(1)
    wrong = client.post("/account/two_factor/setup/", {"setup_view-current_step": "generator", "generator-token": "000000"}).content.decode()
    assert "Deze code klopt niet" in wrong
    import base64

    code = f"{TOTP(base64.b32decode(secret)).token():06d}"
    assert client.post("/account/two_factor/setup/", {"setup_view-current_step": "generator", "generator-token": code})["Location"] == "/account/two_factor/setup/complete/"
    codes = client.post("/account/two_factor/backup/tokens/").content.decode()
    if "data-testid" not in codes:
        codes = client.get("/account/two_factor/backup/tokens/").content.decode()
    assert codes.count("<li><code>") == 10
    sanne = User.objects.get(email="lotte@example.test")
    assert StaticDevice.objects.get(user=sanne).token_set.count() == 10
    # The link was single use.
    again = Client().get(path)
    assert again.status_code == 400 and "al gebruikt" in again.content.decode()


def test_an_expired_invitation_says_so_and_a_new_one_replaces_the_old(cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    _invite(cast, django_capture_on_commit_callbacks)
    first = _link(_invitations(smtp_server)[0])
    AccountLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(first)
    assert response.status_code == 400 and "verlopen" in response.content.decode() and "beheerder" in response.content.decode()
    sanne = User.objects.get(email="lotte@example.test")
    AccountLink.objects.update(expires_at=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        login(Client(), cast.hanna).post(f"/beheer/gebruikers/{sanne.pk}/account/", {"actie": "uitnodigen"})
    assert Client().get(first).status_code == 400  # replaced
    assert Client().get(_link(_invitations(smtp_server)[1])).status_code == 302


def test_a_second_account_for_one_address_is_refused_keeping_the_input(cast: Cast) -> None:
    response = login(Client(), cast.hanna).post(
        "/beheer/gebruikers/", {"first_name": "Anouk", "last_name": "Tweede", "email": "ANOUK@example.test", "organisation": cast.anouk.organisation_id, "roles": ["melder"]}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Er is al een account met dit e-mailadres" in page and 'value="Tweede"' in page


def test_forgot_password_tells_nobody_whether_an_account_exists(cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post("/account/wachtwoord-vergeten/", {"email": "anouk@example.test"})
        unknown = Client().post("/account/wachtwoord-vergeten/", {"email": "niemand@example.test"})
    assert known.status_code == unknown.status_code == 200
    def same(response, email: str) -> str:  # noqa: ANN001
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode().replace(email, "X"))

    assert same(known, "anouk@example.test") == same(unknown, "niemand@example.test")
    assert [m["To"] for m in smtp_server.messages] == ["anouk@example.test"]
    body = smtp_server.messages[0].get_content()
    assert "Ketenzicht" in body and "Zoeterwoude" not in body


def test_a_reset_link_sets_a_new_password_once_and_ends_other_sessions(cast: Cast, smtp_server, django_capture_on_commit_callbacks) -> None:  # noqa: F811
    elsewhere = Client()
    real_login(elsewhere, "anouk", PASSWORD, cast.anouk)
    assert elsewhere.get("/werkvoorraad/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/account/wachtwoord-vergeten/", {"email": "anouk@example.test"})
    path = _link(smtp_server.messages[0])
    client = Client()
    form = client.get(path)["Location"]
    mismatch = client.post(form, {"new_password1": GOOD, "new_password2": GOOD + "x"})
    assert mismatch.status_code == 400 and "komen niet overeen" in mismatch.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(form, {"new_password1": GOOD, "new_password2": GOOD})
    assert done["Location"] == "/account/login/"
    # The owner is told at once, by a mail without details.
    told = [m for m in smtp_server.messages if m["To"] == "anouk@example.test" and "Beveiliging van uw account" in m["Subject"]]
    assert len(told) == 1 and "/berichten/" in told[0].get_content()
    assert elsewhere.get("/werkvoorraad/").status_code == 302  # the old session is gone
    # The code used above cannot be used twice; the next 30-second window gives a fresh one.
    TOTPDevice.objects.filter(user=cast.anouk).update(last_t=-1)
    assert real_login(Client(), "anouk@example.test", GOOD, cast.anouk).status_code == 302
    assert "al gebruikt" in Client().get(path).content.decode()


def test_a_wrong_code_at_login_is_answered_in_dutch(cast: Cast) -> None:
    client = Client()
    client.post("/account/login/", {"login_view-current_step": "auth", "auth-username": "anouk", "auth-password": PASSWORD})
    page = client.post("/account/login/", {"login_view-current_step": "token", "token-otp_token": "000000"}).content.decode()
    assert "Deze code klopt niet" in page and "Invalid token" not in page
