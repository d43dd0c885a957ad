"""Reading a map file: strict YAML, shape and types of every field, then validation."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from ketenzicht.domain.routekaart.model import (
    _ADVIES_VELDEN,
    _ID_RE,
    _PARTNER_VELDEN,
    _ROUTE_VELDEN,
    _SLUG_RE,
    _TOP_VELDEN,
    _TOP_VERPLICHT,
    _UITKOMST_VELDEN,
    _VRAAG_VELDEN,
    KNOOP_UITKOMST,
    KNOOP_VRAAG,
    ROUTE_KNOOP,
    Node,
    OutcomeAdvice,
    Partner,
    RouteInfo,
    RoutekaartError,
    RoutekaartInputError,
    RouteMap,
    fail,
)
from ketenzicht.domain.routekaart.validation import validate

# --- loading --------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys.

    Plain PyYAML keeps the last of two ``ja:`` keys without a word; in a decision map
    that silently drops a branch.
    """


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"dubbele sleutel '{key}'", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


def default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data" / "routekaart"


def load_map(path: str | Path) -> RouteMap:
    """Read, parse and validate one map file; raises :class:`RoutekaartError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RoutekaartError(f"{path.name}: kan bestand niet lezen ({exc})") from exc
    return load_map_text(text, path.name)


def load_map_text(text: str, bestand: str) -> RouteMap:
    """Parse and validate a map from its YAML text; ``bestand`` is the file name it came from.

    For maps stored elsewhere than on disk (the database keeps the loaded text of each
    version): the same checks as :func:`load_map`, errors name ``bestand`` and the node.
    """
    path = Path(bestand)
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RoutekaartError(f"{path.name}: geen geldige YAML: {exc}") from exc
    route_map = _parse(raw, path)
    validate(route_map)
    return route_map


def available_regions(data_dir: str | Path | None = None) -> list[str]:
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    return sorted(p.stem for p in directory.glob("*.yaml") if _SLUG_RE.match(p.stem))


def load_region(slug: str, data_dir: str | Path | None = None) -> RouteMap:
    """Load the map of one police unit by slug (``den-haag``, ``rotterdam`` ...)."""
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    return _load_region_cached(slug, str(directory.resolve()))


@functools.lru_cache(maxsize=32)
def _load_region_cached(slug: str, directory: str) -> RouteMap:
    # Cached because the web page and API call this per request; the maps are immutable
    # (frozen dataclasses) and only change with a deploy.
    if not isinstance(slug, str) or not _SLUG_RE.match(slug):
        raise RoutekaartInputError(f"onbekende regio {slug!r}: gebruik een slug zoals 'den-haag'")
    path = Path(directory) / f"{slug}.yaml"
    if not path.is_file():
        beschikbaar = ", ".join(available_regions(directory)) or "geen"
        raise RoutekaartInputError(f"onbekende regio '{slug}' (beschikbaar: {beschikbaar})")
    return load_map(path)


# --- parsing (shape and types of the YAML) --------------------------------------------


def _text(
    value: Any,
    path: Path,
    what: str,
    knoop: str | None = None,
    *,
    required: bool,
    owner: str | None = None,
) -> str:
    if value is None:
        if required:
            raise fail(path, f"veld '{what}' ontbreekt of is leeg", knoop, owner=owner)
        return ""
    if not isinstance(value, str):
        raise fail(
            path, f"veld '{what}' moet tekst zijn, niet {type(value).__name__}", knoop, owner=owner
        )
    if required and not value.strip():
        raise fail(path, f"veld '{what}' is leeg", knoop, owner=owner)
    return value.strip()


def _check_fields(
    data: Mapping[str, Any], allowed: set[str], path: Path, what: str, knoop: str | None = None
) -> None:
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise fail(path, f"onbekend veld in {what}: {', '.join(unknown)}", knoop)


def _parse(raw: Any, path: Path) -> RouteMap:
    if not isinstance(raw, dict):
        raise fail(
            path, "bestand moet een mapping met 'regio', 'partners', 'routes' en 'knopen' zijn"
        )
    _check_fields(raw, _TOP_VELDEN, path, "bestand")
    missing = sorted(_TOP_VERPLICHT - set(raw))
    if missing:
        raise fail(path, f"onvolledig: verplicht veld ontbreekt: {', '.join(missing)}")

    regio = _text(raw["regio"], path, "regio", required=True)
    versie = _text(raw["versie"], path, "versie", required=True)
    geldig_vanaf = raw["geldig_vanaf"]
    if not isinstance(geldig_vanaf, date):
        raise fail(path, "veld 'geldig_vanaf' moet een datum zijn (JJJJ-MM-DD)")

    partners = _parse_partners(raw["partners"], path)
    routes = _parse_routes(raw["routes"], path)
    knopen = _parse_knopen(raw["knopen"], path)
    return RouteMap(
        regio=regio,
        naam=_text(raw.get("naam"), path, "naam", required=False) or regio,
        versie=versie,
        geldig_vanaf=geldig_vanaf,
        bron=_text(raw["bron"], path, "bron", required=True),
        # Read-only views: load_region caches and shares one RouteMap between requests.
        partners=MappingProxyType(partners),
        routes=MappingProxyType(routes),
        knopen=MappingProxyType(knopen),
        bestand=path.name,
    )


def _parse_partners(raw: Any, path: Path) -> dict[str, Partner]:
    if not isinstance(raw, list) or not raw:
        raise fail(path, "onvolledig: 'partners' moet een niet-lege lijst zijn")
    partners: dict[str, Partner] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            raise fail(path, "elke partner moet een mapping zijn")
        pid = _text(entry.get("id"), path, "partners[].id", required=True)
        where = f"partner '{pid}'"
        _check_fields(entry, _PARTNER_VELDEN, path, where)
        if pid in partners:
            raise fail(path, f"{where} komt dubbel voor")
        # _text refuses non-strings: YAML reads an unquoted 112 as an int and 070-... as
        # text, so a quoted phone number is the only unambiguous form.
        values = {
            name: _text(
                entry.get(name), path, name, required=name in {"soort", "organisatie"}, owner=where
            )
            for name in _PARTNER_VELDEN - {"id"}
        }
        partners[pid] = Partner(id=pid, **values)
    return partners


def _parse_routes(raw: Any, path: Path) -> dict[str, RouteInfo]:
    if not isinstance(raw, dict):
        raise fail(path, "onvolledig: 'routes' moet een mapping zijn")
    routes: dict[str, RouteInfo] = {}
    for naam, info in raw.items():
        if not isinstance(info, dict):
            raise fail(path, f"route '{naam}' moet een mapping met 'start' zijn")
        _check_fields(info, _ROUTE_VELDEN, path, f"route '{naam}'")
        routes[str(naam)] = RouteInfo(
            naam=str(naam),
            start=_text(info.get("start"), path, f"routes.{naam}.start", required=True),
            omschrijving=_text(
                info.get("omschrijving"), path, f"routes.{naam}.omschrijving", required=False
            ),
        )
    return routes


def _parse_knopen(raw: Any, path: Path) -> dict[str, Node]:
    if not isinstance(raw, list) or not raw:
        raise fail(path, "onvolledig: 'knopen' moet een niet-lege lijst zijn")
    knopen: dict[str, Node] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            raise fail(path, "elke knoop moet een mapping zijn")
        nid = _text(entry.get("id"), path, "knopen[].id", required=True)
        if not _ID_RE.match(nid):
            raise fail(path, "id mag alleen letters, cijfers, '_', '-' en '.' bevatten", nid)
        if nid in knopen:
            raise fail(path, "id komt dubbel voor", nid)
        if nid == ROUTE_KNOOP:
            raise fail(path, f"id '{ROUTE_KNOOP}' is gereserveerd voor de routekeuze", nid)
        soort = entry.get("soort")
        if soort == KNOOP_VRAAG:
            knopen[nid] = _parse_vraag(entry, nid, path)
        elif soort == KNOOP_UITKOMST:
            knopen[nid] = _parse_uitkomst(entry, nid, path)
        else:
            raise fail(
                path, f"soort moet '{KNOOP_VRAAG}' of '{KNOOP_UITKOMST}' zijn, niet {soort!r}", nid
            )
    return knopen


def _parse_vraag(entry: Mapping[str, Any], nid: str, path: Path) -> Node:
    _check_fields(entry, _VRAAG_VELDEN, path, "vraag", nid)
    antwoorden = entry.get("antwoorden")
    if antwoorden is None or antwoorden == {} or antwoorden == []:
        raise fail(path, "vraag zonder antwoorden", nid)
    if not isinstance(antwoorden, dict):
        raise fail(path, "'antwoorden' moet een mapping 'ja: <knoop>, nee: <knoop>' zijn", nid)
    bevat = entry.get("bevat_een_van") or []
    if not isinstance(bevat, list) or not all(isinstance(v, str) for v in bevat):
        raise fail(path, "'bevat_een_van' moet een lijst met uitbuitingsvormen zijn", nid)
    return Node(
        id=nid,
        soort=KNOOP_VRAAG,
        vraag=_text(entry.get("vraag"), path, "vraag", nid, required=True),
        toelichting=_text(entry.get("toelichting"), path, "toelichting", nid, required=False),
        sleutel=_text(entry.get("sleutel"), path, "sleutel", nid, required=True),
        bevat_een_van=tuple(bevat),
        antwoorden=MappingProxyType(
            {
                str(k): _text(v, path, f"antwoorden.{k}", nid, required=True)
                for k, v in antwoorden.items()
            }
        ),
    )


def _parse_uitkomst(entry: Mapping[str, Any], nid: str, path: Path) -> Node:
    _check_fields(entry, _UITKOMST_VELDEN, path, "uitkomst", nid)
    raw_advies = entry.get("advies") or []
    if not isinstance(raw_advies, list):
        raise fail(path, "'advies' moet een lijst zijn", nid)
    advies: list[OutcomeAdvice] = []
    for item in raw_advies:
        if not isinstance(item, dict):
            raise fail(path, "elk advies moet een mapping met 'partner' en 'reden' zijn", nid)
        _check_fields(item, _ADVIES_VELDEN, path, "advies", nid)
        advies.append(
            OutcomeAdvice(
                partner=_text(item.get("partner"), path, "advies.partner", nid, required=True),
                reden=_text(item.get("reden"), path, "advies.reden", nid, required=True),
            )
        )
    terugval = entry.get("terugval", False)
    if not isinstance(terugval, bool):
        raise fail(path, "'terugval' moet true of false zijn", nid)
    daarna = entry.get("daarna")
    return Node(
        id=nid,
        soort=KNOOP_UITKOMST,
        toelichting=_text(entry.get("toelichting"), path, "toelichting", nid, required=False),
        advies=tuple(advies),
        daarna=_text(daarna, path, "daarna", nid, required=True) if daarna is not None else None,
        terugval=terugval,
    )


