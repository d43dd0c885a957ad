"""Staff SSO through OpenID Connect against a real local provider: off by default, links invited
accounts only, keeps Ketenzicht's roles, and "2FA here, or MFA asserted by the IdP"."""

from __future__ import annotations

import time

import pytest
import requests
from django.test import Client

from ketenzicht.accounts.models import User
from tests.app.accounts_support import other_region, totp_code
from tests.oidc_provider import Provider, oidc_provider  # noqa: F401 - fixture
from tests.support import Cast

pytestmark = pytest.mark.django_db


def _sso_login(client: Client, provider: Provider):  # noqa: ANN202
    """Start at Ketenzicht, pass the provider over real HTTP, come back to the callback."""
    start = client.get("/account/sso/start/")
    assert start.status_code == 302 and start["Location"].startswith(provider.base + "/authorize")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    callback = at_provider.headers["Location"].removeprefix("http://testserver")
    return client.get(callback)


def test_sso_is_off_unless_configured(cast: Cast) -> None:
    assert Client().get("/account/sso/start/").status_code == 404
    assert "inlogdienst" not in Client().get("/account/login/").content.decode()


def test_mfa_asserted_by_the_provider_counts_as_the_second_factor(cast: Cast, oidc_provider: Provider) -> None:  # noqa: F811
    oidc_provider.claims = {"sub": "idp-anouk", "email": "ANOUK@example.test", "amr": ["pwd", "mfa"]}
    client = Client()
    assert "inlogdienst van uw organisatie" in client.get("/account/login/").content.decode()
    done = _sso_login(client, oidc_provider)
    assert done.status_code == 302 and oidc_provider.token_requests == 1
    assert client.get("/werkvoorraad/").status_code == 200  # her own work, as with a password
    assert client.get("/beheer/gebruikers/").status_code == 403  # and no more: Ketenzicht's roles
    assert User.objects.get(pk=cast.anouk.pk).oidc_subject == "idp-anouk"


def test_without_mfa_at_the_provider_the_ketenzicht_code_is_asked(cast: Cast, oidc_provider: Provider) -> None:  # noqa: F811
    oidc_provider.claims = {"sub": "idp-bram", "email": "bram@example.test", "amr": ["pwd"], "acr": "urn:laag"}
    client = Client()
    done = _sso_login(client, oidc_provider)
    assert done["Location"] == "/account/sso/code/"
    assert client.get("/werkvoorraad/")["Location"] == "/account/sso/code/"
    wrong = client.post("/account/sso/code/", {"code": "000000"})
    assert wrong.status_code == 400 and "Deze code klopt niet" in wrong.content.decode() and 'value="000000"' in wrong.content.decode()
    time.sleep(1.1)  # django-otp slows down tries after a wrong code (1 s after the first)
    assert client.post("/account/sso/code/", {"code": totp_code(cast.bram)}).status_code == 302
    assert client.get("/werkvoorraad/").status_code == 200


def test_an_acr_value_the_installation_trusts_counts_as_mfa(cast: Cast, oidc_provider: Provider, settings) -> None:  # noqa: F811
    settings.OIDC_MFA_ACR_VALUES = ["urn:etoegang:core:assurance-class:loa3"]
    oidc_provider.claims = {"sub": "idp-anouk", "email": "anouk@example.test", "acr": "urn:etoegang:core:assurance-class:loa3"}
    client = Client()
    _sso_login(client, oidc_provider)
    assert client.get("/werkvoorraad/").status_code == 200


def test_no_account_from_the_provider_and_none_for_a_deactivated_or_other_person(cast: Cast, oidc_provider: Provider) -> None:  # noqa: F811
    zwb = other_region()
    oidc_provider.claims = {"sub": "idp-onbekend", "email": "onbekend@example.test", "amr": ["mfa"]}
    client = Client()
    refused = _sso_login(client, oidc_provider)
    assert refused["Location"] == "/account/login/"
    assert "niet gelukt" in client.get("/account/login/").content.decode()
    assert not User.objects.filter(email="onbekend@example.test").exists()
    assert client.get("/werkvoorraad/").status_code == 302
    # A deactivated account stays out.
    User.objects.filter(pk=zwb.vera.pk).update(is_active=False)
    oidc_provider.claims = {"sub": "idp-vera", "email": "vera@example.test", "amr": ["mfa"]}
    assert _sso_login(Client(), oidc_provider)["Location"] == "/account/login/"
    # Once linked, the subject decides: someone else's address at the provider does not take over.
    oidc_provider.claims = {"sub": "idp-anouk", "email": "anouk@example.test", "amr": ["mfa"]}
    _sso_login(Client(), oidc_provider)
    oidc_provider.claims = {"sub": "idp-iemand-anders", "email": "anouk@example.test", "amr": ["mfa"]}
    other = Client()
    assert _sso_login(other, oidc_provider)["Location"] == "/account/login/"
