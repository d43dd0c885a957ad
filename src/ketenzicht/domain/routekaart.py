"""Signalenroutekaart: which chain partner to contact for a signal of human trafficking.

The map itself (questions, answers, outcomes, partners and their contact details) is
data: one versioned YAML file per police unit under ``ketenzicht/data/routekaart``.
This module only loads, validates and walks such a map, so a region can change a
phone number or add a question without a code change. The format and the validation
rules are described in ``docs/routekaart.md``.

Two routes share one node graph (seed 001, bijlage 1):

* ``slachtoffer`` -- a (possibly) identifiable victim;
* ``locatie`` -- a location where trafficking is suspected.

Every question node tests one answer key (``acuutGevaar``, ``uitbuitingsvormen`` ...)
and has exactly two branches, ``ja`` and ``nee``. Outcome nodes name partners with a
reason and may continue (``daarna``) to a further node, so one walk can collect
several partners (e.g. 112 *and* the zorgcoördinator).

No Django here: the web page, the API endpoint and the management command are thin
shells around :func:`load_region`, :func:`advise` and :func:`next_question`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

__all__ = [
    "ADVIES_SOORTEN",
    "ANTWOORD_SLEUTELS",
    "ROUTES",
    "UITBUITINGSVORMEN",
    "Advice",
    "AdviceItem",
    "Answer",
    "MissingAnswerError",
    "Node",
    "OutcomeAdvice",
    "Partner",
    "PathStep",
    "Question",
    "RouteInfo",
    "RouteMap",
    "RoutekaartError",
    "RoutekaartInputError",
    "advise",
    "available_regions",
    "default_data_dir",
    "load_map",
    "load_map_text",
    "load_region",
    "next_question",
    "validate",
]

# --- vocabulary of the contract -------------------------------------------------------

ROUTES: tuple[str, ...] = ("slachtoffer", "locatie")
UITBUITINGSVORMEN: tuple[str, ...] = ("seksueel", "arbeid", "crimineel", "orgaan", "onbekend")
ADVIES_SOORTEN: tuple[str, ...] = (
    "alarm-112",
    "politie-avim",
    "nla",
    "zorgcoordinator",
    "zorg-en-veiligheidshuis",
    "veilig-thuis",
    "riec",
    "heit",
    "meld-misdaad-anoniem",
    "signalenoverleg",
)
BOOL_SLEUTELS: tuple[str, ...] = (
    "acuutGevaar",
    "wilPolitieSpreken",
    "wilHulp",
    "ernstigeZorgenGeenGrip",
    "minderjarig",
    "meldcodeProfessional",
)
LIJST_SLEUTEL = "uitbuitingsvormen"
ROUTE_SLEUTEL = "route"
# Every key an answers mapping may hold; anything else is rejected so that a typo
# ("acuutgevaar") cannot silently fall through to "not answered".
ANTWOORD_SLEUTELS: tuple[str, ...] = (ROUTE_SLEUTEL, *BOOL_SLEUTELS, LIJST_SLEUTEL)
VRAAG_SLEUTELS: tuple[str, ...] = (*BOOL_SLEUTELS, LIJST_SLEUTEL)

JA, NEE = "ja", "nee"
KNOOP_VRAAG, KNOOP_UITKOMST = "vraag", "uitkomst"

# The route choice is not a node in the file (every map has the same two routes), but a
# guided page asks it like any other question and the stored path starts with it.
ROUTE_KNOOP = "route"
ROUTE_VRAAG = "Gaat het om een (mogelijk) identificeerbaar slachtoffer of om een locatie?"

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")

_TOP_VELDEN = {"regio", "naam", "versie", "geldig_vanaf", "bron", "partners", "routes", "knopen"}
_TOP_VERPLICHT = _TOP_VELDEN - {"naam"}
_PARTNER_VELDEN = {
    "id",
    "soort",
    "organisatie",
    "telefoon",
    "email",
    "website",
    "openingstijden",
    "notities",
    "bron",
}
_ROUTE_VELDEN = {"start", "omschrijving"}
_VRAAG_VELDEN = {"id", "soort", "vraag", "toelichting", "sleutel", "bevat_een_van", "antwoorden"}
_UITKOMST_VELDEN = {"id", "soort", "advies", "daarna", "terugval", "toelichting"}
_ADVIES_VELDEN = {"partner", "reden"}


# --- errors ---------------------------------------------------------------------------


class RoutekaartError(Exception):
    """A map file is malformed; raised at load time, the message names file and node."""


class RoutekaartInputError(ValueError):
    """The caller's input (region, answer key or value) is wrong; the message names it."""


class MissingAnswerError(RoutekaartInputError):
    """An answer the walk needs is missing. ``question`` is what to ask next."""

    def __init__(self, question: Question) -> None:
        self.sleutel = question.sleutel
        self.question = question
        super().__init__(
            f"antwoord ontbreekt: '{question.sleutel}' is nodig bij knoop "
            f"'{question.knoop}' ({question.vraag})"
        )


# --- the map as plain data ------------------------------------------------------------


@dataclass(frozen=True)
class Partner:
    id: str
    soort: str
    organisatie: str
    telefoon: str = ""
    email: str = ""
    website: str = ""
    openingstijden: str = ""
    notities: str = ""
    bron: str = ""


@dataclass(frozen=True)
class OutcomeAdvice:
    partner: str
    reden: str


@dataclass(frozen=True)
class Node:
    """A question node (``soort == 'vraag'``) or an outcome node (``'uitkomst'``)."""

    id: str
    soort: str
    # question fields
    vraag: str = ""
    toelichting: str = ""
    sleutel: str = ""
    bevat_een_van: tuple[str, ...] = ()
    antwoorden: Mapping[str, str] = field(default_factory=dict)
    # outcome fields
    advies: tuple[OutcomeAdvice, ...] = ()
    daarna: str | None = None
    # A fallback outcome ("nothing else fits") only contributes when the walk has not
    # produced any advice before it; keeps the graph a tree instead of duplicating it.
    terugval: bool = False

    @property
    def is_vraag(self) -> bool:
        return self.soort == KNOOP_VRAAG

    def volgende(self) -> tuple[str, ...]:
        """Ids of the nodes this node can lead to (edges of the graph)."""
        if self.is_vraag:
            return tuple(self.antwoorden.values())
        return (self.daarna,) if self.daarna else ()


@dataclass(frozen=True)
class RouteInfo:
    naam: str
    start: str
    omschrijving: str = ""


@dataclass(frozen=True)
class RouteMap:
    regio: str
    naam: str
    versie: str
    geldig_vanaf: date
    bron: str
    partners: Mapping[str, Partner]
    routes: Mapping[str, RouteInfo]
    knopen: Mapping[str, Node]
    bestand: str = ""


# --- results --------------------------------------------------------------------------

Answer = str  # "ja" / "nee" on question nodes, the route name on the route step


@dataclass(frozen=True)
class PathStep:
    knoop: str
    antwoord: Answer

    def to_json(self) -> dict[str, str]:
        return {"knoop": self.knoop, "antwoord": self.antwoord}


@dataclass(frozen=True)
class Question:
    """The next thing to ask: ``opties`` lists allowed values; ``meerkeuze`` means a list."""

    knoop: str
    sleutel: str
    vraag: str
    toelichting: str = ""
    opties: tuple[str, ...] = (JA, NEE)
    meerkeuze: bool = False


@dataclass(frozen=True)
class AdviceItem:
    soort: str
    organisatie: str
    telefoon: str
    email: str
    reden: str
    partner: Partner

    def to_json(self) -> dict[str, str]:
        # Exactly the contract fields; website/notities stay available on ``partner``.
        return {
            "soort": self.soort,
            "organisatie": self.organisatie,
            "telefoon": self.telefoon,
            "email": self.email,
            "reden": self.reden,
        }


@dataclass(frozen=True)
class Advice:
    regio: str
    versie: str
    route: str
    items: tuple[AdviceItem, ...]
    pad: tuple[PathStep, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "advies": [item.to_json() for item in self.items],
            "pad": [step.to_json() for step in self.pad],
            "versie": self.versie,
        }


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
    return Path(__file__).resolve().parent.parent / "data" / "routekaart"


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


def _fail(
    path: Path, msg: str, knoop: str | None = None, *, owner: str | None = None
) -> RoutekaartError:
    """Build the error; ``knoop`` (or another ``owner`` such as a partner) is named first."""
    if owner is None and knoop is not None:
        owner = f"knoop '{knoop}'"
    where = f"{owner}: " if owner else ""
    return RoutekaartError(f"{path.name}: {where}{msg}")


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
            raise _fail(path, f"veld '{what}' ontbreekt of is leeg", knoop, owner=owner)
        return ""
    if not isinstance(value, str):
        raise _fail(
            path, f"veld '{what}' moet tekst zijn, niet {type(value).__name__}", knoop, owner=owner
        )
    if required and not value.strip():
        raise _fail(path, f"veld '{what}' is leeg", knoop, owner=owner)
    return value.strip()


def _check_fields(
    data: Mapping[str, Any], allowed: set[str], path: Path, what: str, knoop: str | None = None
) -> None:
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise _fail(path, f"onbekend veld in {what}: {', '.join(unknown)}", knoop)


def _parse(raw: Any, path: Path) -> RouteMap:
    if not isinstance(raw, dict):
        raise _fail(
            path, "bestand moet een mapping met 'regio', 'partners', 'routes' en 'knopen' zijn"
        )
    _check_fields(raw, _TOP_VELDEN, path, "bestand")
    missing = sorted(_TOP_VERPLICHT - set(raw))
    if missing:
        raise _fail(path, f"onvolledig: verplicht veld ontbreekt: {', '.join(missing)}")

    regio = _text(raw["regio"], path, "regio", required=True)
    versie = _text(raw["versie"], path, "versie", required=True)
    geldig_vanaf = raw["geldig_vanaf"]
    if not isinstance(geldig_vanaf, date):
        raise _fail(path, "veld 'geldig_vanaf' moet een datum zijn (JJJJ-MM-DD)")

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
        raise _fail(path, "onvolledig: 'partners' moet een niet-lege lijst zijn")
    partners: dict[str, Partner] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            raise _fail(path, "elke partner moet een mapping zijn")
        pid = _text(entry.get("id"), path, "partners[].id", required=True)
        where = f"partner '{pid}'"
        _check_fields(entry, _PARTNER_VELDEN, path, where)
        if pid in partners:
            raise _fail(path, f"{where} komt dubbel voor")
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
        raise _fail(path, "onvolledig: 'routes' moet een mapping zijn")
    routes: dict[str, RouteInfo] = {}
    for naam, info in raw.items():
        if not isinstance(info, dict):
            raise _fail(path, f"route '{naam}' moet een mapping met 'start' zijn")
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
        raise _fail(path, "onvolledig: 'knopen' moet een niet-lege lijst zijn")
    knopen: dict[str, Node] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            raise _fail(path, "elke knoop moet een mapping zijn")
        nid = _text(entry.get("id"), path, "knopen[].id", required=True)
        if not _ID_RE.match(nid):
            raise _fail(path, "id mag alleen letters, cijfers, '_', '-' en '.' bevatten", nid)
        if nid in knopen:
            raise _fail(path, "id komt dubbel voor", nid)
        if nid == ROUTE_KNOOP:
            raise _fail(path, f"id '{ROUTE_KNOOP}' is gereserveerd voor de routekeuze", nid)
        soort = entry.get("soort")
        if soort == KNOOP_VRAAG:
            knopen[nid] = _parse_vraag(entry, nid, path)
        elif soort == KNOOP_UITKOMST:
            knopen[nid] = _parse_uitkomst(entry, nid, path)
        else:
            raise _fail(
                path, f"soort moet '{KNOOP_VRAAG}' of '{KNOOP_UITKOMST}' zijn, niet {soort!r}", nid
            )
    return knopen


def _parse_vraag(entry: Mapping[str, Any], nid: str, path: Path) -> Node:
    _check_fields(entry, _VRAAG_VELDEN, path, "vraag", nid)
    antwoorden = entry.get("antwoorden")
    if antwoorden is None or antwoorden == {} or antwoorden == []:
        raise _fail(path, "vraag zonder antwoorden", nid)
    if not isinstance(antwoorden, dict):
        raise _fail(path, "'antwoorden' moet een mapping 'ja: <knoop>, nee: <knoop>' zijn", nid)
    bevat = entry.get("bevat_een_van") or []
    if not isinstance(bevat, list) or not all(isinstance(v, str) for v in bevat):
        raise _fail(path, "'bevat_een_van' moet een lijst met uitbuitingsvormen zijn", nid)
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
        raise _fail(path, "'advies' moet een lijst zijn", nid)
    advies: list[OutcomeAdvice] = []
    for item in raw_advies:
        if not isinstance(item, dict):
            raise _fail(path, "elk advies moet een mapping met 'partner' en 'reden' zijn", nid)
        _check_fields(item, _ADVIES_VELDEN, path, "advies", nid)
        advies.append(
            OutcomeAdvice(
                partner=_text(item.get("partner"), path, "advies.partner", nid, required=True),
                reden=_text(item.get("reden"), path, "advies.reden", nid, required=True),
            )
        )
    terugval = entry.get("terugval", False)
    if not isinstance(terugval, bool):
        raise _fail(path, "'terugval' moet true of false zijn", nid)
    daarna = entry.get("daarna")
    return Node(
        id=nid,
        soort=KNOOP_UITKOMST,
        toelichting=_text(entry.get("toelichting"), path, "toelichting", nid, required=False),
        advies=tuple(advies),
        daarna=_text(daarna, path, "daarna", nid, required=True) if daarna is not None else None,
        terugval=terugval,
    )


# --- validation (meaning and graph) ---------------------------------------------------


def validate(route_map: RouteMap) -> None:
    """Check a parsed map; raise :class:`RoutekaartError` naming file and node.

    Run by :func:`load_map`, so a defective map never reaches the engine.
    """
    path = Path(route_map.bestand or route_map.regio)
    if not _SLUG_RE.match(route_map.regio):
        raise _fail(path, f"regio '{route_map.regio}' is geen kebab-case slug")
    if route_map.bestand and Path(route_map.bestand).stem != route_map.regio:
        raise _fail(path, f"regio '{route_map.regio}' past niet bij de bestandsnaam")

    for partner in route_map.partners.values():
        if partner.soort not in ADVIES_SOORTEN:
            raise _fail(path, f"partner '{partner.id}': onbekende soort '{partner.soort}'")
        # A partner without a phone must say where to look instead (contract: every
        # outcome has a phone or a note).
        if not partner.telefoon and not partner.notities:
            raise _fail(path, f"partner '{partner.id}': geen telefoon en geen notitie")

    missing_routes = [r for r in ROUTES if r not in route_map.routes]
    if missing_routes:
        raise _fail(path, f"onvolledig: route ontbreekt: {', '.join(missing_routes)}")
    extra_routes = sorted(set(route_map.routes) - set(ROUTES))
    if extra_routes:
        raise _fail(path, f"onbekende route: {', '.join(extra_routes)}")
    for route in route_map.routes.values():
        if route.start not in route_map.knopen:
            raise _fail(path, f"route '{route.naam}' start bij onbekende knoop", route.start)

    for node in route_map.knopen.values():
        _validate_node(route_map, node, path)

    # Graph checks: depth-first from each route start, colouring nodes to find cycles.
    reached: set[str] = set()
    for route in route_map.routes.values():
        _check_acyclic(route_map, route.start, path, reached)
    unreachable = [nid for nid in route_map.knopen if nid not in reached]
    if unreachable:
        raise _fail(path, "onbereikbaar vanuit een route-start", unreachable[0])


def _validate_node(route_map: RouteMap, node: Node, path: Path) -> None:
    if node.is_vraag:
        if node.sleutel not in VRAAG_SLEUTELS:
            raise _fail(
                path,
                f"onbekende sleutel '{node.sleutel}' (toegestaan: {', '.join(VRAAG_SLEUTELS)})",
                node.id,
            )
        if node.sleutel == LIJST_SLEUTEL:
            if not node.bevat_een_van:
                raise _fail(path, "vraag over uitbuitingsvormen zonder 'bevat_een_van'", node.id)
            onbekend = [v for v in node.bevat_een_van if v not in UITBUITINGSVORMEN]
            if onbekend:
                raise _fail(path, f"onbekende uitbuitingsvorm: {', '.join(onbekend)}", node.id)
        elif node.bevat_een_van:
            raise _fail(
                path, "'bevat_een_van' hoort alleen bij sleutel 'uitbuitingsvormen'", node.id
            )
        extra = sorted(set(node.antwoorden) - {JA, NEE})
        if extra:
            raise _fail(
                path, f"onbekend antwoord: {', '.join(extra)} (alleen 'ja' en 'nee')", node.id
            )
        ontbrekend = [a for a in (JA, NEE) if a not in node.antwoorden]
        if ontbrekend:
            raise _fail(path, f"onvolledig: antwoord '{ontbrekend[0]}' ontbreekt", node.id)
        for antwoord, doel in node.antwoorden.items():
            if doel not in route_map.knopen:
                raise _fail(
                    path, f"antwoord '{antwoord}' verwijst naar onbekende knoop '{doel}'", node.id
                )
        return

    if not node.advies:
        # An outcome without advice gives the user nothing; with no 'daarna' it is a
        # dead end, with one it is a pointless detour. Either way a defect.
        raise _fail(path, "doodlopend: uitkomst zonder advies", node.id)
    for item in node.advies:
        if item.partner not in route_map.partners:
            raise _fail(path, f"verwijst naar onbekende partner '{item.partner}'", node.id)
    if node.daarna is not None and node.daarna not in route_map.knopen:
        raise _fail(path, f"'daarna' verwijst naar onbekende knoop '{node.daarna}'", node.id)


def _check_acyclic(route_map: RouteMap, start: str, path: Path, reached: set[str]) -> None:
    # Iterative DFS (maps are small, but recursion depth should not depend on data).
    on_stack: set[str] = set()
    stack: list[tuple[str, Iterator[str]]] = []

    def push(nid: str) -> None:
        on_stack.add(nid)
        reached.add(nid)
        stack.append((nid, iter(route_map.knopen[nid].volgende())))

    if start in reached:
        return
    push(start)
    while stack:
        nid, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            on_stack.discard(nid)
        elif child in on_stack:
            raise _fail(path, f"cyclus: leidt terug naar '{child}'", nid)
        elif child not in reached:
            push(child)


# --- input checking -------------------------------------------------------------------


def _check_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(answers, Mapping):
        raise RoutekaartInputError("antwoorden moeten een mapping (JSON-object) zijn")
    checked: dict[str, Any] = {}
    for key, value in answers.items():
        if key not in ANTWOORD_SLEUTELS:
            raise RoutekaartInputError(
                f"onbekende antwoordsleutel '{key}' (toegestaan: {', '.join(ANTWOORD_SLEUTELS)})"
            )
        if value is None:
            continue  # "not answered yet", as a form may send it
        if key == ROUTE_SLEUTEL:
            if value not in ROUTES:
                raise RoutekaartInputError(
                    f"ongeldige waarde voor 'route': {value!r} (toegestaan: {', '.join(ROUTES)})"
                )
        elif key == LIJST_SLEUTEL:
            # A bare string is iterable too; insist on a real list.
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise RoutekaartInputError(
                    f"'{key}' moet een lijst zijn, bv. [\"arbeid\"], niet {type(value).__name__}"
                )
            onbekend = [v for v in value if v not in UITBUITINGSVORMEN]
            if onbekend:
                raise RoutekaartInputError(
                    f"onbekende waarde in '{key}': {onbekend!r} (toegestaan: {', '.join(UITBUITINGSVORMEN)})"
                )
            if not value:
                raise RoutekaartInputError(
                    f"'{key}' is leeg: gebruik [\"onbekend\"] als de vorm onbekend is"
                )
            value = frozenset(value)
        elif not isinstance(value, bool):
            # 0/1 or "true" are refused: they usually mean a form or client bug.
            raise RoutekaartInputError(f"'{key}' moet true of false zijn, niet {value!r}")
        checked[key] = value
    return checked


def _question_for(node: Node) -> Question:
    if node.sleutel == LIJST_SLEUTEL:
        return Question(
            knoop=node.id,
            sleutel=node.sleutel,
            vraag=node.vraag,
            toelichting=node.toelichting,
            opties=UITBUITINGSVORMEN,
            meerkeuze=True,
        )
    return Question(
        knoop=node.id, sleutel=node.sleutel, vraag=node.vraag, toelichting=node.toelichting
    )


def _route_question(route_map: RouteMap) -> Question:
    toelichting = " / ".join(
        f"{r.naam}: {r.omschrijving}" for r in route_map.routes.values() if r.omschrijving
    )
    return Question(
        knoop=ROUTE_KNOOP,
        sleutel=ROUTE_SLEUTEL,
        vraag=ROUTE_VRAAG,
        toelichting=toelichting,
        opties=ROUTES,
    )


# --- the engine -----------------------------------------------------------------------


@dataclass
class _Walk:
    route: str | None
    pad: list[PathStep]
    items: list[tuple[Partner, str]]
    waiting: Question | None


def _walk(route_map: RouteMap, answers: Mapping[str, Any]) -> _Walk:
    checked = _check_answers(answers)
    route = checked.get(ROUTE_SLEUTEL)
    if route is None:
        return _Walk(None, [], [], _route_question(route_map))
    pad = [PathStep(ROUTE_KNOOP, route)]
    items: list[tuple[Partner, str]] = []
    nid: str | None = route_map.routes[route].start
    while nid is not None:  # validation guarantees termination (acyclic, refs resolved)
        node = route_map.knopen[nid]
        if node.is_vraag:
            if node.sleutel not in checked:
                return _Walk(route, pad, items, _question_for(node))
            value = checked[node.sleutel]
            hit = bool(value & set(node.bevat_een_van)) if node.sleutel == LIJST_SLEUTEL else value
            antwoord = JA if hit else NEE
            pad.append(PathStep(node.id, antwoord))
            nid = node.antwoorden[antwoord]
        else:
            if not (node.terugval and items):
                items.extend((route_map.partners[a.partner], a.reden) for a in node.advies)
            nid = node.daarna
    return _Walk(route, pad, items, None)


def next_question(route_map: RouteMap, answers: Mapping[str, Any]) -> Question | None:
    """The first question on the path that ``answers`` does not answer, or ``None``.

    A guided page calls this after every answer; ``None`` means :func:`advise` can run.
    Answers that are given but not on the path are ignored, wrong ones still raise.
    """
    return _walk(route_map, answers).waiting


def advise(route_map: RouteMap, answers: Mapping[str, Any]) -> Advice:
    """Walk the map with ``answers`` and return the partners to contact, most urgent first.

    Raises :class:`MissingAnswerError` (a :class:`RoutekaartInputError`) naming the first
    missing key, with the question to ask on ``.question``.
    """
    walk = _walk(route_map, answers)
    if walk.waiting is not None:
        raise MissingAnswerError(walk.waiting)
    assert walk.route is not None

    # One partner once: if two outcomes on the path name the same partner, keep its
    # first position (the earlier one is the more urgent) and join the reasons.
    merged: dict[str, tuple[Partner, list[str]]] = {}
    for partner, reden in walk.items:
        if partner.id in merged:
            if reden not in merged[partner.id][1]:
                merged[partner.id][1].append(reden)
        else:
            merged[partner.id] = (partner, [reden])
    items = [
        AdviceItem(
            soort=partner.soort,
            organisatie=partner.organisatie,
            telefoon=partner.telefoon,
            email=partner.email,
            reden=" ".join(redenen),
            partner=partner,
        )
        for partner, redenen in merged.values()
    ]
    # Acute danger goes first whatever order the map author chose; the rest keeps the
    # order of the walk, which the map author controls (list.sort is stable).
    items.sort(key=lambda item: item.soort != "alarm-112")
    return Advice(
        regio=route_map.regio,
        versie=route_map.versie,
        route=walk.route,
        items=tuple(items),
        pad=tuple(walk.pad),
    )
