"""Load the demo: eenheid Den Haag and Zeeland-West-Brabant, demo accounts and synthetic signals.

Each demo region has its file in data/demo/SLUG.yaml (accounts for every role, signals). Signals
are created only through the services, acting as the demo people themselves.
"""

from __future__ import annotations

from typing import Any

import yaml
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenzicht.accounts.loaders import DATA_DIR, load_municipalities
from ketenzicht.accounts.models import Municipality, Organisation, Region, User, UserRole
from ketenzicht.barriers.demo import load_demo_barriers
from ketenzicht.cases import services
from ketenzicht.cases.models import Case, SubjectRole
from ketenzicht.core.regions import load_region_complete
from ketenzicht.domain.lifecycles.base import Venue
from ketenzicht.domain.lifecycles.case import transition_for
from ketenzicht.meetings.demo import load_demo_meetings
from ketenzicht.meetings.services import table_decide
from ketenzicht.monitor.demo import load_demo_monitor
from ketenzicht.programme.demo import load_demo_programme

DEMO_DIR = DATA_DIR / "demo"
# The demo regions, in the order they are loaded and printed.
DEMO_REGIONS = ("den-haag", "zeeland-west-brabant")


def demo_spec(slug: str) -> dict[str, Any]:
    return yaml.safe_load((DEMO_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))


class Command(BaseCommand):
    help = "Laad de demo: eenheid Den Haag en Zeeland-West-Brabant met demo-accounts en synthetische signalen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Druk de accounts niet af")

    def handle(self, *args: Any, **options: Any) -> None:
        load_municipalities()
        for slug in DEMO_REGIONS:
            load_region_complete(slug)
        call_command("load_routekaart", verbosity=0)  # the four shipped maps, validated
        created = 0
        with transaction.atomic():
            per_region = [
                {u["username"]: _demo_user(u, demo_spec(slug)["wachtwoord"]) for u in demo_spec(slug)["gebruikers"]}
                for slug in DEMO_REGIONS
            ]
            # Tables first: a demo signal decided at a table is decided there (issue 18).
            load_demo_meetings()
            for slug, region_users in zip(DEMO_REGIONS, per_region, strict=True):
                if not Case.objects.filter(channel="intern", intake_key__startswith=f"{_key_prefix(slug)}:").exists():
                    for index, signal in enumerate(demo_spec(slug)["signalen"]):
                        created += _demo_signal(f"{_key_prefix(slug)}:{index}", signal, region_users)
            load_demo_barriers()
        # Outside the transactions above: the import service runs its own, all or nothing.
        for slug in DEMO_REGIONS:
            load_demo_monitor(slug)
        load_demo_programme()
        if options["quiet"]:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo geladen: eenheid Den Haag en Zeeland-West-Brabant ({created} nieuwe signalen)."))
        self.stdout.write("")
        self.stdout.write(f"Demo-accounts (wachtwoord voor allemaal: {demo_spec(DEMO_REGIONS[0])['wachtwoord']})")
        self.stdout.write("Tweestapsverificatie: voeg het geheim toe aan een authenticator-app,")
        self.stdout.write("of vraag de huidige code op met: .venv/bin/ketenzicht demo_code GEBRUIKER")
        self.stdout.write("Alle accounts als JSON: .venv/bin/ketenzicht demo_accounts --json")
        for slug, users in zip(DEMO_REGIONS, per_region, strict=True):
            self.stdout.write("")
            self.stdout.write(f"  {Region.objects.get(slug=slug).name}")
            for username, user in users.items():
                device = TOTPDevice.objects.filter(user=user).first()
                roles = ", ".join(sorted(user.role_codes))
                secret = _base32(device.bin_key) if device else "-"
                self.stdout.write(f"  {username:<24} {roles:<24} {user.organisation.name:<55} TOTP-geheim {secret}")


def _key_prefix(slug: str) -> str:
    # The first demo region kept its original keys ("demo:0" …), so an existing demo is not doubled.
    return "demo" if slug == DEMO_REGIONS[0] else f"demo-{slug}"


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


def _demo_user(entry: dict[str, Any], password: str) -> User:
    organisation = Organisation.objects.get(slug=entry["organisatie"])
    user, _ = User.objects.update_or_create(
        username=entry["username"],
        defaults={
            "first_name": entry["naam"][0],
            "last_name": entry["naam"][1],
            "email": f"{entry['username']}@demo.ketenzicht.localhost",
            "organisation": organisation,
            "is_active": True,
        },
    )
    user.set_password(password)
    user.save()
    for role in entry["rollen"]:
        UserRole.objects.get_or_create(user=user, role=role)
    if not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def _demo_signal(intake_key: str, entry: dict[str, Any], users: dict[str, User]) -> int:
    reporter = users[entry["melder"]]
    municipality = Municipality.objects.get(cbs_code=entry["gemeente"])
    subjects = []
    if "bedrijf" in entry:
        subjects.append(services.SubjectInput(role=SubjectRole.BEDRIJF, name=entry["bedrijf"]["naam"], kvk_number=entry["bedrijf"]["kvk"]))
    if "slachtoffer" in entry:
        subjects.append(services.SubjectInput(role=SubjectRole.SLACHTOFFER, description=entry["slachtoffer"]["omschrijving"]))
    case, _ = services.case_create(
        actor=reporter,
        data=services.SignalInput(
            municipality=municipality,
            description=entry["omschrijving"],
            location_address=entry.get("adres", ""),
            forms=entry["vormen"],
            minor_involved=entry.get("minderjarig", "onbekend"),
            company_name=entry.get("bedrijf", {}).get("naam", ""),
            kvk_number=entry.get("bedrijf", {}).get("kvk", ""),
            subjects=subjects,
            intake_key=intake_key,
        ),
    )
    steps = entry.get("stappen", [])
    af = next((u for u in users.values() if u.has_role("aandachtsfunctionaris") and u.organisation.municipality_id == municipality.pk), None)
    if steps and af is None:
        raise ValueError(f"demo: steps for {municipality.name}, which has no AF")
    for step in steps:
        if transition_for(step).venue is not Venue.CASE:
            # A table outcome is taken at the table: the demo signalenoverleg or LOO decides it.
            table_decide(actor=af, case=case, action=step, rationale="Besproken in het overleg (demo)")
            case.refresh_from_db()
        else:
            case = services.case_transition(actor=af, case=case, action=step, reason="Demo: stap in de behandeling")
        if step == "so_niet_bevestigd" and entry.get("terugkoppeling"):
            services.case_record_feedback(actor=af, case=case, message=entry["terugkoppeling"])
    return 1
