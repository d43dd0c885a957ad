"""`ketenzicht demo_accounts [--json]`: the demo accounts of every demo region (demo only)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.accounts.models import User
from ketenzicht.core.management.commands.load_demo import DEMO_REGIONS, demo_spec


def demo_accounts() -> list[dict[str, Any]]:
    """[{"gebruikersnaam", "wachtwoord", "rollen", "organisatie", "gemeente", "regio"}] (issue 13)."""
    rows = []
    for slug in DEMO_REGIONS:
        spec = demo_spec(slug)
        names = [entry["username"] for entry in spec["gebruikers"]]
        users = {
            u.username: u
            for u in User.objects.filter(username__in=names, is_active=True).select_related(
                "organisation__municipality", "organisation__region"
            )
        }
        for name in names:
            user = users.get(name)
            if user is None or user.organisation is None:
                continue  # not loaded (yet), or deactivated since
            org = user.organisation
            rows.append({
                "gebruikersnaam": user.username,
                "wachtwoord": spec["wachtwoord"],
                "rollen": sorted(user.role_codes),
                "organisatie": org.slug,
                "gemeente": org.municipality.cbs_code if org.municipality is not None else None,
                "regio": org.region.slug if org.region is not None else None,
            })
    return rows


class Command(BaseCommand):
    help = "Toon de demo-accounts van de demoregio's (alleen in de demo-omgeving)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help='JSON: [{"gebruikersnaam", "wachtwoord", "rollen", "organisatie", "gemeente", "regio"}]')

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Alleen beschikbaar in de demo-omgeving (DEBUG).")
        accounts = demo_accounts()
        if options["json"]:
            self.stdout.write(json.dumps(accounts, ensure_ascii=False))
            return
        if not accounts:
            self.stdout.write("Geen demo-accounts geladen. Laad de demo met: ketenzicht load_demo")
        for row in accounts:
            self.stdout.write(f"{row['gebruikersnaam']:<24} {', '.join(row['rollen']):<24} {row['organisatie']:<40} {row['regio']}")
