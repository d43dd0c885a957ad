"""Everything of one region at once, and the regions as the product reports them.

`load_region_complete(slug)` loads, in one transaction, the region file (municipalities,
districts, organisations: `accounts.loaders`), the region's signalenroutekaart, its kinds of
table from the norms file and checks its KPI targets. A wrong part raises `RegionDataError`
naming the file, the key and what is wrong, and nothing of the region is loaded. Loading twice
changes nothing. Commands act as the system actor (`system_actor("load_region")`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from django.db import transaction

from ketenzicht.accounts.loaders import DATA_DIR, RegionDataError, load_region
from ketenzicht.accounts.models import Municipality, Region


@dataclass(frozen=True)
class RegionLoad:
    region: Region
    routekaart: str  # "nieuwe versie actief", "ongewijzigd" or "geen kaart"
    table_kinds: int
    targets: int


def _targets(slug: str) -> int:
    """Check the region's KPI targets file (data/barriers/targets-SLUG.yaml), if it has one."""
    from ketenzicht.domain import kpi

    path = DATA_DIR / "barriers" / f"targets-{slug}.yaml"
    if not path.is_file():
        return 0
    try:
        raw = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("doelen") or []
        targets = kpi.parse_targets(raw)
    except (yaml.YAMLError, AttributeError) as exc:
        raise RegionDataError(path.name, "doelen", "geen leesbare lijst van doelen.") from exc
    except kpi.KpiError as exc:
        raise RegionDataError(path.name, "doelen", str(exc)) from exc
    for index, entry in enumerate(raw):
        if not entry.get("bron"):
            raise RegionDataError(path.name, f"doelen[{index}].bron", "ontbreekt: welke telling dit doel meet.")
    return len(targets)


def _routekaart(slug: str, actor: Any) -> str:
    from ketenzicht.domain import routekaart
    from ketenzicht.routing.services import routekaart_load

    if slug not in routekaart.available_regions():
        return "geen kaart"
    try:
        _version, created = routekaart_load(slug=slug, actor=actor)
    except (routekaart.RoutekaartError, routekaart.RoutekaartInputError) as exc:
        raise RegionDataError(f"routekaart/{slug}.yaml", "", str(exc)) from exc
    return "nieuwe versie actief" if created else "ongewijzigd"


def _table_kinds(slug: str) -> int:
    from ketenzicht.domain.deadlines import NormsError
    from ketenzicht.meetings.services import meeting_kinds_sync

    try:
        return meeting_kinds_sync(slug)
    except NormsError as exc:
        raise RegionDataError(f"norms/{slug}.yaml", "", str(exc)) from exc


def load_region_complete(slug_or_path: str) -> RegionLoad:
    """The region file, routekaart, tables and KPI targets: all of it, or nothing (one transaction)."""
    from ketenzicht.accounts.system import system_actor

    with transaction.atomic():
        region = load_region(slug_or_path)
        targets = _targets(region.slug)
        actor = system_actor("load_region")
        routekaart_state = _routekaart(region.slug, actor)
        kinds = _table_kinds(region.slug)
    return RegionLoad(region, routekaart_state, kinds, targets)


def regions_json() -> list[dict[str, Any]]:
    """The regions in the database, as `ketenzicht regions --json` prints them (issue 13)."""
    regions = Region.objects.prefetch_related("districts").order_by("slug")
    codes: dict[int, list[str]] = {}
    by_district: dict[int, list[str]] = {}
    for region_id, district_id, code in Municipality.objects.filter(region__isnull=False).values_list("region_id", "district_id", "cbs_code").order_by("cbs_code"):
        codes.setdefault(region_id, []).append(code)
        if district_id is not None:
            by_district.setdefault(district_id, []).append(code)
    return [
        {
            "slug": region.slug,
            "naam": region.name,
            "gemeenten": codes.get(region.pk, []),
            "districten": [
                {"naam": district.name, "gemeenten": by_district.get(district.pk, [])}
                for district in sorted(region.districts.all(), key=lambda d: d.name)
            ],
        }
        for region in regions
    ]
