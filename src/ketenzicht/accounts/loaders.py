"""Loading reference and region data from the data files shipped with the product.

A region file (`data/regions/SLUG.yaml`, format in docs/regions.md) is read and checked as a
whole before anything is written: every CBS code against the CBS 2025 indeling, every
municipality in at most one district, every organisation with a known type, no slug twice
(in the file, nor owned by another region in the database). A wrong file raises
`RegionDataError` naming the file, the key and what is wrong, and the database is untouched.
Loading the same file again changes nothing (idempotent).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
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

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-()/]{2,38}$")
_TOP_KEYS = {"regio", "gemeenten", "districten", "organisaties"}
_CONTACT_KEYS = {"telefoon", "email", "website"}


class RegionDataError(Exception):
    """A region file that cannot be loaded; the message names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")


@dataclass(frozen=True)
class CbsMunicipality:
    code: str
    name: str
    police_unit: str


def cbs_municipalities(path: Path = MUNICIPALITIES_CSV) -> dict[str, CbsMunicipality]:
    """The CBS 2025 indeling shipped with the product, by CBS code."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["gemeente_code"]: CbsMunicipality(row["gemeente_code"], row["gemeente_naam"], row["politie_eenheid"])
            for row in csv.DictReader(handle)
        }


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


def available_regions(directory: Path = REGIONS_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.yaml"))


def region_path(slug_or_path: str) -> Path:
    candidate = Path(slug_or_path)
    if candidate.suffix in {".yaml", ".yml"}:
        if not candidate.is_file():
            raise RegionDataError(candidate.name, "", "bestand bestaat niet.")
        return candidate
    path = REGIONS_DIR / f"{slug_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(available_regions())
        raise RegionDataError(f"{slug_or_path}.yaml", "", f"onbekende regio '{slug_or_path}'. Bekend: {known}.")
    return path


# --- reading and checking a file (no database writes) ----------------------------------------
@dataclass(frozen=True)
class DistrictSpec:
    slug: str
    name: str
    municipalities: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationSpec:
    slug: str
    name: str
    kind: str
    municipality: str | None
    district: str | None
    phone: str
    email: str
    website: str
    on_platform: bool


@dataclass(frozen=True)
class RegionSpec:
    file: str
    slug: str
    name: str
    police_unit: str
    municipalities: tuple[str, ...]
    districts: tuple[DistrictSpec, ...] = ()
    organisations: tuple[OrganisationSpec, ...] = field(default_factory=tuple)


class _Reader:
    """Checks one parsed file; every complaint names the key it is about."""

    def __init__(self, file: str, cbs: dict[str, CbsMunicipality]) -> None:
        self.file, self.cbs = file, cbs

    def fail(self, key: str, problem: str) -> RegionDataError:
        return RegionDataError(self.file, key, problem)

    def text(self, entry: dict[str, Any], key: str, where: str) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "ontbreekt of is leeg.")
        return value.strip()

    def slug(self, entry: dict[str, Any], where: str) -> str:
        value = self.text(entry, "slug", where)
        if not _SLUG.match(value):
            raise self.fail(f"{where}.slug", f"'{value}' is geen geldige slug (kleine letters, cijfers en streepjes).")
        return value

    def mapping_list(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(key, "moet een lijst van items met sleutels zijn.")
        return value

    def code(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or value not in self.cbs:
            raise self.fail(key, f"onbekende CBS-code '{value}': niet in de CBS-indeling 2025 (data/nl/gemeenten_2025.csv).")
        return value


def read_region(path: Path, *, cbs: dict[str, CbsMunicipality] | None = None) -> RegionSpec:
    """Parse and check a region file completely; raises RegionDataError, writes nothing."""
    cbs = cbs if cbs is not None else cbs_municipalities()
    reader = _Reader(path.name, cbs)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise reader.fail("", f"geen leesbare YAML ({exc.__class__.__name__}).") from exc
    if not isinstance(data, dict):
        raise reader.fail("", "het bestand moet sleutels regio, gemeenten, districten en organisaties hebben.")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise reader.fail(unknown[0], f"onbekende sleutel; toegestaan zijn {', '.join(sorted(_TOP_KEYS))}.")
    spec = data.get("regio")
    if not isinstance(spec, dict):
        raise reader.fail("regio", "ontbreekt (slug, naam en politie_eenheid).")
    slug = reader.slug(spec, "regio")
    name = reader.text(spec, "naam", "regio")
    unit = reader.text(spec, "politie_eenheid", "regio")
    units = {m.police_unit for m in cbs.values()}
    if unit not in units:
        raise reader.fail("regio.politie_eenheid", f"'{unit}' is geen politie-eenheid van de CBS-indeling 2025 ({', '.join(sorted(units))}).")
    municipalities = _read_municipalities(reader, data.get("gemeenten"), unit)
    districts = _read_districts(reader, data, set(municipalities))
    organisations = _read_organisations(reader, data, set(municipalities), {d.slug for d in districts})
    return RegionSpec(path.name, slug, name, unit, municipalities, districts, organisations)


def _read_municipalities(reader: _Reader, raw: Any, unit: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise reader.fail("gemeenten", "ontbreekt: noem alle gemeenten van de politie-eenheid (CBS-codes).")
    seen: list[str] = []
    for index, value in enumerate(raw):
        code = reader.code(value, f"gemeenten[{index}]")
        if code in seen:
            raise reader.fail(f"gemeenten[{index}]", f"{code} ({reader.cbs[code].name}) staat twee keer in de lijst.")
        if reader.cbs[code].police_unit != unit:
            raise reader.fail(
                f"gemeenten[{index}]",
                f"{code} ({reader.cbs[code].name}) hoort volgens de CBS-indeling 2025 bij politie-eenheid "
                f"{reader.cbs[code].police_unit}, niet bij {unit}.",
            )
        seen.append(code)
    missing = sorted(c for c, m in reader.cbs.items() if m.police_unit == unit and c not in seen)
    if missing:
        names = ", ".join(f"{c} ({reader.cbs[c].name})" for c in missing)
        raise reader.fail("gemeenten", f"onvolledig: politie-eenheid {unit} heeft in de CBS-indeling 2025 ook {names}.")
    return tuple(seen)


def _read_districts(reader: _Reader, data: dict[str, Any], region_codes: set[str]) -> tuple[DistrictSpec, ...]:
    districts: list[DistrictSpec] = []
    owner: dict[str, str] = {}
    for index, entry in enumerate(reader.mapping_list(data, "districten")):
        where = f"districten[{index}]"
        slug = reader.slug(entry, where)
        if any(d.slug == slug for d in districts):
            raise reader.fail(f"{where}.slug", f"dubbele slug '{slug}': elk district heeft een eigen slug.")
        name = reader.text(entry, "naam", where)
        codes = entry.get("gemeenten") or []
        if not isinstance(codes, list):
            raise reader.fail(f"{where}.gemeenten", "moet een lijst van CBS-codes zijn.")
        for position, value in enumerate(codes):
            key = f"{where}.gemeenten[{position}]"
            code = reader.code(value, key)
            if code not in region_codes:
                raise reader.fail(key, f"{code} ({reader.cbs[code].name}) hoort niet bij de gemeenten van deze regio.")
            if code in owner:
                raise reader.fail(key, f"{code} ({reader.cbs[code].name}) staat in twee districten: '{owner[code]}' en '{slug}'.")
            owner[code] = slug
        districts.append(DistrictSpec(slug, name, tuple(codes)))
    return tuple(districts)


def _read_contact(reader: _Reader, entry: dict[str, Any], where: str) -> dict[str, str]:
    contact = entry.get("contact") or {}
    if not isinstance(contact, dict):
        raise reader.fail(f"{where}.contact", "moet sleutels telefoon, email en/of website hebben.")
    unknown = sorted(set(contact) - _CONTACT_KEYS)
    if unknown:
        raise reader.fail(f"{where}.contact.{unknown[0]}", "onbekende sleutel; toegestaan zijn telefoon, email en website.")
    values = {key: str(contact.get(key) or "").strip() for key in _CONTACT_KEYS}
    if values["telefoon"] and not _PHONE.match(values["telefoon"]):
        raise reader.fail(f"{where}.contact.telefoon", f"'{values['telefoon']}' is geen telefoonnummer.")
    try:
        if values["email"]:
            validate_email(values["email"])
    except ValidationError as exc:
        raise reader.fail(f"{where}.contact.email", f"'{values['email']}' is geen e-mailadres.") from exc
    try:
        if values["website"]:
            URLValidator(schemes=["https", "http"])(values["website"])
    except ValidationError as exc:
        raise reader.fail(f"{where}.contact.website", f"'{values['website']}' is geen webadres (https://…).") from exc
    return values


def _read_organisations(
    reader: _Reader, data: dict[str, Any], region_codes: set[str], district_slugs: set[str]
) -> tuple[OrganisationSpec, ...]:
    kinds = set(OrganisationKind.values)
    organisations: list[OrganisationSpec] = []
    for index, entry in enumerate(reader.mapping_list(data, "organisaties")):
        where = f"organisaties[{index}]"
        slug = reader.slug(entry, where)
        where = f"{where} ({slug})"
        if any(o.slug == slug for o in organisations):
            raise reader.fail(f"{where}.slug", f"dubbele slug '{slug}': elke organisatie heeft een eigen slug.")
        name = reader.text(entry, "naam", where)
        kind = entry.get("soort")
        if not kind:
            raise reader.fail(f"{where}.soort", f"ontbreekt: elke organisatie heeft een soort ({', '.join(sorted(kinds))}).")
        if kind not in kinds:
            raise reader.fail(f"{where}.soort", f"onbekende soort '{kind}'; kies uit {', '.join(sorted(kinds))}.")
        municipality = entry.get("gemeente")
        if municipality is not None:
            municipality = reader.code(municipality, f"{where}.gemeente")
            if municipality not in region_codes:
                raise reader.fail(f"{where}.gemeente", f"{municipality} hoort niet bij de gemeenten van deze regio.")
        if kind == OrganisationKind.GEMEENTE and municipality is None:
            raise reader.fail(f"{where}.gemeente", "ontbreekt: een organisatie van soort gemeente noemt haar gemeente (CBS-code).")
        district = entry.get("district")
        if district is not None and district not in district_slugs:
            raise reader.fail(f"{where}.district", f"'{district}' is geen district van deze regio.")
        aangesloten = entry.get("aangesloten", False)
        if not isinstance(aangesloten, bool):
            raise reader.fail(f"{where}.aangesloten", "moet true of false zijn.")
        contact = _read_contact(reader, entry, where)
        organisations.append(
            OrganisationSpec(slug, name, kind, municipality, district, contact["telefoon"], contact["email"], contact["website"], aangesloten)
        )
    return tuple(organisations)


# --- writing (one transaction, after every check) ----------------------------------------------
def _check_against_database(spec: RegionSpec) -> None:
    """Slugs and municipalities owned by another region: refused before anything is written."""
    def fail(key: str, problem: str) -> RegionDataError:
        return RegionDataError(spec.file, key, problem)

    other = Region.objects.exclude(slug=spec.slug).filter(police_unit=spec.police_unit).first()
    if other is not None:
        raise fail("regio.politie_eenheid", f"politie-eenheid {spec.police_unit} is al geladen als regio '{other.slug}'.")
    taken = Municipality.objects.filter(cbs_code__in=spec.municipalities, region__isnull=False).exclude(region__slug=spec.slug).select_related("region").first()
    if taken is not None:
        raise fail("gemeenten", f"{taken.cbs_code} ({taken.name}) hoort al bij regio '{taken.region.slug}'.")
    for index, district in enumerate(spec.districts):
        clash = District.objects.filter(slug=district.slug).exclude(region__slug=spec.slug).select_related("region").first()
        if clash is not None:
            raise fail(f"districten[{index}].slug", f"dubbele slug '{district.slug}': al in gebruik door regio '{clash.region.slug}'.")
    for index, org in enumerate(spec.organisations):
        clash = Organisation.objects.filter(slug=org.slug).exclude(region__slug=spec.slug).select_related("region").first()
        if clash is not None:
            owner = f"regio '{clash.region.slug}'" if clash.region is not None else "een organisatie zonder regio"
            raise fail(f"organisaties[{index}] ({org.slug}).slug", f"dubbele slug '{org.slug}': al in gebruik door {owner}.")


def load_region(slug_or_path: str) -> Region:
    """Load one region file (municipalities, districts, organisations): all of it or nothing."""
    path = region_path(slug_or_path)
    spec = read_region(path)
    if Path(slug_or_path).suffix not in {".yaml", ".yml"} and spec.slug != slug_or_path:
        raise RegionDataError(spec.file, "regio.slug", f"'{spec.slug}' hoort gelijk te zijn aan de bestandsnaam '{slug_or_path}'.")
    with transaction.atomic():
        if Municipality.objects.count() < len(cbs_municipalities()):
            load_municipalities()
        _check_against_database(spec)
        return _write_region(spec)


def _write_region(spec: RegionSpec) -> Region:
    region, _ = Region.objects.update_or_create(slug=spec.slug, defaults={"name": spec.name, "police_unit": spec.police_unit})
    Municipality.objects.filter(cbs_code__in=spec.municipalities).update(region=region, district=None)
    districts: dict[str, District] = {}
    for entry in spec.districts:
        district, _ = District.objects.update_or_create(slug=entry.slug, defaults={"name": entry.name, "region": region})
        districts[entry.slug] = district
        Municipality.objects.filter(cbs_code__in=entry.municipalities).update(district=district)
    ids = dict(Municipality.objects.filter(cbs_code__in=spec.municipalities).values_list("cbs_code", "pk"))
    for entry in spec.organisations:
        Organisation.objects.update_or_create(
            slug=entry.slug,
            defaults={
                "name": entry.name,
                "kind": entry.kind,
                "region": region,
                "district": districts.get(entry.district) if entry.district else None,
                "municipality_id": ids[entry.municipality] if entry.municipality else None,
                "phone": entry.phone,
                "email": entry.email,
                "website": entry.website,
                "on_platform": entry.on_platform,
            },
        )
        if entry.municipality and entry.on_platform:
            Municipality.objects.filter(cbs_code=entry.municipality).update(on_platform=True)
    return region
