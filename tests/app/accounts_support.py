"""A second region for the user-management tests: Zeeland-West-Brabant with Vlissingen.

Built here so these tests stand on their own; each person has a verified TOTP device like the cast.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketenzicht.accounts.models import Municipality, Organisation, OrganisationKind, Region, User
from tests.support import make_user


@dataclass
class OtherRegion:
    region: Region
    vlissingen: Organisation
    zoe: User  # beheerder of Zeeland-West-Brabant
    piet: User  # privacy officer of Zeeland-West-Brabant
    vera: User  # AF of Vlissingen


def _person(username: str, org_slug: str, role: str) -> User:
    # The shared cast may already have this person (it spans two regions); reuse them then.
    existing = User.objects.filter(username=username).first()
    return existing if existing is not None else make_user(username, org_slug, role)


def other_region() -> OtherRegion:
    region, _ = Region.objects.get_or_create(slug="zeeland-west-brabant", defaults={"name": "Zeeland-West-Brabant"})
    municipality = Municipality.objects.get(cbs_code="GM0718")
    Municipality.objects.filter(pk=municipality.pk).update(region=region, on_platform=True)
    vlissingen, _ = Organisation.objects.get_or_create(
        slug="gemeente-vlissingen",
        defaults={"name": "Gemeente Vlissingen", "kind": OrganisationKind.GEMEENTE, "region": region, "municipality": municipality, "on_platform": True},
    )
    return OtherRegion(
        region=region,
        vlissingen=vlissingen,
        zoe=_person("zoe", "gemeente-vlissingen", "beheerder"),
        piet=_person("piet", "gemeente-vlissingen", "privacy_officer"),
        vera=_person("vera", "gemeente-vlissingen", "aandachtsfunctionaris"),
    )


def totp_code(user: User) -> str:
    """The current code of the person's authenticator, as their phone would show it."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def real_login(client: object, username: str, password: str, user: User) -> object:
    """Log in through the two login steps (password, then the app's code)."""
    client.post("/account/login/", {"login_view-current_step": "auth", "auth-username": username, "auth-password": password})  # type: ignore[attr-defined]
    return client.post("/account/login/", {"login_view-current_step": "token", "token-otp_token": totp_code(user)})  # type: ignore[attr-defined]
