"""Load the demo region: municipalities, eenheid Den Haag, demo accounts and synthetic signals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenzicht.accounts.loaders import DATA_DIR, load_municipalities, load_region
from ketenzicht.accounts.models import Municipality, Organisation, User, UserRole
from ketenzicht.barriers.demo import load_demo_barriers
from ketenzicht.cases import services
from ketenzicht.cases.models import Case, SubjectRole
from ketenzicht.domain.lifecycles.base import Venue
from ketenzicht.domain.lifecycles.case import transition_for
from ketenzicht.meetings.demo import load_demo_meetings
from ketenzicht.meetings.services import table_decide
from ketenzicht.monitor.demo import load_demo_monitor
from ketenzicht.persons.demo import load_demo_persons
from ketenzicht.programme.demo import load_demo_programme

DEMO_FILE = DATA_DIR / "demo" / "den-haag.yaml"


class Command(BaseCommand):
    help = "Laad de demoregio (eenheid Den Haag) met demo-accounts en synthetische signalen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEMO_FILE))
        parser.add_argument("--quiet", action="store_true", help="Druk de accounts niet af")

    def handle(self, *args: Any, **options: Any) -> None:
        load_municipalities()
        load_region("den-haag")
        call_command("load_routekaart", verbosity=0)  # the four shipped maps, validated
        spec = yaml.safe_load(Path(options["file"]).read_text(encoding="utf-8"))
        with transaction.atomic():
            users = {u["username"]: _demo_user(u, spec["wachtwoord"]) for u in spec["gebruikers"]}
            created = 0
            # Tables first: a demo signal decided at a table is decided there (issue 18).
            load_demo_meetings()
            if not Case.objects.filter(channel="intern", intake_key__startswith="demo:").exists():
                for index, signal in enumerate(spec["signalen"]):
                    created += _demo_signal(index, signal, users)
            load_demo_barriers()
        # Outside the transaction above: the import service runs its own, all or nothing.
        # Persons first: the monitor demo makes the first release, which carries the persons too.
        load_demo_persons()
        load_demo_monitor()
        load_demo_programme()
        if options["quiet"]:
            return
        self.stdout.write(self.style.SUCCESS(f"Demoregio geladen ({created} nieuwe signalen)."))
        self.stdout.write("")
        self.stdout.write(f"Demo-accounts (wachtwoord voor allemaal: {spec['wachtwoord']})")
        self.stdout.write("Tweestapsverificatie: voeg het geheim toe aan een authenticator-app,")
        self.stdout.write("of vraag de huidige code op met: .venv/bin/ketenzicht demo_code GEBRUIKER")
        self.stdout.write("")
        for username, user in users.items():
            device = TOTPDevice.objects.filter(user=user).first()
            roles = ", ".join(sorted(user.role_codes))
            secret = _base32(device.bin_key) if device else "-"
            self.stdout.write(f"  {username:<24} {roles:<24} {user.organisation.name:<45} TOTP-geheim {secret}")


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


def _demo_signal(index: int, entry: dict[str, Any], users: dict[str, User]) -> int:
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
            intake_key=f"demo:{index}",
        ),
    )
    af = next(u for u in users.values() if u.has_role("aandachtsfunctionaris") and u.organisation.municipality_id == municipality.pk)
    for step in entry.get("stappen", []):
        if transition_for(step).venue is not Venue.CASE:
            # A table outcome is taken at the table: the demo signalenoverleg or LOO decides it.
            table_decide(actor=af, case=case, action=step, rationale="Besproken in het overleg (demo)")
            case.refresh_from_db()
        else:
            case = services.case_transition(actor=af, case=case, action=step, reason="Demo: stap in de behandeling")
        if step == "so_niet_bevestigd" and entry.get("terugkoppeling"):
            services.case_record_feedback(actor=af, case=case, message=entry["terugkoppeling"])
    return 1
