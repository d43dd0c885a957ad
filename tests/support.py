"""Shared fixtures: the region data and a named cast, built through the real services.

Two regions are loaded (eenheid Den Haag and Zeeland-West-Brabant) and the cast has people in
both, so every access test can check the other tenant's objects too.

The cast of eenheid Den Haag (after healthchecks' alice/bob/charlie):
- anouk: aandachtsfunctionaris (AF) of Zoeterwoude
- bram: AF of Lisse
- chantal: melder (Boa) of Zoeterwoude
- esra: police participant at the signal tables (overlegdeelnemer)
- julia: zorgcoördinator SHOP (ketenpartner)
- fleur: ketenregisseur of the district
- gijs: privacy officer of Zoeterwoude
- hanna: beheerder of the region
- otto: an outsider: a Zoeterwoude employee with no role at all
- pim: a partner system with an API token (NLA)

The cast of eenheid Zeeland-West-Brabant (ZWB):
- vera: AF of Vlissingen
- daan: AF of Breda
- mila: melder of Vlissingen
- lars: police participant at the signal tables (team AVIM ZWB)
- sanne: zorgcoördinator Sterk Huis (ketenpartner)
- koen: ketenregisseur of the region (Regionaal Aanjaagteam)
- ruben: privacy officer of the region (Regionaal Aanjaagteam)
- tessa: beheerder of the region (Regionaal Aanjaagteam)
- wout: a partner system with an API token (NLA in ZWB)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from ketenzicht.accounts.loaders import load_municipalities, load_region
from ketenzicht.accounts.models import Municipality, Organisation, User, UserRole
from ketenzicht.cases import services
from ketenzicht.cases.models import Case

# Imported once, with the tests: the production WSGI module runs django.setup(), which applies the
# LOGGING settings again; done inside a test it would take pytest's log capture off the root logger.
from ketenzicht.wsgi import Handler

PASSWORD = "Test-wachtwoord-2026!"


# The two regions of the demo and of every access test.
CAST_REGIONS = ("den-haag", "zeeland-west-brabant")


def ensure_region() -> None:
    # Browser tests flush the database between tests, so the regions are loaded on demand.
    if not Organisation.objects.filter(slug="gemeente-vlissingen").exists():
        load_municipalities()
        for slug in CAST_REGIONS:
            load_region(slug)


def make_user(username: str, org_slug: str, *roles: str, email: str = "") -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=email or f"{username}@example.test",
        first_name=username.capitalize(),
        last_name="Test",
        organisation=Organisation.objects.get(slug=org_slug),
    )
    for role in roles:
        UserRole.objects.create(user=user, role=role)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


@dataclass
class Cast:
    anouk: User
    bram: User
    chantal: User
    esra: User
    julia: User
    fleur: User
    gijs: User
    hanna: User
    otto: User
    pim: User
    pim_token: str
    vera: User
    daan: User
    mila: User
    lars: User
    sanne: User
    koen: User
    ruben: User
    tessa: User
    wout: User
    wout_token: str

    @property
    def zoeterwoude(self) -> Municipality:
        return Municipality.objects.get(cbs_code="GM0638")

    @property
    def lisse(self) -> Municipality:
        return Municipality.objects.get(cbs_code="GM0553")

    @property
    def vlissingen(self) -> Municipality:
        return Municipality.objects.get(cbs_code="GM0718")

    @property
    def breda(self) -> Municipality:
        return Municipality.objects.get(cbs_code="GM0758")

    def members(self) -> dict[str, User]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, User)}


@pytest.fixture
def region(db: Any) -> None:
    ensure_region()


@pytest.fixture
def cast(region: None) -> Cast:
    pim = make_user("pim", "nla", "partnersysteem")
    wout = make_user("wout", "nla-zeeland-west-brabant", "partnersysteem")
    return Cast(
        anouk=make_user("anouk", "gemeente-zoeterwoude", "aandachtsfunctionaris"),
        bram=make_user("bram", "gemeente-lisse", "aandachtsfunctionaris"),
        chantal=make_user("chantal", "gemeente-zoeterwoude", "melder"),
        esra=make_user("esra", "politie-den-haag-avim", "overlegdeelnemer"),
        julia=make_user("julia", "shop", "ketenpartner"),
        fleur=make_user("fleur", "districtscoordinatie-leiden-bollenstreek", "ketenregisseur"),
        gijs=make_user("gijs", "gemeente-zoeterwoude", "privacy_officer"),
        hanna=make_user("hanna", "districtscoordinatie-leiden-bollenstreek", "beheerder"),
        otto=make_user("otto", "gemeente-zoeterwoude"),
        pim=pim,
        pim_token=Token.objects.create(user=pim).key,
        vera=make_user("vera", "gemeente-vlissingen", "aandachtsfunctionaris"),
        daan=make_user("daan", "gemeente-breda", "aandachtsfunctionaris"),
        mila=make_user("mila", "gemeente-vlissingen", "melder"),
        lars=make_user("lars", "politie-zeeland-west-brabant-avim", "overlegdeelnemer"),
        sanne=make_user("sanne", "sterk-huis", "ketenpartner"),
        koen=make_user("koen", "aanjaagteam-zeeland-west-brabant", "ketenregisseur"),
        ruben=make_user("ruben", "aanjaagteam-zeeland-west-brabant", "privacy_officer"),
        tessa=make_user("tessa", "aanjaagteam-zeeland-west-brabant", "beheerder"),
        wout=wout,
        wout_token=Token.objects.create(user=wout).key,
    )


def login(client: Client, user: User) -> Client:
    """Log in with a verified second factor, as after a real TOTP login."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def report_signal(actor: User, municipality: Municipality, **overrides: Any) -> Case:
    data = services.SignalInput(
        municipality=municipality,
        description=overrides.pop("description", "Veel wisselende arbeidsmigranten in één woning."),
        location_address=overrides.pop("location_address", "Dorpsstraat 3, 2381 AB Zoeterwoude"),
        forms=overrides.pop("forms", ["arbeid"]),
        **overrides,
    )
    case, _ = services.case_create(actor=actor, data=data)
    return case


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the regions once per test database; tests roll back to them."""
    with django_db_blocker.unblock():
        ensure_region()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache. The default one is a database table (rolled back or
    flushed with the test's data, like the rate-limit counters); any other backend is cleared."""
    from django.conf import settings
    from django.core.cache import cache

    if "DatabaseCache" not in settings.CACHES["default"]["BACKEND"]:
        cache.clear()
    yield


def through_production_handler(environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """One request through the production WSGI handler (wsgi.py, the intake's fast paths before
    the middleware), as gunicorn calls it: (status, headers, body)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=int(status.split()[0]), headers=dict(headers))

    # As the test client does: the test's transaction keeps its connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = Handler()(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content
