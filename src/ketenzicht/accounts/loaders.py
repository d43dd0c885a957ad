"""Loading reference and region data from the data files shipped with the product."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from ketenzicht.accounts.models import (
    District,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "nl" / "gemeenten_2025.csv"
REGIONS_DIR = DATA_DIR / "regions"


class RegionDataError(Exception):
    """A region file that cannot be loaded; the message names the file and the entry."""


@transaction.atomic
def load_municipalities(path: Path = MUNICIPALITIES_CSV) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Municipality.objects.update_or_create(
            cbs_code=row["gemeente_code"],
            defaults={
                "name": row["gemeente_naam"],
                "veiligheidsregio_code": row["veiligheidsregio_code"],
                "veiligheidsregio_name": row["veiligheidsregio_naam"],
                "police_unit": row["politie_eenheid"],
            },
        )
    return len(rows)


def region_path(slug_or_path: str) -> Path:
    candidate = Path(slug_or_path)
    if candidate.suffix in {".yaml", ".yml"} and candidate.exists():
        return candidate
    path = REGIONS_DIR / f"{slug_or_path}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in REGIONS_DIR.glob("*.yaml")))
        raise RegionDataError(f"Onbekende regio '{slug_or_path}'. Bekend: {known}.")
    return path


@transaction.atomic
def load_region(slug_or_path: str) -> Region:
    path = region_path(slug_or_path)
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not Municipality.objects.exists():
        load_municipalities()
    spec = data["regio"]
    region, _ = Region.objects.update_or_create(slug=spec["slug"], defaults={"name": spec["naam"]})
    Municipality.objects.filter(police_unit=spec.get("politie_eenheid", "")).update(region=region)
    for entry in data.get("districten", []):
        district, _ = District.objects.update_or_create(slug=entry["slug"], defaults={"name": entry["naam"], "region": region})
        codes = entry.get("gemeenten", [])
        found = set(Municipality.objects.filter(cbs_code__in=codes).values_list("cbs_code", flat=True))
        missing = sorted(set(codes) - found)
        if missing:
            raise RegionDataError(f"{path.name}: district '{entry['slug']}' noemt onbekende gemeente(n) {', '.join(missing)}.")
        Municipality.objects.filter(cbs_code__in=codes).update(district=district, region=region)
    kinds = set(OrganisationKind.values)
    for entry in data.get("organisaties", []):
        if entry["soort"] not in kinds:
            raise RegionDataError(f"{path.name}: organisatie '{entry['slug']}' heeft onbekende soort '{entry['soort']}'.")
        municipality = None
        if entry.get("gemeente"):
            municipality = Municipality.objects.filter(cbs_code=entry["gemeente"]).first()
            if municipality is None:
                raise RegionDataError(f"{path.name}: organisatie '{entry['slug']}' noemt onbekende gemeente '{entry['gemeente']}'.")
        Organisation.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "name": entry["naam"],
                "kind": entry["soort"],
                "region": region,
                "municipality": municipality,
                "phone": str(entry.get("telefoon", "")),
                "email": entry.get("email", ""),
                "on_platform": bool(entry.get("aangesloten", False)),
            },
        )
        if municipality is not None and entry.get("aangesloten"):
            Municipality.objects.filter(pk=municipality.pk).update(on_platform=True)
    return region
